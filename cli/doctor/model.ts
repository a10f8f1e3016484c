/** How a check came out. `warn` and `skip` do not fail `doctor`; `fail` does (exit 1). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One check of `spotlab doctor`. */
export interface Check {
  /** Stable, for scripts: `stack`, `config`, `parameter:<name>`, `gitlab-token`, `webhook:project:<id>`, … */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found, in one line. */
  readonly detail: string;
  /** What to do, when the status is not `ok`. */
  readonly fix?: string;
}

/** Builds a check; `fix` is dropped for `ok`. */
export function check(id: string, status: CheckStatus, detail: string, fix?: string): Check {
  return status === 'ok' || fix === undefined ? { id, status, detail } : { id, status, detail, fix };
}

/** The worst of `statuses`: fail, then warn, then skip, then ok. */
export function worst(statuses: readonly CheckStatus[]): CheckStatus {
  for (const status of ['fail', 'warn', 'skip'] as const) if (statuses.includes(status)) return status;
  return 'ok';
}
