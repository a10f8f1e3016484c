import { formatNumber } from './format';
import type { ScenarioResult } from './model';

/**
 * How the report and `spotlab simulate` name what a scenario left running. Spotlab's leftovers
 * are a defect (it must leave none); always-on runners and an idle pool keep machines on by
 * design, so theirs are named for what they are.
 */

/** What a scenario that keeps machines on calls its leftovers. */
export const KEPT_RUNNING = 'machines kept running (by design)';

/** The tile's label: `Leftovers`, or `Machines kept running (by design)`. */
export function leftoversLabel(result: ScenarioResult): string {
  return result.keepsMachinesRunning ? `M${KEPT_RUNNING.slice(1)}` : 'Leftovers';
}

/** The count in a `Leftovers` column: `0`, or `7 machines kept running (by design)`. */
export function leftoversCell(result: ScenarioResult): string {
  const count = formatNumber(result.summary.leftovers, 0);
  return result.keepsMachinesRunning ? `${count} ${KEPT_RUNNING}` : count;
}
