import { formatNumber } from './format';
import type { ScenarioResult } from './model';

/**
 * How the report and `spotlab simulate` name what a scenario left running. Spotlab's leftovers
 * are a defect (it must leave none); always-on runners and an idle pool keep machines on by
 * design, so theirs are named for what they are.
 */

/** The tile's label: `Leftovers`, or `Machines kept running (by design)`. */
export function leftoversLabel(result: ScenarioResult): string {
  return result.keepsMachinesRunning ? 'Machines kept running (by design)' : 'Leftovers';
}

/** The count in a `Leftovers` column: `0`, or `7 machines kept running (by design)`. */
export function leftoversCell(result: ScenarioResult): string {
  const { leftovers } = result.summary;
  const count = formatNumber(leftovers, 0);
  if (!result.keepsMachinesRunning) return count;
  return `${count} machine${leftovers === 1 ? '' : 's'} kept running (by design)`;
}
