import { GitlabUnavailableError } from '../lambdas/shared/gitlab/errors';
import { OperatorError } from './errors';

/** What a failed connection looked like, from the Node.js error codes in the cause chain. */
type Failure = 'dns' | 'refused' | 'reset' | 'timeout' | 'tls';

const CODES: Readonly<Record<string, Failure>> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  ETIMEDOUT: 'timeout',
  ENETUNREACH: 'timeout',
  EHOSTUNREACH: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  CERT_HAS_EXPIRED: 'tls',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
};

const WHAT: Readonly<Record<Failure, string>> = {
  dns: 'its name does not resolve',
  refused: 'the connection was refused',
  reset: 'the connection was cut',
  timeout: 'it did not answer in time',
  tls: 'its TLS certificate was not accepted',
};

/** The AWS SDK's service prefixes in endpoint host names, as the operator knows the services. */
const SERVICES: Readonly<Record<string, string>> = {
  cloudformation: 'CloudFormation',
  ec2: 'EC2',
  ssm: 'SSM',
  dynamodb: 'DynamoDB',
  sqs: 'SQS',
  lambda: 'Lambda',
  sts: 'STS',
};

/** A host could not be reached: `message` names which (AWS service and Region, or GitLab's URL). */
export class NetworkError extends OperatorError {
  override readonly name = 'NetworkError';
  constructor(
    readonly target: 'aws' | 'gitlab',
    message: string,
    fix: string,
    options?: ErrorOptions,
  ) {
    super(message, fix, options);
  }
}

/** Where the failed call went, for the message when the error itself does not say. */
export interface NetworkContext {
  /** The Region the AWS clients use, when known. */
  readonly region?: string;
  /** `gitlab.url` of the configuration. */
  readonly gitlabUrl?: string;
}

/**
 * A {@link NetworkError} when `error` (or an error in its `cause` chain) is a connection failure:
 * a DNS lookup (`ENOTFOUND`, `EAI_AGAIN`), a refused or cut connection, a timeout, a TLS refusal.
 * The AWS SDK rejects with Node's own error (`getaddrinfo ENOTFOUND ec2.eu-west-1.amazonaws.com`),
 * fetch with `TypeError: fetch failed` whose cause is it; GitLab's requester wraps that in a
 * {@link GitlabUnavailableError} after its retries. `undefined` for any other error.
 */
export function explainNetworkError(error: unknown, context: NetworkContext = {}): NetworkError | undefined {
  if (error instanceof NetworkError) return error;
  const chain = causes(error);
  const failure = chain.map(failureOf).find((f) => f !== undefined);
  if (failure === undefined) return undefined;
  const host = chain.map(hostOf).find((h) => h !== undefined);
  const why = `${WHAT[failure]}${codeOf(chain)}`;
  const options = { cause: error };
  if (chain.some((e) => e instanceof GitlabUnavailableError) || isGitlabHost(host, context.gitlabUrl)) {
    const url = context.gitlabUrl ?? (host === undefined ? 'the GitLab URL' : `https://${host}`);
    return new NetworkError(
      'gitlab',
      `GitLab at ${url} could not be reached: ${why}`,
      `Check gitlab.url in the configuration${failure === 'tls' ? tlsHint : ''}, and that this machine reaches GitLab (network, VPN, firewall, proxy).`,
      options,
    );
  }
  const endpoint = awsEndpoint(host, context.region);
  return new NetworkError(
    'aws',
    `${endpoint} could not be reached: ${why}`,
    `Check the network and proxy of this machine${failure === 'tls' ? tlsHint : ''}, and the Region (--region, AWS_REGION or the profile's): it must be a Region such as eu-west-1 where the stack is deployed.`,
    options,
  );
}

const tlsHint = ' (a proxy that intercepts TLS needs its CA certificate in NODE_EXTRA_CA_CERTS)';

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 8; ) {
    chain.push(e);
    e = e instanceof Error ? e.cause : undefined;
  }
  return chain;
}

function field(error: unknown, key: string): string | undefined {
  if (typeof error !== 'object' || error === null || !(key in error)) return undefined;
  const value: unknown = Reflect.get(error, key);
  return typeof value === 'string' ? value : undefined;
}

function failureOf(error: unknown): Failure | undefined {
  const code = field(error, 'code');
  if (code !== undefined && CODES[code] !== undefined) return CODES[code];
  // AbortSignal.timeout (fetch) and the SDK's request timeout both reject with a TimeoutError.
  return field(error, 'name') === 'TimeoutError' ? 'timeout' : undefined;
}

function codeOf(chain: readonly unknown[]): string {
  const code = chain.map((e) => field(e, 'code')).find((c) => c !== undefined && CODES[c] !== undefined);
  return code === undefined ? '' : ` (${code})`;
}

function hostOf(error: unknown): string | undefined {
  return field(error, 'hostname') ?? field(error, 'host');
}

function isGitlabHost(host: string | undefined, gitlabUrl: string | undefined): boolean {
  if (host === undefined || gitlabUrl === undefined) return false;
  try {
    return new URL(gitlabUrl).hostname === host;
  } catch {
    return false;
  }
}

/** `AWS EC2 in eu-west-1 (ec2.eu-west-1.amazonaws.com)`, from the endpoint host when the error names it. */
function awsEndpoint(host: string | undefined, region: string | undefined): string {
  const match = host?.match(/^([a-z0-9-]+)\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/);
  if (host !== undefined && match?.[1] !== undefined)
    return `AWS ${SERVICES[match[1]] ?? match[1]} in ${match[2]} (${host})`;
  return `AWS${region === undefined ? '' : ` in ${region}`}${host === undefined ? '' : ` (${host})`}`;
}
