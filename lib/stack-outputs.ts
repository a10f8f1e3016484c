import { createHash } from 'node:crypto';
import type { SpotlabConfig } from './config/schema';

/**
 * Names of the stack's CloudFormation outputs. `cdk deploy` prints them and the operator CLI
 * (`npx spotlab`) finds the deployed resources by them, so they never change silently.
 */
export const StackOutput = {
  webhookUrl: 'WebhookUrl',
  cacheBucketName: 'CacheBucketName',
  /** SHA-256 of the validated configuration: `spotlab doctor` compares it with the local file. */
  configHash: 'ConfigHash',
  jobTableName: 'JobTableName',
  demandQueueUrl: 'DemandQueueUrl',
  demandQueueArn: 'DemandQueueArn',
  demandDeadLetterQueueUrl: 'DemandDeadLetterQueueUrl',
  lifecycleDeadLetterQueueUrl: 'LifecycleDeadLetterQueueUrl',
  /** The scale-up Lambda: `spotlab drain` disables its event source mapping on the demand queue. */
  scaleUpFunctionName: 'ScaleUpFunctionName',
  /** The runners' subnets, comma-separated: `spotlab doctor` checks the pools' types in their zones. */
  subnetIds: 'SubnetIds',
} as const;

/**
 * SHA-256 (hex) of a validated configuration, defaults filled in, keys sorted at every level: the
 * same settings give the same hash whatever the file's order, comments or omitted defaults.
 */
export function configHash(config: Readonly<SpotlabConfig>): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
