import type { Check } from './model';

const LABEL = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** One line per check, its fix indented below, and a closing count. */
export function renderDoctor(checks: readonly Check[]): string {
  const lines = checks.flatMap((c) => [
    `[${LABEL[c.status]}] ${c.id}: ${c.detail}`,
    ...(c.fix === undefined ? [] : [`       fix: ${c.fix}`]),
  ]);
  const count = (status: Check['status']) => checks.filter((c) => c.status === status).length;
  const failed = count('fail');
  const summary =
    failed === 0
      ? `All checks passed (${count('warn')} warning(s), ${count('skip')} skipped).`
      : `${failed} check(s) failed, ${count('warn')} warning(s), ${count('skip')} skipped.`;
  return `${lines.join('\n')}\n\n${summary}\n`;
}
