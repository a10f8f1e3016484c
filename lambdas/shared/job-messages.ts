import * as z from 'zod/mini';

/**
 * Messages the webhook Lambda puts on SQS and the consumers read back. Both sides parse them with
 * these schemas, so a change of shape fails tests instead of production. zod/mini keeps the
 * webhook bundle small (see bench/webhook.ts).
 */

/** GitLab job statuses that end a job; a job never leaves them. */
export const FINISHED_STATUSES = ['success', 'failed', 'canceled'] as const;
/** Statuses the lifecycle consumer acts on. */
export const LIFECYCLE_STATUSES = ['running', ...FINISHED_STATUSES] as const;

const jobId = z.int().check(z.positive());
const isoTimestamp = z.nullable(z.string());

const common = {
  /** Schema version, so a consumer can refuse what a newer webhook Lambda wrote. */
  v: z.literal(1),
  jobId,
  projectId: jobId,
  pipelineId: z.nullable(jobId),
  jobName: z.string(),
  /** `Idempotency-Key` of the delivery, else `<build_id>:<build_status>`. */
  idempotencyKey: z.string().check(z.minLength(1), z.maxLength(128)),
  /** When the webhook Lambda received the event (ISO 8601), for webhook-to-launch latency. */
  receivedAt: z.string(),
  queuedDurationSeconds: z.nullable(z.number()),
};

/** A job entered GitLab's runner queue: capacity may be needed. */
export const demandMessageSchema = z.object({
  ...common,
  kind: z.literal('demand'),
  status: z.literal('pending'),
  retriesCount: z.int().check(z.nonnegative()),
  createdAt: isoTimestamp,
  /**
   * Times scale-up re-sent this demand with a delay to wait for the launch rate or a cap. A re-sent
   * message is a new SQS message: waiting this way spends none of the receives before the DLQ.
   */
  deferrals: z.optional(z.int().check(z.nonnegative())),
  /** What GitLab answered when scale-up last read the job, so a wait costs no second read. */
  checked: z.optional(z.object({ at: z.string(), tagList: z.array(z.string()) })),
});

/** A runner took a job, or the job ended: the lifecycle consumer cleans up after it. */
export const lifecycleMessageSchema = z.object({
  ...common,
  kind: z.literal('lifecycle'),
  status: z.enum(LIFECYCLE_STATUSES),
  runnerId: z.nullable(jobId),
  /**
   * Spotlab describes its runners after the job they were created for (`spotlab job <id>`): a
   * pointer into the job table, which alone ties the runner to an instance.
   */
  runnerDescription: z.nullable(z.string()),
  startedAt: isoTimestamp,
  finishedAt: isoTimestamp,
  durationSeconds: z.nullable(z.number()),
  failureReason: z.nullable(z.string()),
});

/** Demand for a runner, from a `pending` Job Hook. */
export type DemandMessage = z.infer<typeof demandMessageSchema>;
/** A job's progress after `pending`, from a `running`/`success`/`failed`/`canceled` Job Hook. */
export type LifecycleMessage = z.infer<typeof lifecycleMessageSchema>;
/** Any message the webhook Lambda enqueues. */
export type JobMessage = DemandMessage | LifecycleMessage;
