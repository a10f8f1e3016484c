import type { InstallReport } from './install';

const LABEL = {
  create: 'create   ',
  update: 'update   ',
  unchanged: 'unchanged',
  failed: 'FAILED   ',
} as const;

/** One line per project, its fix below, and a closing count. */
export function renderInstall(report: InstallReport): string {
  const lines = report.projects.flatMap((p) => [
    `[${LABEL[p.action]}] project ${p.projectId}${p.path === undefined ? '' : ` (${p.path})`}: ${p.detail}`,
    ...(p.fix === undefined ? [] : [`            fix: ${p.fix}`]),
  ]);
  const count = (action: keyof typeof LABEL) => report.projects.filter((p) => p.action === action).length;
  const head = `${report.dryRun ? 'Plan (dry run, nothing changed)' : 'Webhook'} to ${report.url}, Job events only:`;
  const [created, updated] = report.dryRun ? ['to create', 'to update'] : ['created', 'updated'];
  const summary = `${count('create')} ${created}, ${count('update')} ${updated}, ${count('unchanged')} unchanged, ${count('failed')} failed.`;
  return `${head}\n${lines.join('\n')}\n\n${report.projects.length === 0 ? 'The group has no project.' : summary}\n`;
}
