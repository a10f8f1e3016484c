import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeleteParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runnerTokenPrefix, TagKey } from '../../lambdas/shared/naming';
import { type LiveEnv, liveEnv } from './live-env';

const settings = liveEnv(process.env);
const skip = 'skip' in settings ? settings.skip : undefined;
// Said once, plainly: a skipped live run must not read as a passed one.
if (skip !== undefined) console.warn(`npm run test:live: ${skip}`);

const MINUTE = 60_000;
const stackName = `SpotlabLive${Date.now().toString(36)}`;
const apiTokenParameter = `/${stackName}/gitlab-api-token`;
const webhookSecretParameter = `/${stackName}/webhook-secret`;

/** The shipped configuration with a throwaway stack name and the live GitLab. */
function writeConfig(live: LiveEnv): string {
  const shipped = z
    .record(z.string(), z.unknown())
    .parse(parseJsonc(readFileSync('spotlab.config.json', 'utf8')));
  const gitlab = z.record(z.string(), z.unknown()).parse(shipped.gitlab);
  const config = {
    ...shipped,
    stackName,
    gitlab: { ...gitlab, url: live.gitlabUrl, apiTokenParameter, webhookSecretParameter },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'spotlab-live-')), 'spotlab.config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function run(command: string, args: readonly string[], env: Record<string, string> = {}): string {
  return execFileSync('npx', [command, ...args], {
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function gitlab(live: LiveEnv, method: string, path: string): Promise<unknown> {
  const response = await fetch(`${live.gitlabUrl}/api/v4${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': live.token },
  });
  if (!response.ok) throw new Error(`GitLab ${method} ${path}: HTTP ${response.status}`);
  return response.status === 204 ? null : response.json();
}

async function until<T>(what: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  for (let waited = 0; ; waited += 15_000) {
    const value = await what();
    if (done(value) || waited >= timeoutMs) return value;
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
}

describe.skipIf(skip !== undefined)('a throwaway Spotlab stack running a real GitLab pipeline', () => {
  if ('skip' in settings) return;
  const live = settings;
  const ssm = new SSMClient({ region: live.region });
  const ec2 = new EC2Client({ region: live.region });
  let configFile = '';

  beforeAll(async () => {
    await ssm.send(
      new PutParameterCommand({ Name: apiTokenParameter, Value: live.token, Type: 'SecureString' }),
    );
    const secret = randomBytes(24).toString('hex');
    await ssm.send(
      new PutParameterCommand({ Name: webhookSecretParameter, Value: secret, Type: 'SecureString' }),
    );
    configFile = writeConfig(live);
    run('cdk', ['deploy', '--require-approval', 'never', '--no-notices', '-c', `config=${configFile}`]);
    run('spotlab', ['webhook', 'install', '--project', String(live.projectId), '--config', configFile], {
      GITLAB_TOKEN: live.token,
    });
  }, 45 * MINUTE);

  afterAll(async () => {
    const hooks = z.array(z.looseObject({ id: z.number(), url: z.string() }));
    run('cdk', ['destroy', '--force', '--no-notices', '-c', `config=${configFile}`]);
    // The stack is gone, so its webhook would only fail: remove hooks pointing at execute-api of no stack.
    for (const hook of hooks.parse(await gitlab(live, 'GET', `/projects/${live.projectId}/hooks`)))
      if (hook.url.includes('execute-api') && hook.url.includes(live.region))
        await gitlab(live, 'DELETE', `/projects/${live.projectId}/hooks/${hook.id}`);
    for (const Name of [apiTokenParameter, webhookSecretParameter])
      await ssm.send(new DeleteParameterCommand({ Name })).catch(() => undefined);
  }, 30 * MINUTE);

  it(
    'runs the project pipeline to success on Spotlab runners',
    async () => {
      const pipeline = z
        .looseObject({ id: z.number() })
        .parse(
          await gitlab(
            live,
            'POST',
            `/projects/${live.projectId}/pipeline?ref=${encodeURIComponent(live.ref)}`,
          ),
        );
      const status = await until(
        async () =>
          z
            .looseObject({ status: z.string() })
            .parse(await gitlab(live, 'GET', `/projects/${live.projectId}/pipelines/${pipeline.id}`)).status,
        (s) => ['success', 'failed', 'canceled', 'skipped'].includes(s),
        30 * MINUTE,
      );

      expect(status).toBe('success');
    },
    35 * MINUTE,
  );

  it(
    'leaves no instance, runner or token parameter behind',
    async () => {
      const leftovers = async () => {
        const instances = await ec2.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${TagKey.stack}`, Values: [stackName] },
              {
                Name: 'instance-state-name',
                Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
              },
            ],
          }),
        );
        const parameters = await ssm.send(
          new GetParametersByPathCommand({ Path: runnerTokenPrefix(stackName) }),
        );
        const runners = z
          .array(z.looseObject({ description: z.string().nullable() }))
          .parse(
            await gitlab(live, 'GET', `/projects/${live.projectId}/runners?type=project_type&per_page=100`),
          );
        return {
          instances: (instances.Reservations ?? []).flatMap((r) => r.Instances ?? []).length,
          parameters: (parameters.Parameters ?? []).length,
          runners: runners.filter((r) => /^spotlab i-/.test(r.description ?? '')).length,
        };
      };

      // The lifecycle consumer and the reaper clean up within minutes of the last job.
      const left = await until(leftovers, (l) => l.instances + l.parameters + l.runners === 0, 15 * MINUTE);

      expect(left).toEqual({ instances: 0, parameters: 0, runners: 0 });
    },
    20 * MINUTE,
  );
});
