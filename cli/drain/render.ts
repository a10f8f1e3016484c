import { formatTable } from '../table';
import type { Remaining } from './plan';
import type { LaunchingChange } from './switch';

/** What `drain` did and found, as `--json` prints it. */
export interface DrainReport {
  readonly launching: LaunchingChange;
  readonly remaining: readonly Remaining[];
  /** Whether `--wait` was asked, and whether it ran out of time before the last instance went. */
  readonly waited: boolean;
  readonly timedOut: boolean;
  /** Messages in the demand queue: launched after `spotlab resume`. */
  readonly demandWaiting: number | null;
}

/** The human-readable `drain`. */
export function renderDrain(report: DrainReport): string {
  const did = report.launching.changed
    ? `Launching disabled (scale-up event source mapping: ${report.launching.before} -> ${report.launching.after}).`
    : `Launching was already disabled (${report.launching.before}); nothing changed.`;
  const waiting =
    report.demandWaiting === null
      ? ''
      : `${report.demandWaiting} job(s) wait in the demand queue; \`spotlab resume\` launches them.\n`;
  const left =
    report.remaining.length === 0
      ? 'No instance left: drained.\n'
      : `${report.remaining.length} instance(s) left${report.timedOut ? ' when --timeout ran out' : ''}:\n${formatTable(
          ['INSTANCE', 'POOL', 'STATE', 'ACTIVITY', 'JOB', 'ENDS'],
          report.remaining.map((r) => [
            r.instanceId,
            r.pool,
            r.state,
            r.activity,
            r.jobId ?? '-',
            r.endsWhen,
          ]),
        )}`;
  return `${did}\n${waiting}${left}`;
}
