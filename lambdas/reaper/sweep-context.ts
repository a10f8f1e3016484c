import type { DemandQueue } from '../shared/adapters/sqs-queue';
import { GitlabAuthError } from '../shared/gitlab/errors';
import type { JobSweepView } from '../shared/job-table/views';
import type { PriceList } from '../shared/prices';
import type { RunnerScope } from '../shared/runner-scope';
import type { ReapingSettings } from './decide-reaping';
import type { WarmDeps } from './keep-warm';
import type { ReaperObserver, ReaperStage } from './observer';
import type { ReaperFleet, ReaperGitlab, TokenParameters } from './ports';
import type { RunnerPageCursor } from './runner-page-cursor';

/** The sweep's settings, from the environment. */
export interface SweepSettings extends ReapingSettings {
  readonly prices: PriceList;
  /** Projects to poll besides those in the job table. */
  readonly projectIds: readonly number[];
  readonly pendingGraceSeconds: number;
  /**
   * GitLab API pages each listing may read per sweep: the lost-demand listing over all projects,
   * and the runner listing.
   */
  readonly maxPagesPerSweep: number;
  /** Where scale-up registers runners: the runner listing's type. */
  readonly runnerScope: RunnerScope;
}

/** Everything a sweep talks to, passed in so tests and the simulator swap them. */
export interface SweepDeps {
  readonly fleet: ReaperFleet;
  readonly table: JobSweepView;
  readonly tokens: TokenParameters;
  readonly gitlab: ReaperGitlab;
  readonly queue: DemandQueue;
  readonly observer: ReaperObserver;
  readonly settings: SweepSettings;
  /** Where the runner listing resumes; one per warm Lambda (or simulation). */
  readonly runnerPages: RunnerPageCursor;
  readonly now: () => number;
  /** Pools with warm capacity: their ready instances are kept, and not reaped. Absent: none. */
  readonly warm?: WarmDeps;
}

/**
 * Per-sweep bookkeeping: failures are counted, never thrown, so one failing item never stops the
 * sweep; a refused GitLab token stops only the GitLab steps (every further call would be refused
 * too, and each refusal counts against GitLab's rate limit for failed authentication).
 */
export class SweepRun {
  failures = 0;
  private gitlabRefused = false;

  constructor(private readonly observer: ReaperObserver) {}

  /** False once GitLab refused the token in this sweep. */
  get gitlabUsable(): boolean {
    return !this.gitlabRefused;
  }

  /** Runs `step`: its value, boxed; a failure is reported and counted, and answers undefined. */
  async attempt<T>(
    stage: ReaperStage,
    subject: string | number | undefined,
    step: () => Promise<T>,
  ): Promise<{ readonly value: T } | undefined> {
    try {
      return { value: await step() };
    } catch (error) {
      this.failures += 1;
      if (error instanceof GitlabAuthError && !this.gitlabRefused) {
        this.gitlabRefused = true;
        this.observer.gitlabAuthFailure(error.status);
      }
      this.observer.failed(stage, subject, error);
      return undefined;
    }
  }
}
