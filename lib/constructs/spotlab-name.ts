import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { metricsNamespaceOf, startupNamespaceOf } from '../../lambdas/shared/metric-names';

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

/** The CloudWatch namespaces of one Spotlab's metrics (`Spotlab` and `Spotlab/Startup` shipped). */
export interface MetricNamespaces {
  /** What its Lambdas write (EMF). */
  readonly lambdas: string;
  /** What its runner VMs write (start-up stages), and all their role may write. */
  readonly startup: string;
}

/**
 * The namespaces of the Spotlab `scope` belongs to, from its {@link spotlabName}: the Lambdas get
 * them in their environment, the VMs in their user data, and alarms and dashboard as an argument.
 */
export function spotlabMetricNamespaces(scope: IConstruct): MetricNamespaces {
  const lambdas = metricsNamespaceOf(spotlabName(scope));
  return { lambdas, startup: startupNamespaceOf(lambdas) };
}
