/**
 * Names shared by the stack (`lib/`), the Lambdas and the bootstrap script: tag keys, parameter
 * paths. The reaper finds what Spotlab made by these, so they never change silently.
 */

/** Tag keys on every instance (and its volumes) Spotlab launches. */
export const TagKey = {
  /** Stack name; the IAM conditions on launch/terminate/tag key on it. Also the cost-allocation tag. */
  stack: 'spotlab:stack',
  pool: 'spotlab:pool',
  /** The GitLab job whose `pending` event triggered the launch (any matching job may run on it). */
  jobId: 'spotlab:job-id',
  projectId: 'spotlab:project-id',
  /** GitLab runner id, added once the runner exists. */
  runnerId: 'spotlab:runner-id',
  lifecycle: 'spotlab:lifecycle',
  /**
   * `ready` on an instance the reaper launched as warm capacity: its bootstrap reads the tag from
   * instance metadata and waits for its token without a time limit.
   */
  warm: 'spotlab:warm',
} as const;

/** Prefix of the SecureString parameters that carry one runner token each, per stack. */
export function runnerTokenPrefix(stackName: string): string {
  return `/spotlab/${stackName}/runner-token`;
}

/** The parameter holding the runner token of `instanceId`: read once by that instance, then deleted. */
export function runnerTokenParameter(stackName: string, instanceId: string): string {
  return `${runnerTokenPrefix(stackName)}/${instanceId}`;
}

/**
 * Tag on each runner token parameter: the ARN of the one instance that may read and delete it.
 * The instance role's policy compares it with `${ec2:SourceInstanceARN}` (lib/constructs/runner-fleet.ts),
 * because a parameter name cannot hold an ARN and IAM has no bare instance-id variable.
 */
export const RUNNER_TOKEN_OWNER_TAG = 'spotlab:instance-arn';

/** ARN of `instanceId`, given `arn:<partition>:ec2:<region>:<account>:instance/` (as the stack passes it). */
export function instanceArn(instanceArnPrefix: string, instanceId: string): string {
  return `${instanceArnPrefix}${instanceId}`;
}
