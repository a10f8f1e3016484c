import { PermanentError } from '../../lambdas/shared/errors';

/** How many bad rows an error lists before it only counts the rest. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * A trace file that cannot be replayed. `problems` holds every bad row (`row 7: duration_s must be
 * a non-negative number`), so one run shows the whole list; the message lists the first
 * {@link MAX_LISTED_PROBLEMS}.
 */
export class TraceFormatError extends PermanentError {
  override readonly name = 'TraceFormatError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `  - ${problem}`);
    const more = problems.length - listed.length;
    super([`Invalid trace ${source}:`, ...listed, ...(more > 0 ? [`  … and ${more} more`] : [])].join('\n'));
  }
}
