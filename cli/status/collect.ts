import { StackOutput } from '../../lib/stack-outputs';
import { listFleet } from '../aws/fleet';
import { findStackLaunchSwitch } from '../aws/launching';
import { queueDepth } from '../aws/queues';
import { describeStack, requireOutput } from '../aws/stack';
import type { CliContext } from '../context';
import { settle } from '../errors';
import { listSpotlabRunners } from '../gitlab/api';
import type { StatusFacts } from './report';

/**
 * Reads what `status` shows. The stack and its instances are required (an error ends the command);
 * the queues, the launch switch and GitLab are read side by side, each failure kept as its reason.
 */
export async function collectStatus(context: CliContext): Promise<StatusFacts> {
  const { aws } = context;
  const stack = await describeStack(aws.cloudFormation, context.stackName);
  const output = (name: Parameters<typeof requireOutput>[1]) => requireOutput(stack, name);
  const [fleet, launching, demand, demandDeadLetters, lifecycleDeadLetters, runners] = await Promise.all([
    listFleet(aws.ec2, aws.dynamo, stack.name, output(StackOutput.jobTableName)),
    settle(() => findStackLaunchSwitch(aws.lambda, stack)),
    settle(() => queueDepth(aws.sqs, output(StackOutput.demandQueueUrl))),
    settle(() => queueDepth(aws.sqs, output(StackOutput.demandDeadLetterQueueUrl))),
    settle(() => queueDepth(aws.sqs, output(StackOutput.lifecycleDeadLetterQueueUrl))),
    settle(async () => listSpotlabRunners((await context.gitlab()).client, context.config.runnerScope)),
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
