import type { RunReport, ScenarioResult } from '../report/model';
import { simulateAlwaysOn, smallestAlwaysOn } from './always-on';
import { type AutoscalerPolicy, simulateAutoscaler } from './autoscaler/simulate';
import { arrivalMs, type SimParameters, type SpotlabReplay, type TraceJob } from './model';
import { launchToJobSeconds, type StartupProfile } from './startup-profile';

/** What `spotlab simulate` compares Spotlab with. */
export interface Alternatives {
  /** Always-on runners the user asked for (`--always-on N`), beside the N that matches Spotlab. */
  readonly alwaysOn?: number;
  readonly autoscaler: AutoscalerPolicy;
  /** Start-up profiles replayed beside Spotlab's own (`--image stock,baked,warm`), in order. */
  readonly startups?: readonly StartupProfile[];
  /** Ready instances (`--warm N`): Spotlab once more, with N kept ready while jobs arrive. */
  readonly warmCount?: number;
}

/**
 * Replays the trace through Spotlab and the alternatives and gathers them in one report: Spotlab
 * first, then Spotlab with each other start-up profile asked for, then the always-on runners that match its p95 wait, the always-on runners asked for (when
 * that is another N), and the idle-pool autoscaler.
 * @param title names the trace in the report.
 */
export async function compare(
  jobs: readonly TraceJob[],
  parameters: SimParameters,
  alternatives: Alternatives,
  replay: SpotlabReplay,
  title: string,
): Promise<RunReport> {
  // Every model, the replay included, starts a job's wait at arrivalMs (when it was queued).
  const spotlab = await replay(jobs, parameters);
  const matched = smallestAlwaysOn(jobs, parameters, spotlab.summary.waitP95s);
  const scenarios: ScenarioResult[] = [spotlab];
  for (const startup of alternatives.startups ?? []) {
    const other = await replay(jobs, { ...parameters, startup, startupFromPools: false });
    scenarios.push({ ...other, name: `Spotlab, ${startup.name} start-up` });
  }
  const { warmCount } = alternatives;
  if (warmCount !== undefined && warmCount > 0) {
    const warm = await replay(jobs, { ...parameters, warmCount });
    scenarios.push({ ...warm, name: `Spotlab + ${warmCount} warm` });
  }
  scenarios.push({ ...matched, name: `${matched.name} (matches Spotlab p95)` });
  if (alternatives.alwaysOn !== undefined && alternatives.alwaysOn !== runnersOf(matched))
    scenarios.push(simulateAlwaysOn(jobs, parameters, alternatives.alwaysOn));
  scenarios.push(simulateAutoscaler(jobs, parameters, alternatives.autoscaler));
  const { autoscaler } = alternatives;
  return {
    title,
    generatedAt: new Date(
      jobs.reduce((first, job) => Math.min(first, arrivalMs(job)), Infinity),
    ).toISOString(),
    parameters: {
      jobs: jobs.length,
      seed: parameters.seed,
      startup: startupLabel(parameters),
      spotDiscount: parameters.spotDiscount,
      interruptRate: parameters.interruptRate,
      onDemandUSDPerHour: parameters.onDemandUSDPerHour,
      idleCount: autoscaler.idleCount,
      idleTimeSeconds: autoscaler.idleTimeSeconds,
      maxUseCount: autoscaler.maxUseCount,
      managerUSDPerHour: autoscaler.managerUSDPerHour,
      autoscalerPricing: autoscaler.pricing,
    },
    scenarios,
  };
}

/** `stock: 54 s launch → job running`, or that the configured pools' images choose. */
function startupLabel(parameters: SimParameters): string {
  const own = `${parameters.startup.name}: ${launchToJobSeconds(parameters.startup)} s launch → job running`;
  return parameters.startupFromPools === true ? `each pool's image (else ${own})` : own;
}

function runnersOf(scenario: ScenarioResult): number {
  return scenario.summary.instancesLaunched.onDemand;
}
