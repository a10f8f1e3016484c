import { z } from 'zod';
import { defineCommand } from '../command';
import { installWebhooks } from '../webhook/install';
import { renderInstall } from '../webhook/render';

const id = z
  .string()
  .regex(/^[1-9]\d*$/, 'must be a numeric id')
  .transform(Number)
  .optional();

/** `spotlab webhook install`: the Job events webhook on a project or every project of a group. */
export const webhookInstallCommand = defineCommand({
  name: 'webhook install',
  help: `Usage: spotlab webhook install (--project <id> | --group <id>) [--dry-run] [--force] [options]

Creates the webhook to the stack's WebhookUrl output on the project, or on every project of the
group and its subgroups (a project webhook on each: group webhooks need GitLab Premium). The hook
gets the secret token from the SSM SecureString gitlab.webhookSecretParameter, Job events only
(every other event off) and SSL verification on. A project that has a hook to the URL already
gets it updated (PUT, never a second hook) when its events or SSL verification differ or GitLab
disabled it; otherwise it is left unchanged, so running this again changes nothing. GitLab never
returns a hook's secret token: after rotating the secret, pass --force to send it again.

  --project <id>  the project's numeric id
  --group <id>    every project of this group and its subgroups (archived and shared ones aside)
  --dry-run       print the plan (create / update / unchanged per project); change nothing
  --force         update hooks that look unchanged too (sends the secret token again)
Exit code 1 when any project failed (each named, with what to do), 0 otherwise.`,
  options: {
    project: { type: 'string' },
    group: { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
  },
  schema: z
    .object({
      project: id,
      group: id,
      'dry-run': z.boolean().default(false),
      force: z.boolean().default(false),
    })
    .refine((o) => (o.project === undefined) !== (o.group === undefined), {
      path: ['project'],
      message: 'pass exactly one of --project <id> and --group <id>',
    }),
  async run(context, { common, own }, io) {
    const target = own.project !== undefined ? { project: own.project } : { group: own.group ?? 0 };
    const report = await installWebhooks(context, target, { dryRun: own['dry-run'], force: own.force });
    const ok = report.projects.every((p) => p.action !== 'failed');
    io.stdout(common.json ? `${JSON.stringify({ ok, ...report }, null, 2)}\n` : renderInstall(report));
    return ok ? 0 : 1;
  },
});
