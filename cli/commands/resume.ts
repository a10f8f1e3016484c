import { z } from 'zod';
import { describeStack } from '../aws/stack';
import { defineCommand } from '../command';
import { switchLaunching } from '../drain/switch';

/** `spotlab resume`: undoes `spotlab drain`. */
export const resumeCommand = defineCommand({
  name: 'resume',
  help: `Usage: spotlab resume [options]

Re-enables the scale-up Lambda's event source mapping on the demand queue: the jobs that waited
there are launched (each is checked with GitLab first, so one that ended meanwhile is skipped).
Running it when launching is enabled changes nothing.`,
  options: {},
  schema: z.object({}),
  async run(context, { common }, io) {
    const { aws } = context;
    const stack = await describeStack(aws.cloudFormation, context.stackName);
    const launching = await switchLaunching(aws.lambda, stack, true);
    io.stdout(
      common.json
        ? `${JSON.stringify({ launching }, null, 2)}\n`
        : launching.changed
          ? `Launching enabled (scale-up event source mapping: ${launching.before} -> ${launching.after}).\n`
          : `Launching was already enabled (${launching.before}); nothing changed.\n`,
    );
    return 0;
  },
});
