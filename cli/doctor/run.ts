import { configHash, StackOutput } from '../../lib/stack-outputs';
import { findStackLaunchSwitch } from '../aws/launching';
import { offeredZones, subnetZones } from '../aws/offerings';
import { parameterTypes } from '../aws/parameters';
import { type DeployedStack, describeStack } from '../aws/stack';
import type { CliContext, GitlabSession } from '../context';
import { AwsAccessError, OperatorError } from '../errors';
import { settle } from '../failures';
import { describeToken, type HookOwner, listHooks } from '../gitlab/api';
import {
  type ConfiguredParameter,
  checkConfigMatches,
  checkLaunching,
  checkParameters,
  checkStack,
} from './aws-checks';
import { checkInstanceTypes, type Offerings } from './capacity-checks';
import { checkToken, checkWebhook } from './gitlab-checks';
import { type Check, check } from './model';

/**
 * Runs every check. Each reads what it needs and fails on its own: one broken part never hides the
 * others. Checks that need what failed (the stack, the token) are skipped, saying so.
 */
export async function runDoctor(context: CliContext, extraOwners: readonly HookOwner[]): Promise<Check[]> {
  const { aws, config } = context;
  const stack = await settle(() => describeStack(aws.cloudFormation, context.stackName), context.network);
  // Without a Region or credentials every AWS check would fail the same way: say it once.
  if (stack instanceof AwsAccessError && stack.blocksEverything) throw stack;
  const parameters = configuredParameters(context);
  const [types, launching, gitlab, offerings] = await Promise.all([
    settle(
      () =>
        parameterTypes(
          aws.ssm,
          parameters.map((p) => p.name),
        ),
      context.network,
    ),
    stack instanceof Error
      ? undefined
      : settle(() => findStackLaunchSwitch(context.aws.lambda, stack), context.network),
    settle(() => context.gitlab(), context.network),
    stack instanceof Error ? undefined : readOfferings(context, stack),
  ]);
  return [
    checkStack(stack),
    checkConfigMatches(stack, configHash(config), context.configFile),
    checkLaunching(launching),
    ...checkParameters(parameters, types),
    ...(offerings === undefined ? [] : checkInstanceTypes(config.pools, offerings)),
    ...(await gitlabChecks(context, stack, gitlab, extraOwners)),
  ];
}

/** The zones of the stack's subnets and which offer each configured instance type. */
async function readOfferings(
  context: CliContext,
  stack: DeployedStack,
): Promise<Offerings | Error | 'no-subnets-output'> {
  const subnets = stack.outputs[StackOutput.subnetIds]?.split(',').filter((id) => id.length > 0);
  if (subnets === undefined || subnets.length === 0) return 'no-subnets-output';
  const types = [...new Set(context.config.pools.flatMap((pool) => pool.instanceTypes ?? []))];
  return settle(async () => {
    const [zones, byType] = await Promise.all([
      subnetZones(context.aws.ec2, subnets),
      types.length === 0 ? new Map<string, Set<string>>() : offeredZones(context.aws.ec2, types),
    ]);
    return { zones: [...new Set(zones.values())].sort(), byType };
  }, context.network);
}

function configuredParameters(context: CliContext): ConfiguredParameter[] {
  const { gitlab } = context.config;
  return [
    {
      name: gitlab.webhookSecretParameter,
      holds: 'webhook secret token',
      example: '$(openssl rand -hex 32)',
    },
    { name: gitlab.apiTokenParameter, holds: 'GitLab API token', example: 'glpat-…' },
    ...(gitlab.signingTokenParameter === undefined
      ? []
      : [{ name: gitlab.signingTokenParameter, holds: 'webhook signing token', example: 'whsec_…' }]),
  ];
}

async function gitlabChecks(
  context: CliContext,
  stack: DeployedStack | Error,
  gitlab: GitlabSession | Error,
  extraOwners: readonly HookOwner[],
): Promise<Check[]> {
  const owners = hookOwners(context, extraOwners);
  const token =
    gitlab instanceof Error
      ? check(
          'gitlab-token',
          'fail',
          gitlab.message,
          gitlab instanceof OperatorError ? gitlab.fix : undefined,
        )
      : checkToken(
          await settle(() => describeToken(gitlab.client), context.network),
          gitlab.tokenSource,
          context.now(),
        );
  if (owners.length === 0)
    return [
      token,
      check(
        'webhook',
        'skip',
        'no project or group to look in: runnerScope is not a group and reaper.projectIds is empty',
        'Pass --project <id> (or --group <id>) to check the webhook.',
      ),
    ];
  const url = stack instanceof Error ? undefined : stack.outputs[StackOutput.webhookUrl];
  const hooks = await Promise.all(
    owners.map(async (owner) => {
      const id = `webhook:${owner.kind}:${owner.id}`;
      if (gitlab instanceof Error) return check(id, 'skip', 'needs a GitLab token');
      if (url === undefined) return check(id, 'skip', "needs the stack's WebhookUrl output");
      return checkWebhook(owner, await settle(() => listHooks(gitlab.client, owner), context.network), {
        url,
        secretParameter: context.config.gitlab.webhookSecretParameter,
        signingParameter: context.config.gitlab.signingTokenParameter,
      });
    }),
  );
  return [token, ...hooks];
}

/** Where the webhook should be: the runner group, the projects the reaper watches, and the flags'. */
function hookOwners(context: CliContext, extra: readonly HookOwner[]): HookOwner[] {
  const { config } = context;
  const owners: HookOwner[] = [
    ...(config.runnerScope.type === 'group'
      ? [{ kind: 'group' as const, id: config.runnerScope.groupId }]
      : []),
    ...config.reaper.projectIds.map((id) => ({ kind: 'project' as const, id })),
    ...extra,
  ];
  return owners.filter((o, i) => owners.findIndex((p) => p.kind === o.kind && p.id === o.id) === i);
}
