import { StackOutput } from '../../lib/stack-outputs';
import { listFleet } from '../aws/fleet';
import { findStackLaunchSwitch } from '../aws/launching';
import { queueDepth } from '../aws/queues';
import { describeStack, requireOutput } from '../aws/stack';
import type { CliContext } from '../context';
import { settle } from '../failures';
import { listSpotlabRunners } from '../gitlab/api';
import type { StatusFacts } from './report';

/**
 * Reads what `status` shows. The stack and its instances are required (an error ends the command);
 * the queues, the launch switch and GitLab are read side by side, each failure kept as its reason.
 */
export async function collectStatus(context: CliContext): Promise<StatusFacts> {
  const { aws, network } = context;
  const stack = await describeStack(aws.cloudFormation, context.stackName);
  const output = (name: Parameters<typeof requireOutput>[1]) => requireOutput(stack, name);
  const [fleet, launching, demand, demandDeadLetters, lifecycleDeadLetters, runners] = await Promise.all([
    listFleet(aws.ec2, aws.dynamo, stack.name, output(StackOutput.jobTableName)),
    settle(() => findStackLaunchSwitch(aws.lambda, stack), network),
    settle(() => queueDepth(aws.sqs, output(StackOutput.demandQueueUrl)), network),
    settle(() => queueDepth(aws.sqs, output(StackOutput.demandDeadLetterQueueUrl)), network),
    settle(() => queueDepth(aws.sqs, output(StackOutput.lifecycleDeadLetterQueueUrl)), network),
    settle(
      async () => listSpotlabRunners((await context.gitlab()).client, context.config.runnerScope),
      network,
    ),
  ]);
  return {
    stackName: stack.name,
    stackStatus: stack.status,
    fleet,
    launching,
    demand,
    demandDeadLetters,
    lifecycleDeadLetters,
    runners,
  };
}
