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
  const summary = `${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged, ${count('failed')} failed.`;
  const done = report.dryRun
    ? summary
    : summary.replaceAll(' to create', ' created').replace(' to update', ' updated');
  return `${head}\n${lines.join('\n')}\n\n${report.projects.length === 0 ? 'The group has no project.' : done}\n`;
}
