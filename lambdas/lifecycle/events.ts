import * as z from 'zod/mini';
import {
  type FINISHED_STATUSES,
  type LifecycleMessage,
  lifecycleMessageSchema,
} from '../shared/job-messages';

/** A GitLab status that ends a job. */
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/** An EC2 instance id: `i-` and 8 (older) or 17 hex digits. */
const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const instanceIdSchema = z.string().check(z.regex(INSTANCE_ID));

/**
 * EventBridge's "EC2 Spot Instance Interruption Warning", two minutes before EC2 reclaims a spot
 * instance. `resources` holds an ARN of an unusual form (`arn:aws:ec2:<az>:instance/…`), so the
 * instance is read from `detail`. `instance-action` is `terminate`, `stop` or `hibernate`; a
 * one-time spot instance is always terminated.
 */
const spotWarningSchema = z.looseObject({
  id: z.string(),
  source: z.literal('aws.ec2'),
  'detail-type': z.literal('EC2 Spot Instance Interruption Warning'),
  detail: z.looseObject({ 'instance-id': instanceIdSchema, 'instance-action': z.optional(z.string()) }),
});

/**
 * EventBridge's "EC2 Instance State-change Notification": `state` is one of pending, running,
 * stopping, stopped, shutting-down, terminated. EventBridge cannot filter on tags, so the rule
 * delivers every instance of the account and Region, not only this stack's.
 */
const stateChangeSchema = z.looseObject({
  id: z.string(),
  source: z.literal('aws.ec2'),
  'detail-type': z.literal('EC2 Instance State-change Notification'),
  detail: z.looseObject({ 'instance-id': instanceIdSchema, state: z.string() }),
});

const GONE_STATES = ['shutting-down', 'terminated'] as const;
type GoneState = (typeof GONE_STATES)[number];
const isGone = (state: string): state is GoneState => (GONE_STATES as readonly string[]).includes(state);
const shapeSchema = z.looseObject({ kind: z.optional(z.unknown()), 'detail-type': z.optional(z.unknown()) });

/** Something the lifecycle consumer acts on. */
export type LifecycleEvent =
  | { readonly kind: 'job'; readonly message: LifecycleMessage }
  | { readonly kind: 'spot-warning'; readonly instanceId: string }
  | {
      readonly kind: 'instance-gone';
      readonly instanceId: string;
      readonly state: GoneState;
    };

/** What a queue message body turned out to be. */
export type ParsedBody =
  | { readonly kind: 'event'; readonly event: LifecycleEvent }
  /** Readable, and needs nothing: an instance state Spotlab does not track. */
  | { readonly kind: 'ignored'; readonly reason: 'untracked_state' }
  /** Never readable, however often it is delivered. */
  | { readonly kind: 'invalid'; readonly problem: string };

/**
 * Reads one message body of the lifecycle queue: a lifecycle message from the webhook Lambda, or
 * an EC2 event that an EventBridge rule put on the same queue (the whole event is the body).
 */
export function parseLifecycleBody(body: string): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'invalid', problem: 'not JSON' };
  }
  const shape = shapeSchema.safeParse(json);
  if (!shape.success) return { kind: 'invalid', problem: 'not an object' };
  if (shape.data.kind === 'lifecycle') {
    const message = lifecycleMessageSchema.safeParse(json);
    return message.success
      ? { kind: 'event', event: { kind: 'job', message: message.data } }
      : { kind: 'invalid', problem: issuePaths(message.error) };
  }
  if (shape.data['detail-type'] === 'EC2 Spot Instance Interruption Warning') {
    const warning = spotWarningSchema.safeParse(json);
    return warning.success
      ? { kind: 'event', event: { kind: 'spot-warning', instanceId: warning.data.detail['instance-id'] } }
      : { kind: 'invalid', problem: issuePaths(warning.error) };
  }
  if (shape.data['detail-type'] === 'EC2 Instance State-change Notification') {
    const change = stateChangeSchema.safeParse(json);
    if (!change.success) return { kind: 'invalid', problem: issuePaths(change.error) };
    const { state, 'instance-id': instanceId } = change.data.detail;
    if (!isGone(state)) return { kind: 'ignored', reason: 'untracked_state' };
    return { kind: 'event', event: { kind: 'instance-gone', instanceId, state } };
  }
  return { kind: 'invalid', problem: 'neither a lifecycle message nor an EC2 event' };
}

function issuePaths(error: z.core.$ZodError): string {
  return error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
}
