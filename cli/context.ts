import type { SSMClient } from '@aws-sdk/client-ssm';
import { ParameterUnavailableError, readSecureString } from '../lambdas/shared/adapters/ssm-parameter';
import { gitlabHttpApi } from '../lambdas/shared/gitlab/http-adapter';
import type { GitlabApi } from '../lambdas/shared/gitlab/port';
import { loadConfig } from '../lib/config/load';
import type { SpotlabConfig } from '../lib/config/schema';
import { type AwsClients, createAwsClients } from './aws/clients';
import { GitlabTokenUnavailableError } from './errors';
import { type GitlabClient, gitlabClient } from './gitlab/client';
import type { CliIo } from './io';
import { explainNetworkError, type NetworkContext } from './network-errors';
import type { CommonOptions } from './options';

/** A GitLab client and where its token came from (printed, so the operator knows which was used). */
export interface GitlabSession {
  readonly client: GitlabClient;
  /** Runner create and delete through the Lambdas' own adapter (`spotlab bench start-up`). */
  readonly runners: Pick<GitlabApi, 'createRunner' | 'deleteRunner'>;
  /** `GITLAB_TOKEN` or `SSM <parameter name>`. */
  readonly tokenSource: string;
}

/** What every command works with: the validated configuration, the clients and the clock. */
export interface CliContext {
  readonly config: Readonly<SpotlabConfig>;
  readonly configFile: string;
  readonly stackName: string;
  readonly aws: AwsClients;
  /** Resolves the GitLab token on first use: a command that never calls GitLab never reads it. */
  readonly gitlab: () => Promise<GitlabSession>;
  /** Where calls go, for the messages of connection failures. */
  readonly network: NetworkContext;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Loads and validates the configuration (the same loader and file `cdk deploy` uses) and makes
 * the AWS clients once.
 * @throws ConfigError naming every bad key.
 */
export function createContext(options: CommonOptions, io: CliIo): CliContext {
  const config = loadConfig(options.config);
  const aws = createAwsClients(options.region);
  let session: Promise<GitlabSession> | undefined;
  const network = { ...networkOf(options, io), gitlabUrl: config.gitlab.url };
  return {
    config,
    configFile: options.config,
    stackName: options.stack ?? config.stackName,
    aws,
    gitlab: () => {
      session ??= openGitlab(config, aws.ssm, io, network);
      return session;
    },
    network,
    now: io.now ?? Date.now,
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

async function openGitlab(
  config: Readonly<SpotlabConfig>,
  ssm: SSMClient,
  io: CliIo,
  network: NetworkContext,
): Promise<GitlabSession> {
  const fromEnv = io.env.GITLAB_TOKEN;
  const { token, tokenSource } =
    fromEnv !== undefined && fromEnv.length > 0
      ? { token: fromEnv, tokenSource: 'GITLAB_TOKEN' }
      : {
          token: await tokenFromSsm(ssm, config.gitlab.apiTokenParameter, network),
          tokenSource: `SSM ${config.gitlab.apiTokenParameter}`,
        };
  const http = { baseUrl: config.gitlab.url, fetch: io.fetch, sleep: io.sleep };
  return {
    client: gitlabClient({ ...http, token }),
    runners: gitlabHttpApi({ ...http, token: async () => token, timeoutMs: 10_000 }),
    tokenSource,
  };
}

/**
 * The Region the clients will use, as far as the flags and environment tell (a profile's Region is
 * resolved by the SDK and not known here), for the messages of connection failures.
 */
export function networkOf(options: CommonOptions, io: CliIo): NetworkContext {
  const region = options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  return region === undefined ? {} : { region };
}

async function tokenFromSsm(ssm: SSMClient, parameter: string, network: NetworkContext): Promise<string> {
  try {
    return await readSecureString(ssm, parameter);
  } catch (error) {
    if (!(error instanceof ParameterUnavailableError)) throw error;
    // SSM unreachable is a network problem, not a missing parameter or permission.
    const unreachable = explainNetworkError(error, network);
    if (unreachable !== undefined) throw unreachable;
    throw new GitlabTokenUnavailableError(
      `no GitLab token: GITLAB_TOKEN is not set and SSM parameter ${parameter} could not be read`,
      `Export GITLAB_TOKEN, or store the token: aws ssm put-parameter --type SecureString --name ${parameter} --value 'glpat-…' (reading it needs ssm:GetParameter, and kms:Decrypt when it uses a customer managed key).`,
      { cause: error },
    );
  }
}
