import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { describeStackInstances } from '../../lambdas/shared/adapters/ec2-stack-instances';
import { jobItemSchema } from '../../lambdas/shared/job-table/item';
import { JOB_TABLE_INSTANCE_INDEX } from '../../lambdas/shared/job-table/keys';
import { mapLimit } from '../../lambdas/shared/map-limit';
import { TagKey } from '../../lambdas/shared/naming';

/** Every state but `terminated`: an instance in any of them is still there (and may still bill). */
const PRESENT_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

const instanceSchema = z.looseObject({
  InstanceId: z.string(),
  InstanceType: z.string().optional(),
  LaunchTime: z.date(),
  State: z.looseObject({ Name: z.string() }).optional(),
  // EC2 sets `spot` (or `scheduled`, `capacity-block`) and omits it for on-demand instances.
  InstanceLifecycle: z.string().optional(),
  Tags: z.array(z.looseObject({ Key: z.string().optional(), Value: z.string().optional() })).optional(),
});

const jobPageSchema = z.looseObject({ Items: z.array(z.record(z.string(), z.unknown())).optional() });

/** One of the stack's instances, with the job the job table or its tags tie it to. */
export interface FleetInstance {
  readonly instanceId: string;
  readonly pool: string;
  readonly instanceType: string;
  readonly state: string;
  readonly spot: boolean;
  readonly launchedAtMs: number;
  /** The job running there (job table), else the job whose demand launched it (instance tag). */
  readonly job?: { readonly id: number; readonly state: string; readonly source: 'job table' | 'tag' };
  /** The job whose demand launched it (`spotlab:job-id` tag): its runner is described `spotlab job <id>`. */
  readonly launchJobId?: number;
}

/**
 * The stack's instances in every state but terminated (DescribeInstances by the stack tag), each
 * with its job: the `byInstance` index of the job table names the job that ran or runs there
 * once its `running` webhook came; before that, the `spotlab:job-id` tag names the job whose demand
 * launched it (a runner takes any job its tags cover, so that may not be the one it runs).
 */
export async function listFleet(
  ec2: EC2Client,
  dynamo: DynamoDBClient,
  stackName: string,
  tableName: string,
): Promise<FleetInstance[]> {
  const raw = await describeStackInstances(ec2, stackName, PRESENT_STATES);
  const instances = raw.map((instance) => instanceSchema.parse(instance));
  // A few queries at a time: the index shares the table's on-demand throughput with the Lambdas.
  return mapLimit(instances, 8, async (instance) => {
    const tag = (key: string) => instance.Tags?.find((t) => t.Key === key)?.Value;
    const recorded = await jobOnInstance(dynamo, tableName, instance.InstanceId);
    const taggedJob = Number(tag(TagKey.jobId));
    const job =
      recorded ??
      (Number.isSafeInteger(taggedJob) && taggedJob > 0
        ? { id: taggedJob, state: 'launched', source: 'tag' as const }
        : undefined);
    return {
      instanceId: instance.InstanceId,
      pool: tag(TagKey.pool) ?? 'unknown',
      instanceType: instance.InstanceType ?? 'unknown',
      state: instance.State?.Name ?? 'unknown',
      spot: instance.InstanceLifecycle === 'spot',
      launchedAtMs: instance.LaunchTime.getTime(),
      ...(job === undefined ? {} : { job }),
      ...(Number.isSafeInteger(taggedJob) && taggedJob > 0 ? { launchJobId: taggedJob } : {}),
    };
  });
}

/** The latest job the job table places on `instanceId` (an instance runs one job, so usually one). */
async function jobOnInstance(
  dynamo: DynamoDBClient,
  tableName: string,
  instanceId: string,
): Promise<FleetInstance['job']> {
  const page = jobPageSchema.parse(
    await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: JOB_TABLE_INSTANCE_INDEX,
        KeyConditionExpression: 'instanceId = :instance',
        ExpressionAttributeValues: { ':instance': { S: instanceId } },
      }),
    ),
  );
  const jobs = (page.Items ?? []).flatMap((item) => {
    const parsed = jobItemSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  // A running job outranks one that finished there (a later retry or a stale record).
  const chosen = jobs.find((j) => j.state.S === 'running') ?? jobs.at(-1);
  return chosen === undefined
    ? undefined
    : { id: Number(chosen.jobId.N), state: chosen.state.S, source: 'job table' };
}
