import { StartupStage } from '../../lambdas/shared/metric-names';
import { percentile, round } from '../../planner/stats';
import { formatTable } from '../table';

/**
 * What one bench instance measured: EC2's launch → running as the bench saw it, and the stages
 * its bootstrap reported (seconds; undefined when the instance never got that far).
 */
export interface InstanceStartup {
  readonly instanceId: string;
  /** CreateFleet called → DescribeInstances first saw `running` (the bench polls every 2 s). */
  readonly runningSeconds?: number;
  /** The bootstrap's own figures, from its `start-up:` line. */
  readonly reported?: ReportedStages;
}

/** The stages of the `Spotlab/Startup` telemetry, as one bootstrap reported them. */
export interface ReportedStages {
  readonly boot: number;
  readonly token: number;
  readonly tools: number;
  /** Tools ready → gitlab-runner asking for its job. */
  readonly runner: number;
  /** Kernel boot → gitlab-runner asking: the `total` the start-up alarm watches. */
  readonly total: number;
}

// runner-bootstrap.sh's report_startup logs this beside its PutMetricData call, to the console.
const LINE = /spotlab: start-up: boot ([\d.]+)s, token at ([\d.]+)s, tools at ([\d.]+)s, runner at ([\d.]+)s/;

/**
 * The stages of the bootstrap's `start-up:` line in an instance's console output (seconds since
 * kernel boot at each mark), or undefined when the instance never reached it.
 */
export function parseStartupLine(consoleText: string): ReportedStages | undefined {
  const match = LINE.exec(consoleText);
  if (match === null) return undefined;
  const [started, tokenAt, toolsAt, runnerAt] = match.slice(1).map(Number);
  if (started === undefined || tokenAt === undefined || toolsAt === undefined || runnerAt === undefined)
    return undefined;
  return {
    boot: started,
    token: round(tokenAt - started, 2),
    tools: round(toolsAt - tokenAt, 2),
    runner: round(runnerAt - toolsAt, 2),
    total: runnerAt,
  };
}

/** One stage's figures over the bench's instances. */
export interface StageFigures {
  readonly stage: string;
  readonly span: string;
  readonly count: number;
  readonly p50s: number;
  readonly p95s: number;
}

const ROWS: readonly { stage: string; span: string; pick: (i: InstanceStartup) => number | undefined }[] = [
  { stage: 'running', span: 'launch requested → instance running', pick: (i) => i.runningSeconds },
  { stage: StartupStage.boot, span: 'kernel boot → bootstrap started', pick: (i) => i.reported?.boot },
  { stage: StartupStage.token, span: 'bootstrap started → token read', pick: (i) => i.reported?.token },
  { stage: StartupStage.tools, span: 'token read → tools ready', pick: (i) => i.reported?.tools },
  { stage: 'runner', span: 'tools ready → runner asking', pick: (i) => i.reported?.runner },
  { stage: StartupStage.total, span: 'kernel boot → runner asking', pick: (i) => i.reported?.total },
];

/** p50 and p95 of each stage over the instances that reported it (nearest rank). */
export function stageFigures(instances: readonly InstanceStartup[]): StageFigures[] {
  return ROWS.map(({ stage, span, pick }) => {
    const values = instances.map(pick).filter((v): v is number => v !== undefined);
    return {
      stage,
      span,
      count: values.length,
      p50s: round(percentile(values, 50), 1),
      p95s: round(percentile(values, 95), 1),
    };
  });
}

/** The figures as the bench prints them. */
export function renderStageFigures(figures: readonly StageFigures[]): string {
  return formatTable(
    ['stage', 'span', 'instances', 'p50 s', 'p95 s'],
    figures.map((f) => [
      f.stage,
      f.span,
      f.count,
      f.count === 0 ? '-' : f.p50s,
      f.count === 0 ? '-' : f.p95s,
    ]),
  );
}
