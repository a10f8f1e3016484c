import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Context key under which a `SpotlabRunners` construct publishes its name to its children. */
export const SPOTLAB_NAME_CONTEXT = 'spotlab:name';

/**
 * The name of the Spotlab this construct belongs to: the value of the `spotlab:stack` tag every
 * instance carries, the prefix of its SSM parameters, alarms, dashboard and budget. The Lambdas
 * find their instances and tokens by it, so two Spotlabs in one stack or account must differ here.
 * Outside a `SpotlabRunners` (a part built alone in a test), it is the stack's name.
 */
export function spotlabName(scope: IConstruct): string {
  // Context is looked up from the construct towards the root: the nearest SpotlabRunners wins.
  const name: unknown = scope.node.tryGetContext(SPOTLAB_NAME_CONTEXT);
  return typeof name === 'string' ? name : Stack.of(scope).stackName;
}
