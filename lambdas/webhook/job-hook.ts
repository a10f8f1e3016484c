import * as z from 'zod/mini';
import { RequestRefusedError } from './errors';

const id = z.int().check(z.positive());
const optionalText = z.optional(z.nullable(z.string()));
const optionalNumber = z.optional(z.nullable(z.number()));

/**
 * The fields of GitLab's Job Hook (`object_kind: "build"`) that Spotlab reads. Unknown fields are
 * tolerated because GitLab adds fields as it evolves; job ids exceed 2^31 on GitLab.com, which a
 * JS number holds exactly up to 2^53.
 */
export const jobHookSchema = z.looseObject({
  object_kind: z.literal('build'),
  build_id: id,
  build_name: z.string(),
  build_status: z.string(),
  build_created_at: optionalText,
  build_started_at: optionalText,
  build_finished_at: optionalText,
  build_duration: optionalNumber,
  build_queued_duration: optionalNumber,
  build_failure_reason: optionalText,
  retries_count: z.optional(z.int().check(z.nonnegative())),
  pipeline_id: z.optional(z.nullable(id)),
  project_id: id,
  runner: z.optional(z.nullable(z.looseObject({ id, description: optionalText }))),
});

/** A parsed Job Hook. */
export type JobHook = z.infer<typeof jobHookSchema>;

const objectKindSchema = z.looseObject({ object_kind: z.string() });

/** The outcome of reading a body: a Job Hook, or another GitLab event to acknowledge and drop. */
export type ParsedEvent = { readonly kind: 'job'; readonly hook: JobHook } | { readonly kind: 'other' };

/**
 * Parses a webhook body. Other GitLab event kinds are recognised and acknowledged so a webhook with
 * extra events ticked is not paused by GitLab for failing.
 * @throws RequestRefusedError `not_json` for unparseable bodies, `not_job_hook` for a Job Hook that
 * lacks what Spotlab needs or a JSON value that is no GitLab event.
 */
export function parseWebhookBody(body: Buffer): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestRefusedError('not_json');
  }
  const kind = objectKindSchema.safeParse(json);
  if (!kind.success) throw new RequestRefusedError('not_job_hook');
  if (kind.data.object_kind !== 'build') return { kind: 'other' };
  const hook = jobHookSchema.safeParse(json);
  if (!hook.success) throw new RequestRefusedError('not_job_hook');
  return { kind: 'job', hook: hook.data };
}
