import { readFileSync } from 'node:fs';
import { Token } from 'aws-cdk-lib';
import { METRICS_NAMESPACE_SHAPE } from '../../lambdas/shared/metric-names';

/**
 * What the in-VM bootstrap script needs to know, rendered into EC2 user data. None of it is
 * secret: the runner token reaches the VM through SSM, never through here.
 */
export interface BootstrapSettings {
  /** AWS Region of the token parameter and the cache bucket; may be a CDK token (`Aws.REGION`). */
  readonly region: string;
  /** GitLab base URL, `https://…` without a trailing slash. */
  readonly gitlabUrl: string;
  /** SSM parameter path under which the launcher stores each instance's runner token, e.g. `/spotlab/runner-token`. */
  readonly tokenPrefix: string;
  /** GitLab Runner executor. */
  readonly executor: 'docker' | 'shell';
  /** Default image of docker-executor jobs; ignored by the shell executor, where it may be empty. */
  readonly dockerImage: string;
  /** Run docker-executor job containers privileged (docker-in-docker). */
  readonly privileged: boolean;
  /** Give docker-executor job containers every GPU (`--docker-gpus all`); needs the NVIDIA toolkit on the image. */
  readonly dockerGpus: boolean;
  /** How long `run-single` waits for its first job before giving up, in seconds. */
  readonly waitTimeoutSeconds: number;
  /** How long the VM waits for its token parameter to appear before powering off, in seconds. */
  readonly tokenWaitSeconds: number;
  /**
   * S3 bucket of the shared runner cache; may be a CDK token.
   * @default '' (no shared cache)
   */
  readonly cacheBucket: string;
  /** CPU architecture of the instance, which picks the gitlab-runner binary. */
  readonly arch: 'x86_64' | 'arm64';
  /** Name of the pool, the `pool` dimension of the start-up metrics. */
  readonly pool: string;
  /** gitlab-runner release the VM downloads (when its image has none) and verifies, e.g. `19.3.0`. */
  readonly runnerVersion: string;
  /**
   * CloudWatch namespace of the start-up metrics: the Spotlab's own (`Spotlab/Startup` for the
   * shipped app), the only one the instance role may write.
   */
  readonly startupNamespace: string;
  /**
   * The pool has warm capacity: the VM asks its metadata for the `spotlab:warm` tag, and a ready
   * instance readies its tools first and then waits for its token without a time limit.
   * @default false (the setting is left out of the user data)
   */
  readonly warmCapable?: boolean;
}

const SCRIPT_URL = new URL('./runner-bootstrap.sh', import.meta.url);
const JOB_USER_URL = new URL('./job-user.sh', import.meta.url);
const INSTALL_URL = new URL('./runner-install.sh', import.meta.url);

// Runner authentication, personal, CI build and deploy tokens: a value shaped like one is a bug upstream.
const GITLAB_TOKEN_SHAPE = /\bgl(rt|pat|cbt|dt|ptt|ft|oas|agent)-/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const PARAMETER_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;
/** A gitlab-runner release number. */
export const RUNNER_VERSION = /^\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const POOL_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Docker references: registry/path:tag@digest; no whitespace or shell-significant characters needed. */
export const DOCKER_IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

function fail(field: keyof BootstrapSettings, problem: string): never {
  throw new Error(`BootstrapSettings.${field} ${problem}`);
}

function checkPattern(field: keyof BootstrapSettings, value: string, pattern: RegExp, what: string): void {
  // CDK tokens (Region, a bucket the stack creates) resolve at deploy time to values of this shape.
  if (Token.isUnresolved(value)) return;
  if (!pattern.test(value)) fail(field, `must be ${what}, got ${JSON.stringify(value)}`);
}

function checkSeconds(field: keyof BootstrapSettings, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) fail(field, `must be a positive whole number, got ${value}`);
}

function checkGitlabUrl(value: string): void {
  if (!URL.canParse(value)) fail('gitlabUrl', `must be a URL, got ${JSON.stringify(value)}`);
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('gitlabUrl', 'must be http(s)');
  if (value.endsWith('/')) fail('gitlabUrl', 'must not end with a slash');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    fail('gitlabUrl', 'must hold no query, fragment or credentials');
  }
}

function validate(settings: BootstrapSettings): void {
  checkPattern('region', settings.region, REGION, 'an AWS Region name');
  checkGitlabUrl(settings.gitlabUrl);
  checkPattern('tokenPrefix', settings.tokenPrefix, PARAMETER_PATH, 'an SSM parameter path like /spotlab/x');
  if (settings.executor !== 'docker' && settings.executor !== 'shell') {
    fail('executor', `must be docker or shell, got ${JSON.stringify(settings.executor)}`);
  }
  if (settings.executor === 'docker' || settings.dockerImage !== '') {
    checkPattern('dockerImage', settings.dockerImage, DOCKER_IMAGE, 'a docker image reference');
  }
  if (typeof settings.privileged !== 'boolean') fail('privileged', 'must be true or false');
  if (settings.privileged && settings.executor !== 'docker') fail('privileged', 'applies only to docker');
  if (typeof settings.dockerGpus !== 'boolean') fail('dockerGpus', 'must be true or false');
  if (settings.dockerGpus && settings.executor !== 'docker') fail('dockerGpus', 'applies only to docker');
  checkSeconds('waitTimeoutSeconds', settings.waitTimeoutSeconds);
  checkSeconds('tokenWaitSeconds', settings.tokenWaitSeconds);
  if (settings.cacheBucket !== '')
    checkPattern('cacheBucket', settings.cacheBucket, BUCKET, 'an S3 bucket name');
  if (settings.arch !== 'x86_64' && settings.arch !== 'arm64') {
    fail('arch', `must be x86_64 or arm64, got ${JSON.stringify(settings.arch)}`);
  }
  checkPattern(
    'runnerVersion',
    settings.runnerVersion,
    RUNNER_VERSION,
    'a gitlab-runner release such as 19.3.0',
  );
  checkPattern('pool', settings.pool, POOL_NAME, 'a pool name');
  checkPattern(
    'startupNamespace',
    settings.startupNamespace,
    METRICS_NAMESPACE_SHAPE,
    'a CloudWatch namespace',
  );
  for (const [field, value] of Object.entries(settings)) {
    if (typeof value === 'string' && GITLAB_TOKEN_SHAPE.test(value)) {
      throw new Error(`BootstrapSettings.${field} looks like a GitLab token; user data must hold no secret`);
    }
  }
}

/** A script file of lib/bootstrap without its shebang, to be concatenated after the settings. */
export function scriptBody(url: URL): string {
  return readFileSync(url, 'utf8').replace(/^#!.*\n/, '');
}

/** Single-quotes a value for bash: nothing inside is expanded; `'` becomes `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * Renders the EC2 user data that bootstraps one single-job runner: a bash shebang, the settings
 * as single-quoted shell assignments, the shell executor's job user (`job-user.sh`), then
 * `runner-bootstrap.sh`. Throws an Error naming the field
 * when a setting is invalid.
 */
export function renderUserData(settings: BootstrapSettings): string {
  validate(settings);
  const assignments: ReadonlyArray<readonly [string, string]> = [
    ['SPOTLAB_REGION', settings.region],
    ['SPOTLAB_GITLAB_URL', settings.gitlabUrl],
    ['SPOTLAB_TOKEN_PREFIX', settings.tokenPrefix],
    ['SPOTLAB_EXECUTOR', settings.executor],
    ['SPOTLAB_DOCKER_IMAGE', settings.dockerImage],
    ['SPOTLAB_PRIVILEGED', String(settings.privileged)],
    ['SPOTLAB_DOCKER_GPUS', String(settings.dockerGpus)],
    ['SPOTLAB_WAIT_TIMEOUT_SECONDS', String(settings.waitTimeoutSeconds)],
    ['SPOTLAB_TOKEN_WAIT_SECONDS', String(settings.tokenWaitSeconds)],
    ['SPOTLAB_CACHE_BUCKET', settings.cacheBucket],
    ['SPOTLAB_ARCH', settings.arch],
    ['SPOTLAB_RUNNER_VERSION', settings.runnerVersion],
    ['SPOTLAB_POOL', settings.pool],
    ['SPOTLAB_STARTUP_NAMESPACE', settings.startupNamespace],
    ...(settings.warmCapable === true ? [['SPOTLAB_WARM_CAPABLE', 'true'] as const] : []),
  ];
  const block = assignments.map(([name, value]) => `${name}=${shellQuote(value)}`).join('\n');
  const [jobUser, install, body] = [JOB_USER_URL, INSTALL_URL, SCRIPT_URL].map(scriptBody);
  return `#!/bin/bash\n# Spotlab settings (rendered at synth; no secrets)\n${block}\n${jobUser}\n${install}\n${body}`;
}
