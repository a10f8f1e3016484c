import { ParameterUnavailableError, readSecureString } from '../../lambdas/shared/adapters/ssm-parameter';
import { GitlabAuthError, GitlabNotFoundError } from '../../lambdas/shared/gitlab/errors';
import { mapLimit } from '../../lambdas/shared/map-limit';
import { StackOutput } from '../../lib/stack-outputs';
import { describeStack, requireOutput } from '../aws/stack';
import type { CliContext } from '../context';
import { OperatorError } from '../errors';
import { explainFailure } from '../failures';
import { listHooks } from '../gitlab/api';
import type { GitlabClient } from '../gitlab/client';
import { createProjectHook, type HookSettings, listGroupProjects, updateProjectHook } from '../gitlab/hooks';
import { NetworkError } from '../network-errors';
import { duplicateHooks, planHook } from './plan';

/** Where to install: one project, or every project of a group and its subgroups. */
export type InstallTarget = { readonly project: number } | { readonly group: number };

/** What happened on one project. */
export interface ProjectOutcome {
  readonly projectId: number;
  readonly path?: string;
  readonly action: 'create' | 'update' | 'unchanged' | 'failed';
  /** Set once the hook exists (after a create, or found). */
  readonly hookId?: number;
  readonly detail: string;
  readonly fix?: string;
}

/** The whole install: the URL, whether it only planned, and each project's outcome. */
export interface InstallReport {
  readonly url: string;
  readonly dryRun: boolean;
  readonly projects: readonly ProjectOutcome[];
}

/**
 * Installs (or brings up to date) the Job events webhook to the stack's `WebhookUrl` on the target
 * projects. Per project: list its hooks, plan (create / update / unchanged), apply unless
 * `dryRun`. One project failing never stops the others. A dry run reads no secret.
 */
export async function installWebhooks(
  context: CliContext,
  target: InstallTarget,
  options: { readonly dryRun: boolean; readonly force: boolean },
): Promise<InstallReport> {
  const stack = await describeStack(context.aws.cloudFormation, context.stackName);
  const url = requireOutput(stack, StackOutput.webhookUrl);
  const secretToken = options.dryRun ? '' : await webhookSecret(context);
  const { client } = await context.gitlab();
  const projects = 'project' in target ? [{ id: target.project }] : await groupProjects(client, target.group);
  // A few projects at a time: each costs 1-2 calls of GitLab's per-user API rate limit.
  const outcomes = await mapLimit(projects, 4, async (project) => {
    try {
      return await installOne(client, project, { url, secretToken }, options);
    } catch (error) {
      return failed(project, explainFailure(error, context.network));
    }
  });
  return { url, dryRun: options.dryRun, projects: outcomes };
}

async function installOne(
  client: GitlabClient,
  project: { id: number; path?: string },
  settings: HookSettings,
  options: { readonly dryRun: boolean; readonly force: boolean },
): Promise<ProjectOutcome> {
  const hooks = await listHooks(client, { kind: 'project', id: project.id });
  const plan = planHook(hooks, settings.url, options.force);
  const extra = duplicateHooks(hooks, settings.url);
  const duplicates = extra > 0 ? `; ${extra} more hook(s) to the same URL deliver every event again` : '';
  const base = { projectId: project.id, ...(project.path === undefined ? {} : { path: project.path }) };
  const would = options.dryRun ? 'would ' : '';
  if (plan.kind === 'unchanged')
    return {
      ...base,
      action: 'unchanged',
      hookId: plan.hookId,
      detail: `hook ${plan.hookId} is up to date${duplicates}`,
    };
  if (plan.kind === 'update') {
    if (!options.dryRun) await updateProjectHook(client, project.id, plan.hookId, settings);
    return {
      ...base,
      action: 'update',
      hookId: plan.hookId,
      detail: `${would}update hook ${plan.hookId}: ${plan.reasons.join('; ')}${duplicates}`,
    };
  }
  if (options.dryRun) return { ...base, action: 'create', detail: 'would create the hook' };
  const hookId = await createProjectHook(client, project.id, settings);
  return { ...base, action: 'create', hookId, detail: `created hook ${hookId}` };
}

function failed(project: { id: number; path?: string }, error: unknown): ProjectOutcome {
  const base = {
    projectId: project.id,
    ...(project.path === undefined ? {} : { path: project.path }),
    action: 'failed' as const,
  };
  if (error instanceof GitlabNotFoundError)
    return {
      ...base,
      detail: 'not found, or the token cannot see it',
      fix: "Check the project id, and that the token's user is a member of the project (GitLab answers 404 for a project it may not see).",
    };
  if (error instanceof GitlabAuthError)
    return {
      ...base,
      detail: `GitLab refused to manage its webhooks (HTTP ${error.status})`,
      fix: 'Managing webhooks needs the Maintainer role on the project and a token with the api scope (docs/gitlab-setup.md).',
    };
  if (error instanceof OperatorError) return { ...base, detail: error.message, fix: error.fix };
  return { ...base, detail: error instanceof Error ? error.message : String(error) };
}

async function groupProjects(client: GitlabClient, groupId: number): Promise<{ id: number; path: string }[]> {
  try {
    return await listGroupProjects(client, groupId);
  } catch (error) {
    if (error instanceof GitlabNotFoundError || error instanceof GitlabAuthError)
      throw new OperatorError(
        `group ${groupId} not found, or the token cannot list its projects`,
        "Check the group id, and that the token's user is a member of the group.",
        { cause: error },
      );
    throw error;
  }
}

async function webhookSecret(context: CliContext): Promise<string> {
  const parameter = context.config.gitlab.webhookSecretParameter;
  try {
    return await readSecureString(context.aws.ssm, parameter);
  } catch (error) {
    const explained = explainFailure(error, context.network);
    if (explained instanceof NetworkError) throw explained;
    if (!(error instanceof ParameterUnavailableError)) throw error;
    throw new OperatorError(
      `the webhook secret (SSM parameter ${parameter}) could not be read`,
      `Store it: aws ssm put-parameter --type SecureString --name ${parameter} --value "$(openssl rand -hex 32)" (reading it needs ssm:GetParameter, and kms:Decrypt for a customer managed key).`,
      { cause: error },
    );
  }
}
