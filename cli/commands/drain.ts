import { z } from 'zod';
import { StackOutput } from '../../lib/stack-outputs';
import { listFleet } from '../aws/fleet';
import { queueDepth } from '../aws/queues';
import { describeStack, requireOutput } from '../aws/stack';
import { defineCommand } from '../command';
import type { CliContext } from '../context';
import { remainingInstances } from '../drain/plan';
import { type DrainReport, renderDrain } from '../drain/render';
import { switchLaunching } from '../drain/switch';
import { durationSchema } from '../options';

/** `spotlab drain [--wait]`: stop launching, let running jobs finish, let the reaper take the rest. */
export const drainCommand = defineCommand({
  name: 'drain',
  help: `Usage: spotlab drain [--wait] [--timeout 30m] [--interval 15s] [options]

Disables the scale-up Lambda's event source mapping on the demand queue, so no instance is
launched. Nothing is lost: new pending jobs wait in the demand queue (retention 1 day), and a job
seen twice is launched once (the job table's claim). Running jobs finish and the lifecycle
consumer terminates their instances; the reaper terminates idle ones after their pool's idle
timeout. Prints what it did and the instances left. Running it again changes nothing.
\`spotlab resume\` launches again. GitLab fails a job left pending for an hour without a runner:
drain for maintenance windows, not for days.

  --wait            poll until no instance is left; exit 1 if --timeout runs out first
  --timeout <time>  how long --wait waits (default 30m; 90s, 15m, 2h)
  --interval <time> time between polls (default 15s)`,
  options: {
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    interval: { type: 'string' },
  },
  schema: z.object({
    wait: z.boolean().default(false),
    timeout: durationSchema.default(30 * 60),
    interval: durationSchema.default(15),
  }),
  async run(context, { common, own }, io) {
    const { aws } = context;
    const stack = await describeStack(aws.cloudFormation, context.stackName);
    const launching = await switchLaunching(aws.lambda, stack, false);
    const tableName = requireOutput(stack, StackOutput.jobTableName);
    const look = async () =>
      remainingInstances(context.config, await listFleet(aws.ec2, aws.dynamo, stack.name, tableName));
    let remaining = await look();
    let timedOut = false;
    if (own.wait) {
      // Bounded by the time slept, so the number of polls is known whatever the calls take.
      for (let slept = 0; remaining.length > 0 && !timedOut; slept += own.interval) {
        io.stderr(`waiting: ${remaining.length} instance(s) left, ${busy(remaining)} running a job\n`);
        timedOut = slept + own.interval > own.timeout;
        if (!timedOut) {
          await context.sleep(own.interval * 1000);
          remaining = await look();
        }
      }
    }
    const report: DrainReport = {
      launching,
      remaining,
      waited: own.wait,
      timedOut,
      demandWaiting: await demandWaiting(context, requireOutput(stack, StackOutput.demandQueueUrl)),
    };
    io.stdout(common.json ? `${JSON.stringify(report, null, 2)}\n` : renderDrain(report));
    return timedOut ? 1 : 0;
  },
});

const busy = (remaining: readonly { activity: string }[]) =>
  remaining.filter((r) => r.activity === 'running a job').length;

async function demandWaiting(context: CliContext, queueUrl: string): Promise<number | null> {
  try {
    const depth = await queueDepth(context.aws.sqs, queueUrl);
    return depth.waiting + depth.delayed;
  } catch {
    // A count for the operator's information; the drain itself is done.
    return null;
  }
}
