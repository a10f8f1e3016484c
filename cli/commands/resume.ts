import { z } from 'zod';
import { StackOutput } from '../../lib/stack-outputs';
import { findLaunchSwitch, isLaunching, setLaunching } from '../aws/launching';
import { describeStack, requireOutput } from '../aws/stack';
import { defineCommand } from '../command';

/** `spotlab resume`: undoes `spotlab drain`. */
export const resumeCommand = defineCommand({
  name: 'resume',
  summary: 'launch instances again after `spotlab drain`',
  help: `Usage: spotlab resume [options]

Re-enables the scale-up Lambda's event source mapping on the demand queue: the jobs that waited
there are launched (each is checked with GitLab first, so one that ended meanwhile is skipped).
Running it when launching is enabled changes nothing.`,
  options: {},
  schema: z.object({}),
  async run(context, { common }, io) {
    const { aws } = context;
    const stack = await describeStack(aws.cloudFormation, context.stackName);
    const launchSwitch = await findLaunchSwitch(
      aws.lambda,
      requireOutput(stack, StackOutput.scaleUpFunctionName),
      requireOutput(stack, StackOutput.demandQueueArn),
    );
    const changed = !isLaunching(launchSwitch.state);
    const after = changed ? await setLaunching(aws.lambda, launchSwitch.uuid, true) : launchSwitch.state;
    const report = { launching: { before: launchSwitch.state, after, changed } };
    io.stdout(
      common.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : changed
          ? `Launching enabled (scale-up event source mapping: ${launchSwitch.state} -> ${after}).\n`
          : `Launching was already enabled (${launchSwitch.state}); nothing changed.\n`,
    );
    return 0;
  },
});
