import type { LambdaClient } from '@aws-sdk/client-lambda';
import { findStackLaunchSwitch, isLaunching, setLaunching } from '../aws/launching';
import type { DeployedStack } from '../aws/stack';

/** What `drain` or `resume` did to the launch switch, as their `--json` prints it. */
export interface LaunchingChange {
  readonly before: string;
  readonly after: string;
  /** False when launching already was as asked: then nothing was called. */
  readonly changed: boolean;
}

/**
 * Turns launching on or off through the scale-up Lambda's event source mapping on the demand
 * queue, and only when it is not so already, so that running `drain` or `resume` twice changes
 * nothing.
 * @throws StackOutputMissingError when the stack lacks an output; OperatorError when the mapping is gone.
 */
export async function switchLaunching(
  lambda: LambdaClient,
  stack: DeployedStack,
  enabled: boolean,
): Promise<LaunchingChange> {
  const launchSwitch = await findStackLaunchSwitch(lambda, stack);
  const changed = isLaunching(launchSwitch.state) !== enabled;
  const after = changed ? await setLaunching(lambda, launchSwitch.uuid, enabled) : launchSwitch.state;
  return { before: launchSwitch.state, after, changed };
}
