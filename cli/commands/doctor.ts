import { z } from 'zod';
import { defineCommand } from '../command';
import { renderDoctor } from '../doctor/render';
import { runDoctor } from '../doctor/run';

const ids = z
  .array(
    z
      .string()
      .regex(/^[1-9]\d*$/, 'must be a numeric id')
      .transform(Number),
  )
  .default([]);

/** `spotlab doctor`: checks the deployment end to end and says what to fix. */
export const doctorCommand = defineCommand({
  name: 'doctor',
  help: `Usage: spotlab doctor [--project <id>]... [--group <id>]... [options]

Checks, each saying exactly what to fix when it fails:
  stack         the stack is deployed and usable
  config        it was deployed from this configuration file (ConfigHash output)
  launching     launching is not left drained (warning)
  parameter:*   every SSM parameter the configuration names exists and is a SecureString
  gitlab-token  GitLab accepts the token, it is active, not about to expire, and has the scopes
                Spotlab needs: api (or read_api + create_runner + manage_runner, except that
                cancelling and retrying an interrupted job needs api)
  webhook:*     the project or group has a webhook to the stack's WebhookUrl with Job events, not
                disabled by GitLab, with a secret token (GitLab 19.0+ says whether one is set)
Webhooks are looked for in runnerScope's group, in reaper.projectIds and in these:
  --project <id>    a project whose webhook to check (repeatable)
  --group <id>      a group whose webhook to check (repeatable; group webhooks need Premium)
Exit code 1 when any check fails, 0 otherwise (warnings included).`,
  options: {
    project: { type: 'string', multiple: true },
    group: { type: 'string', multiple: true },
  },
  schema: z.object({ project: ids, group: ids }),
  async run(context, { common, own }, io) {
    const checks = await runDoctor(context, [
      ...own.project.map((id) => ({ kind: 'project' as const, id })),
      ...own.group.map((id) => ({ kind: 'group' as const, id })),
    ]);
    const ok = checks.every((c) => c.status !== 'fail');
    io.stdout(common.json ? `${JSON.stringify({ ok, checks }, null, 2)}\n` : renderDoctor(checks));
    return ok ? 0 : 1;
  },
});
