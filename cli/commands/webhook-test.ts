import { z } from 'zod';
import { GitlabResponseError, GitlabUnavailableError } from '../../lambdas/shared/gitlab/errors';
import { StackOutput } from '../../lib/stack-outputs';
import { describeStack, requireOutput } from '../aws/stack';
import { defineCommand } from '../command';
import { OperatorError } from '../errors';
import { listHooks } from '../gitlab/api';
import { hooksTo, testProjectHook } from '../gitlab/hooks';

/** `spotlab webhook test`: GitLab sends its test Job event to the Spotlab hook of a project. */
export const webhookTestCommand = defineCommand({
  name: 'webhook test',
  help: `Usage: spotlab webhook test --project <id> [options]

Asks GitLab to send its test Job event (built from the project's latest job) to the project's
webhook to the stack's WebhookUrl, and reports GitLab's answer, which relays the receiver's: the
webhook Lambda accepts a correctly signed event with 2xx, and answers 401 when the secret token
differs. Needs GitLab 16.11 or later; GitLab allows 5 tests a minute per project and user.

  --project <id>  the project's numeric id
Exit code 1 when GitLab or the webhook refused the test, 0 when it was accepted.`,
  options: { project: { type: 'string' } },
  schema: z.object({
    project: z
      .string({ error: 'is required' })
      .regex(/^[1-9]\d*$/, 'must be a numeric id')
      .transform(Number),
  }),
  async run(context, { common, own }, io) {
    const stack = await describeStack(context.aws.cloudFormation, context.stackName);
    const url = requireOutput(stack, StackOutput.webhookUrl);
    const { client } = await context.gitlab();
    const [hook] = hooksTo(await listHooks(client, { kind: 'project', id: own.project }), url);
    if (hook === undefined)
      throw new OperatorError(
        `project ${own.project} has no webhook to ${url}`,
        `Install it: npx spotlab webhook install --project ${own.project}`,
      );
    try {
      await testProjectHook(client, own.project, hook.id);
    } catch (error) {
      throw refusal(error, own.project);
    }
    const detail = `GitLab delivered a test Job event to hook ${hook.id} (${url}) and the webhook accepted it`;
    io.stdout(
      common.json
        ? `${JSON.stringify({ ok: true, hookId: hook.id, url, detail }, null, 2)}\n`
        : `${detail}\n`,
    );
    return 0;
  },
});

/** GitLab's 422 carries why the delivery failed: the receiver's answer, or no job to sample. */
function refusal(error: unknown, project: number): unknown {
  if (error instanceof GitlabResponseError && /HTTP 422/.test(error.message)) {
    const relayed = error.message.replace(/^.*HTTP 422:?\s*/, '') || 'no reason given';
    const fix = /CI jobs/i.test(relayed)
      ? 'GitLab builds the test event from a job: run a pipeline in the project once, then test again.'
      : /401/.test(relayed)
        ? `The secret token differs from the SSM parameter: npx spotlab webhook install --project ${project} --force`
        : 'See the delivery in GitLab (Settings > Webhooks > Edit > Recent events) and the webhook Lambda logs.';
    return new OperatorError(`the test event was not accepted: ${relayed}`, fix, { cause: error });
  }
  if (error instanceof GitlabUnavailableError && /HTTP 429/.test(error.message))
    return new OperatorError(
      'GitLab rate-limits webhook tests (5 a minute per project and user)',
      'Wait a minute and run it again.',
      { cause: error },
    );
  return error;
}
