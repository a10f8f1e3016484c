/**
 * A burst spread over several Regions (or accounts), each a Spotlab stack of its own: its own
 * instance-launch and API buckets, its own queues and job table. Each Region here is an
 * independent simulated world serving an equal share of the burst; GitLab's API budget is the one
 * thing they share (one GitLab user's token, 2,000 calls a minute on GitLab.com).
 */
import { type BurstFigures, runBurst } from './burst';

/** What the burst cost across `regions` Regions. */
export interface RegionsFigures {
  readonly regions: number;
  readonly jobs: number;
  readonly launchedOnce: number;
  readonly expired: number;
  readonly atRisk: number;
  readonly lost: number;
  /** The last launch of the slowest Region. */
  readonly lastLaunchS: number;
  readonly webhookToLaunchP50S: number;
  readonly gitlabCallsPerJob: number;
  /** Every Region's GitLab calls over the burst's span: the shared user's budget. */
  readonly gitlabCallsPerMinute: number;
}

/** Runs `jobs` pending jobs split evenly over `regions` independent Spotlab stacks. */
export async function runRegions(jobs: number, regions: number): Promise<RegionsFigures> {
  const figures: BurstFigures[] = [];
  for (let region = 0; region < regions; region += 1) {
    const share = Math.floor(jobs / regions) + (region < jobs % regions ? 1 : 0);
    figures.push(await runBurst(share, { capsRaised: true }));
  }
  const sum = (pick: (f: BurstFigures) => number) => figures.reduce((total, f) => total + pick(f), 0);
  const spanMs = Math.max(...figures.map((f) => f.readySpanMs), 60_000);
  const gitlabCalls = sum((f) => f.gitlabCalls);
  return {
    regions,
    jobs,
    launchedOnce: sum((f) => f.jobsLaunchedOnce),
    expired: sum((f) => f.expired),
    atRisk: sum((f) => f.atRisk),
    lost: sum((f) => f.lostMessages),
    lastLaunchS: Math.round(Math.max(...figures.map((f) => f.launchSpanMs)) / 1000),
    // Equal shares of one burst: every Region's median is about the same.
    webhookToLaunchP50S: Math.round(Math.max(...figures.map((f) => f.webhookToLaunchP50Ms)) / 1000),
    gitlabCallsPerJob: Math.round((gitlabCalls / jobs) * 1000) / 1000,
    gitlabCallsPerMinute: Math.round(gitlabCalls / (spanMs / 60_000)),
  };
}
