import { arrivalMs, type TraceJob } from '../model';
import type { ListedJob } from './gitlab-jobs';

/** How far an export has got, after each page. */
export interface ExportProgress {
  readonly pages: number;
  readonly jobs: number;
  readonly skipped: number;
  /** Creation time of the oldest job seen so far (ms since the epoch). */
  readonly reachedMs: number | undefined;
}

/** The jobs of a trace in the order they were queued, and how many listed jobs had nothing to replay. */
export interface ExportedTrace {
  readonly jobs: TraceJob[];
  /** Jobs that never started (no duration), e.g. cancelled while pending. */
  readonly skipped: number;
}

/**
 * Turns the project's finished jobs, newest first, into a trace of those created since `sinceMs`.
 * GitLab lists newest first, so paging stops after the first page that reaches older jobs.
 */
export async function exportTrace(
  pages: AsyncIterable<readonly ListedJob[]>,
  projectId: number,
  sinceMs: number,
  onProgress: (progress: ExportProgress) => void = () => {},
): Promise<ExportedTrace> {
  const jobs: TraceJob[] = [];
  let skipped = 0;
  let pageCount = 0;
  let reachedMs: number | undefined;
  for await (const page of pages) {
    pageCount += 1;
    let older = false;
    for (const listed of page) {
      const createdAtMs = Date.parse(listed.created_at);
      reachedMs = Math.min(reachedMs ?? createdAtMs, createdAtMs);
      if (createdAtMs < sinceMs) {
        older = true;
        continue;
      }
      const job = toTraceJob(listed, projectId, createdAtMs);
      if (job === undefined) skipped += 1;
      else jobs.push(job);
    }
    onProgress({ pages: pageCount, jobs: jobs.length, skipped, reachedMs });
    if (older || page.length === 0) break;
  }
  jobs.sort((a, b) => arrivalMs(a) - arrivalMs(b));
  return { jobs, skipped };
}

function toTraceJob(listed: ListedJob, projectId: number, createdAtMs: number): TraceJob | undefined {
  if (listed.duration === null || listed.duration === undefined) return undefined;
  const startedAtMs = listed.started_at ? Date.parse(listed.started_at) : Number.NaN;
  // `queued_duration` is the time the job waited in the runner queue before it started, so the job
  // was queued at start minus that; a later-stage job is created long before it is queued.
  const queuedAtMs =
    Number.isNaN(startedAtMs) || listed.queued_duration == null
      ? undefined
      : Math.max(createdAtMs, Math.round(startedAtMs - listed.queued_duration * 1000));
  return {
    project: projectId,
    createdAtMs,
    durationSeconds: Math.round(listed.duration * 1000) / 1000,
    tags: listed.tag_list,
    name: listed.name,
    ...(queuedAtMs === undefined ? {} : { queuedAtMs }),
  };
}
