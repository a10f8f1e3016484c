import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_RUNTIME, lambdaBundling, lambdaEntry, prebuiltLambda } from '../bundling';

/** Options of {@link createSpotlabFunction}. */
export interface SpotlabFunctionOptions {
  /** Folder under `lambdas/` whose `handler.ts` is the entry point. */
  readonly lambda: string;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  /**
   * More memory buys CPU, which shortens cold starts.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Retention of the function's logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Concurrent executions set aside for this function, and its ceiling.
   * @default - none: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
}

/** A Spotlab Lambda with its own role and log group. */
export interface SpotlabFunction {
  readonly function: LambdaFunction;
  readonly role: Role;
}

/**
 * Creates a Lambda the way every Spotlab function is made (children `FunctionLogs`, `Role` and
 * `Function` of `scope`): arm64, the shared runtime and bundling, a log group with retention, and an
 * explicit role that may write only to that log group, instead of the AWSLambdaBasicExecutionRole
 * managed policy, which may write to every log group in the account.
 */
export function createSpotlabFunction(scope: Construct, options: SpotlabFunctionOptions): SpotlabFunction {
  const logGroup = new LogGroup(scope, 'FunctionLogs', {
    retention: options.logRetention ?? RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new Role(scope, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const settings = {
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: options.memorySize ?? 512,
    timeout: options.timeout,
    role,
    logGroup,
    environment: { POWERTOOLS_LOG_LEVEL: 'INFO', ...options.environment },
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
  };
  // The published package ships the bundles `npm run build:lib` made (with the same settings): a
  // host app then needs neither esbuild nor the Lambdas' sources and dependencies.
  const prebuilt = prebuiltLambda(options.lambda);
  const fn =
    prebuilt === undefined
      ? new NodejsFunction(scope, 'Function', {
          ...settings,
          entry: lambdaEntry(options.lambda),
          bundling: lambdaBundling(),
        })
      : new LambdaFunction(scope, 'Function', {
          ...settings,
          code: Code.fromAsset(prebuilt),
          handler: 'index.handler',
        });
  logGroup.grantWrite(role);
  return { function: fn, role };
}
