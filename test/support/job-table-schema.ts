import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  JOB_TABLE_INSTANCE_INDEX,
  JOB_TABLE_INSTANCE_KEY,
  JOB_TABLE_KEY,
  JOB_TABLE_LAUNCH_INDEX,
  JOB_TABLE_LAUNCH_KEY,
  JOB_TABLE_LAUNCH_PROJECTION,
  JOB_TABLE_OPEN_INDEX,
  JOB_TABLE_OPEN_KEY,
  JOB_TABLE_OPEN_PROJECTION,
} from '../../lambdas/shared/job-table/keys';

/**
 * Creates the job table `name` as the stack does (`lib/constructs/job-table.ts`): the lifecycle
 * consumer's two indexes and the reaper's sparse open one. For dynalite (tests, `bench/`).
 */
export async function createJobTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: JOB_TABLE_KEY, AttributeType: 'N' },
        { AttributeName: JOB_TABLE_INSTANCE_KEY, AttributeType: 'S' },
        { AttributeName: JOB_TABLE_LAUNCH_KEY, AttributeType: 'S' },
        { AttributeName: JOB_TABLE_OPEN_KEY, AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: JOB_TABLE_KEY, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: JOB_TABLE_INSTANCE_INDEX,
          KeySchema: [{ AttributeName: JOB_TABLE_INSTANCE_KEY, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: JOB_TABLE_LAUNCH_INDEX,
          KeySchema: [{ AttributeName: JOB_TABLE_LAUNCH_KEY, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...JOB_TABLE_LAUNCH_PROJECTION] },
        },
        {
          IndexName: JOB_TABLE_OPEN_INDEX,
          KeySchema: [{ AttributeName: JOB_TABLE_OPEN_KEY, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...JOB_TABLE_OPEN_PROJECTION] },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${name} never became ACTIVE`);
}
