import { z } from 'zod';
import { benchStartup } from '../bench/start-up';
import { renderStageFigures, stageFigures } from '../bench/start-up-stats';
import { defineCommand } from '../command';
import { durationSchema } from '../options';

/**
 * Where the SDK's default chain would find credentials, as far as the environment tells: the
 * bench launches instances, so it refuses to start on a guess.
 */
export function credentialSource(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const names = [
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  ];
  return names.find((name) => (env[name] ?? '') !== '');
}

/** `spotlab bench start-up`: measures a pool's start-up on real instances (docs/startup.md). */
export const benchStartupCommand = defineCommand({
  name: 'bench start-up',
  help: `Usage: spotlab bench start-up --pool <name> --count <n> [--project <id>] [--timeout 20m] [options]

Launches n instances of the pool through the deployed stack (its launch template, subnets and
tags, as scale-up launches them), registers a locked runner for each with a tag no job uses, and
writes its token parameter. Each instance boots, reads its token, gets docker and gitlab-runner
ready and asks GitLab for a job; none comes, so after the pool's idle timeout its runner exits,
the bootstrap reports its Spotlab/Startup stages, deletes the runner and powers off. Prints each
stage's p50/p95, then terminates whatever is left and checks that no instance, runner or token
parameter of the run remains. Costs n instances for about the idle timeout. The runner asking →
job running stage needs a real job: \`npm run test:live\` measures it.

Needs AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) and the GitLab token the other commands
use (GITLAB_TOKEN, else the stack's SSM parameter).

  --pool <name>     the pool to launch
  --count <n>       instances to launch (1–20)
  --project <id>    the project the runners are registered for (runnerScope "project")
  --timeout <time>  how long the instances may take to report and power off (default 20m)`,
  options: {
    pool: { type: 'string' },
    count: { type: 'string' },
    project: { type: 'string' },
    timeout: { type: 'string' },
  },
  schema: z.object({
    pool: z.string({ error: 'is required' }).min(1),
    count: z.coerce.number({ error: 'must be a number' }).int().min(1).max(20),
    project: z.coerce.number().int().positive().optional(),
    timeout: durationSchema.default(20 * 60),
  }),
  async run(context, { common, own }, io) {
    if (credentialSource(io.env) === undefined) {
      io.stderr(
        'spotlab bench start-up: needs AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID); nothing was launched\n',
      );
      return 1;
    }
    const { aws } = context;
    const session = await context.gitlab();
    const result = await benchStartup(
      {
        stackName: context.stackName,
        cfn: aws.cloudFormation,
        ec2: aws.ec2,
        ssm: aws.ssm,
        lambda: aws.lambda,
        runners: session.runners,
        now: context.now,
        sleep: context.sleep,
        log: (line) => io.stderr(`spotlab bench start-up: ${line}\n`),
      },
      { pool: own.pool, count: own.count, projectId: own.project, timeoutMs: own.timeout * 1000 },
    );
    const figures = stageFigures(result.instances);
    if (common.json) io.stdout(`${JSON.stringify({ ...result, stages: figures }, null, 2)}\n`);
    else {
      io.stdout(renderStageFigures(figures));
      for (const error of result.launchErrors) io.stdout(`not launched: ${error.code} ${error.message}\n`);
      io.stdout(
        result.instancesLeft.length === 0
          ? 'cleaned up: no instance of the run is left\n'
          : `LEFT: ${result.instancesLeft.join(', ')} (terminate them; the reaper will too)\n`,
      );
    }
    const reported = result.instances.filter((i) => i.reported !== undefined).length;
    return result.instancesLeft.length === 0 && reported > 0 ? 0 : 1;
  },
});
