import { DescribeInstancesCommand, type EC2Client, GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { readScaleUpEnv, type ScaleUpEnv } from '../../lambdas/scale-up/env';
import { TagKey } from '../../lambdas/shared/naming';

/** Tag on every instance `spotlab bench start-up` launches: the bench run it belongs to. */
export const BENCH_TAG = 'spotlab:bench';

const functionSchema = z.looseObject({
  Environment: z.looseObject({ Variables: z.record(z.string(), z.string()).optional() }).optional(),
});

/**
 * The deployed scale-up Lambda's settings (its pools with their launch templates, subnets, runner
 * scope, instance ARN prefix): what the stack wrote, so the bench launches exactly as scale-up does.
 */
export async function scaleUpSettings(lambda: LambdaClient, functionName: string): Promise<ScaleUpEnv> {
  const output = functionSchema.parse(
    await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })),
  );
  return readScaleUpEnv(output.Environment?.Variables ?? {});
}

const describeSchema = z.looseObject({
  Reservations: z
    .array(
      z.looseObject({
        Instances: z
          .array(
            z.looseObject({ InstanceId: z.string(), State: z.looseObject({ Name: z.string() }).optional() }),
          )
          .optional(),
      }),
    )
    .optional(),
  NextToken: z.string().optional(),
});

/** `DescribeInstances` by id: each instance's state (`pending`, `running`, …, `terminated`). */
export async function instanceStates(
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (instanceIds.length === 0) return states;
  let NextToken: string | undefined;
  do {
    const page = describeSchema.parse(
      await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...instanceIds], NextToken })),
    );
    for (const reservation of page.Reservations ?? [])
      for (const instance of reservation.Instances ?? [])
        states.set(instance.InstanceId, instance.State?.Name ?? 'unknown');
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return states;
}

/** Instances of bench run `runId` in any state but terminated: what the bench must not leave. */
export async function benchInstancesLeft(
  ec2: EC2Client,
  stackName: string,
  runId: string,
): Promise<string[]> {
  const left: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = describeSchema.parse(
      await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: `tag:${TagKey.stack}`, Values: [stackName] },
            { Name: `tag:${BENCH_TAG}`, Values: [runId] },
            {
              Name: 'instance-state-name',
              Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
            },
          ],
          NextToken,
        }),
      ),
    );
    for (const reservation of page.Reservations ?? [])
      for (const instance of reservation.Instances ?? []) left.push(instance.InstanceId);
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return left;
}

const consoleSchema = z.looseObject({ Output: z.string().optional() });

/**
 * The instance's serial console output, decoded. EC2 keeps it for a while after the instance is
 * gone; cloud-init copies the user data's output there, the bootstrap's `start-up:` line included.
 */
export async function consoleOutput(ec2: EC2Client, instanceId: string): Promise<string> {
  const output = consoleSchema.parse(await ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId })));
  return output.Output === undefined ? '' : Buffer.from(output.Output, 'base64').toString('utf8');
}
