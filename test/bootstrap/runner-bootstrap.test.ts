import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STARTUP_METRIC, STARTUP_NAMESPACE, StartupStage } from '../../lambdas/shared/metric-names';
import { type BootstrapSettings, renderUserData } from '../../lib/bootstrap/user-data';
import { installAdvice, REQUIRED_TOOLS } from '../support/system-tools';

const TOKEN = 'glrt-t3st-Secret-Runner-Token';
const INSTANCE_ID = 'i-0123456789abcdef0';

import { settings } from './settings';

/** A release.sha256 as GitLab publishes it: one `<sha256>  <path>` line per file of the release. */
const releaseSha256 = (sha256: string): string =>
  [
    `${'0'.repeat(64)}  binaries/gitlab-runner-darwin-arm64`,
    `${sha256}  binaries/gitlab-runner-linux-amd64`,
    `${sha256}  binaries/gitlab-runner-linux-arm64`,
    `${'1'.repeat(64)}  deb/gitlab-runner_amd64.deb`,
  ].join('\n');

// Every stub appends one tab-separated line (name, then each argument) to calls.log.
const RECORD = `record() { local IFS=$'\\t'; printf '%s\\n' "$*" >>"$STUB_DIR/calls.log"; }\n`;

// A shell-executor job stage starts \`bash\` from the runner's PATH, as gitlab-runner does.
const RUNNER_STUB = `record gitlab-runner "$@"
env | grep -v '^CI_SERVER_TOKEN=' >"$STUB_DIR/runner-env"
[[ "\${CI_SERVER_TOKEN:-}" == "$(cat "$STUB_DIR/token-value")" ]] && echo yes >"$STUB_DIR/runner-got-token"
if [[ "$*" == *$'\\t'shell$'\\t'* || " $* " == *' shell '* ]]; then bash -c 'job script'; fi
exit "\${STUB_RUNNER_EXIT:-0}"`;

const STUBS: Record<string, string> = {
  aws: `record aws "$@"
case "$2" in
  get-parameter)
    polls=$(cat "$STUB_DIR/polls" 2>/dev/null || echo 0); echo $((polls + 1)) >"$STUB_DIR/polls"
    if [[ "$STUB_TOKEN_AFTER" != never ]] && ((polls >= STUB_TOKEN_AFTER)); then
      [[ -z "\${STUB_UPTIME_AT_TOKEN:-}" ]] || echo "$STUB_UPTIME_AT_TOKEN 1.00" >"$STUB_DIR/uptime"
      cat "$STUB_DIR/token-value"; echo; exit 0
    fi
    echo 'An error occurred (ParameterNotFound) when calling the GetParameter operation' >&2; exit 254 ;;
  delete-parameter) exit 0 ;;
  put-metric-data) while (($#)); do [[ "$1" == --metric-data ]] && printf '%s' "$2" >"$STUB_DIR/metric-data"; shift; done; exit 0 ;;
esac
exit 2`,
  curl: `record curl "$@"
method=GET; url=''; form=''; output=''
while (($#)); do
  case "$1" in
    --request) method=$2; shift ;; --form) form=$2; shift ;; --output) output=$2; shift ;; --header) shift ;;
    http*) url=$1 ;;
  esac
  shift
done
case "$method $url" in
  'PUT '*/latest/api/token) [[ -z "\${STUB_IMDS_FAIL:-}" ]] || exit 7; printf 'imds-session' ;;
  'GET '*/latest/meta-data/instance-id) printf '${INSTANCE_ID}' ;;
  'GET '*/latest/meta-data/tags/instance/spotlab:warm) [[ -n "\${STUB_WARM:-}" ]] || exit 22; printf 'ready' ;;
  'DELETE '*/api/v4/runners) cat "\${form#token=<}" >>"$STUB_DIR/deleted-tokens"; [[ -z "\${STUB_DELETE_FAIL:-}" ]] || exit 22 ;;
  'GET '*/binaries/gitlab-runner-linux-*) cp "$STUB_DIR/gitlab-runner.template" "$output" ;;
  'GET '*/release.sha256) cp "$STUB_DIR/release.sha256" "$output" ;;
  *) exit 6 ;;
esac`,
  'gitlab-runner': RUNNER_STUB,
  docker: 'record docker "$@"',
  id: '[[ -f "$STUB_DIR/user-added" ]] && echo 1001',
  useradd: 'record useradd "$@"; : >"$STUB_DIR/user-added"',
  nft: 'record nft "$@"; cat >"$STUB_DIR/nft-rules"; [[ -z "$STUB_NFT_FAIL" ]]',
  // The job shell ends in setpriv: record how it drops privileges and what environment it passes.
  setpriv: 'record setpriv "$@"; env >"$STUB_DIR/job-env"',
  dnf: 'record dnf "$@"',
  systemctl:
    'record systemctl "$@"; [[ -z "$STUB_UPTIME_AT_TOOLS" ]] || echo "$STUB_UPTIME_AT_TOOLS 1.00" >"$STUB_DIR/uptime"',
  logger: 'record logger "$@"',
  sleep: 'record sleep "$@"',
  shutdown: 'record shutdown "$@"',
  poweroff: 'record poweroff "$@"',
};

// The script sees only the stubs and these tools, never this machine's docker or shutdown.
const SYSTEM_TOOLS = [
  'bash',
  'cat',
  'chmod',
  'cp',
  'env',
  'grep',
  'head',
  'install',
  'mkdir',
  'mktemp',
  'rm',
  'sha256sum',
];

interface Options {
  readonly settings?: Partial<BootstrapSettings>;
  readonly env?: Record<string, string>;
  readonly without?: readonly string[];
  /** The release.sha256 the fake download serves, given the real SHA-256 of the gitlab-runner download. */
  readonly checksums?: (sha256: string) => string;
  /** Contents of the baked image's marker file; none (a stock image) by default. */
  readonly baked?: string;
}

interface Run {
  readonly status: number | null;
  readonly output: string;
  readonly calls: readonly (readonly string[])[];
  read(file: string): string;
  runSingleArgs(): readonly string[];
  labels(): readonly string[];
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function systemTool(name: string): string {
  const found = ['/usr/bin', '/bin'].map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (found === undefined) throw new Error(`${name} not found in /usr/bin or /bin`);
  return found;
}

function label(call: readonly string[]): string | undefined {
  const [name, ...args] = call;
  const last = args.at(-1) ?? '';
  if (name === 'curl' && last.endsWith('/latest/api/token')) return 'imds-token';
  if (name === 'curl' && last.endsWith('/meta-data/instance-id')) return 'instance-id';
  if (name === 'curl' && last.endsWith('/tags/instance/spotlab:warm')) return 'warm-tag';
  if (name === 'curl' && args.includes('DELETE')) return 'delete-runner';
  // Start-up telemetry is checked on its own; the flow's labels leave it out.
  if (name === 'aws' && args[1] === 'put-metric-data') return undefined;
  if (name === 'aws') return args[1];
  if (name === 'gitlab-runner') return args[0];
  if (name === 'curl' && last.endsWith('/release.sha256')) return 'download-checksums';
  if (name === 'curl' && last.includes('/binaries/')) return 'download-runner';
  if (name === 'shutdown' || name === 'poweroff' || name === 'setpriv') return name;
  return undefined;
}

function runBootstrap(options: Options = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'spotlab-bootstrap-'));
  dirs.push(dir);
  const [stubDir, systemDir, installDir] = [join(dir, 'stubs'), join(dir, 'system'), join(dir, 'installed')];
  for (const path of [stubDir, systemDir, installDir]) mkdirSync(path);
  for (const [name, body] of Object.entries(STUBS)) {
    // A missing tool's stub is kept aside as the file the fake download delivers.
    const file = join(stubDir, options.without?.includes(name) ? `${name}.template` : name);
    writeFileSync(file, `#!/bin/bash\n${RECORD}${body}\n`);
    chmodSync(file, 0o755);
  }
  for (const tool of SYSTEM_TOOLS) symlinkSync(systemTool(tool), join(systemDir, tool));
  writeFileSync(join(stubDir, 'token-value'), TOKEN);
  writeFileSync(join(stubDir, 'uptime'), '12.00 20.00\n');
  const runner = join(
    stubDir,
    options.without?.includes('gitlab-runner') ? 'gitlab-runner.template' : 'gitlab-runner',
  );
  const sha256 = createHash('sha256').update(readFileSync(runner)).digest('hex');
  writeFileSync(join(stubDir, 'release.sha256'), (options.checksums ?? releaseSha256)(sha256));
  const script = join(dir, 'user-data.sh');
  writeFileSync(script, renderUserData({ ...settings, ...options.settings }));
  const marker = join(dir, 'baked');
  if (options.baked !== undefined) writeFileSync(marker, options.baked);

  const result = spawnSync(systemTool('bash'), [script], {
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: `${stubDir}:${systemDir}`,
      STUB_DIR: stubDir,
      STUB_TOKEN_AFTER: '0',
      SPOTLAB_IMDS_URL: 'http://imds.test',
      SPOTLAB_INSTALL_DIR: installDir,
      SPOTLAB_BAKED_MARKER: marker,
      SPOTLAB_UPTIME_FILE: join(stubDir, 'uptime'),
      ...options.env,
    },
  });
  const read = (file: string): string => {
    const path = join(stubDir, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };
  const calls = read('calls.log')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
  return {
    status: result.status,
    output: `${result.stdout}${result.stderr}`,
    calls,
    read,
    runSingleArgs: () => calls.find((call) => call[0] === 'gitlab-runner')?.slice(1) ?? [],
    labels: () => calls.map(label).filter((name) => name !== undefined),
  };
}

describe('runner bootstrap script', () => {
  it('passes shellcheck once rendered with its settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotlab-shellcheck-'));
    dirs.push(dir);
    const script = join(dir, 'user-data.sh');
    writeFileSync(script, renderUserData({ ...settings, cacheBucket: 'spotlab-cache' }));

    const result = spawnSync('shellcheck', ['-s', 'bash', script], { encoding: 'utf8' });

    expect(
      result.error,
      installAdvice(REQUIRED_TOOLS.filter((tool) => tool.name === 'shellcheck')),
    ).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('reads and deletes its token, runs one job, deletes the runner, then powers off', () => {
    const run = runBootstrap();

    expect(run.status).toBe(0);
    expect(run.labels()).toEqual([
      'imds-token',
      'instance-id',
      'get-parameter',
      'delete-parameter',
      'run-single',
      'delete-runner',
      'shutdown',
    ]);
    const getParameter = run.calls.find((call) => call[2] === 'get-parameter') ?? [];
    expect(getParameter).toEqual(expect.arrayContaining(['--with-decryption', '--region', 'eu-west-1']));
    expect(getParameter).toContain(`/spotlab/runner-token/${INSTANCE_ID}`);
    expect(run.runSingleArgs().join(' ')).toContain(
      '--url https://gitlab.example.com --executor docker --max-builds 1 --wait-timeout 600',
    );
    expect(run.read('runner-got-token')).toBe('yes\n');
    expect(run.read('deleted-tokens')).toBe(TOKEN);
  });

  it('polls for the token parameter until the launcher has written it', () => {
    const run = runBootstrap({ env: { STUB_TOKEN_AFTER: '2', SPOTLAB_POLL_SECONDS: '3' } });

    expect(run.status).toBe(0);
    expect(run.labels().filter((name) => name === 'get-parameter')).toHaveLength(3);
    expect(run.calls.filter((call) => call[0] === 'sleep')).toEqual([
      ['sleep', '3'],
      ['sleep', '3'],
    ]);
  });

  it('powers off without running a job when the token never appears', () => {
    const run = runBootstrap({ env: { STUB_TOKEN_AFTER: 'never' } });

    expect(run.status).not.toBe(0);
    // 10 s of waiting at the default 5 s poll: three reads, then give up.
    expect(run.labels()).toEqual([
      'imds-token',
      'instance-id',
      ...Array(3).fill('get-parameter'),
      'shutdown',
    ]);
  });

  it('waits for its token past the time limit, polling every 2 s, when it is a ready instance of a warm pool', () => {
    // 10 s of waiting at the 5 s poll would give up after three reads; a ready instance does not.
    const run = runBootstrap({
      settings: { warmCapable: true },
      env: { STUB_WARM: '1', STUB_TOKEN_AFTER: '6' },
    });

    expect(run.status).toBe(0);
    expect(run.labels()).toEqual([
      'imds-token',
      'instance-id',
      'imds-token',
      'warm-tag',
      ...Array(7).fill('get-parameter'),
      'delete-parameter',
      'run-single',
      'delete-runner',
      'shutdown',
    ]);
    expect(run.calls.filter((call) => call[0] === 'sleep')).toEqual(Array(6).fill(['sleep', '2']));
  });

  it('keeps the time limit on an instance of a warm pool that was launched for a job', () => {
    const run = runBootstrap({ settings: { warmCapable: true }, env: { STUB_TOKEN_AFTER: 'never' } });

    expect(run.status).not.toBe(0);
    expect(run.labels()).toEqual([
      'imds-token',
      'instance-id',
      'imds-token',
      'warm-tag',
      ...Array(3).fill('get-parameter'),
      'shutdown',
    ]);
  });

  it('powers off without reading SSM when the metadata service does not answer', () => {
    const run = runBootstrap({ env: { STUB_IMDS_FAIL: '1' } });

    expect(run.status).not.toBe(0);
    expect(run.labels()).toEqual(['imds-token', 'shutdown']);
  });

  it('still deletes the runner and powers off when gitlab-runner fails', () => {
    const run = runBootstrap({ env: { STUB_RUNNER_EXIT: '3' } });

    expect(run.status).toBe(3);
    expect(run.labels().slice(-3)).toEqual(['run-single', 'delete-runner', 'shutdown']);
    expect(run.read('deleted-tokens')).toBe(TOKEN);
  });

  it('powers off normally when the runner deletion fails, leaving the runner to the reaper', () => {
    const run = runBootstrap({ env: { STUB_DELETE_FAIL: '1' } });

    expect(run.status).toBe(0);
    expect(run.labels().slice(-2)).toEqual(['delete-runner', 'shutdown']);
  });

  it.each([
    {
      executor: 'docker',
      privileged: false,
      present: ['--docker-image', 'alpine:3.20'],
      absent: ['--docker-privileged'],
    },
    {
      executor: 'docker',
      privileged: true,
      present: ['--docker-image', '--docker-privileged'],
      absent: ['--docker-gpus'],
    },
    {
      executor: 'shell',
      privileged: false,
      present: ['--env', 'CI_SERVER_TOKEN='],
      absent: ['--docker-image'],
    },
  ] as const)(
    'passes the $executor executor flags (privileged: $privileged)',
    ({ executor, privileged, present, absent }) => {
      const run = runBootstrap({ settings: { executor, privileged } });

      expect(run.runSingleArgs()).toEqual(expect.arrayContaining(['--executor', executor, ...present]));
      for (const flag of absent) expect(run.runSingleArgs()).not.toContain(flag);
    },
  );

  it('runs shell jobs as an unprivileged user without the token or the metadata service', () => {
    const run = runBootstrap({ settings: { executor: 'shell' } });

    expect(run.status).toBe(0);
    expect(run.calls).toContainEqual([
      'useradd',
      '--create-home',
      '--user-group',
      '--shell',
      '/bin/bash',
      'spotlab-job',
    ]);
    expect(run.read('nft-rules')).toContain('meta skuid 1001 ip daddr 169.254.169.254 reject');
    expect(run.read('nft-rules')).toContain('meta skuid 1001 ip6 daddr fd00:ec2::254 reject');
    expect(run.labels().slice(-4)).toEqual(['run-single', 'setpriv', 'delete-runner', 'shutdown']);
    // The job stage the runner started went through the job shell, which became the job user.
    expect(run.calls.find((call) => call[0] === 'setpriv')?.slice(1)).toEqual([
      '--reuid=spotlab-job',
      '--regid=spotlab-job',
      '--init-groups',
      '--no-new-privs',
      '--inh-caps=-all',
      '--',
      '/bin/bash',
      '-c',
      'job script',
    ]);
    expect(run.read('job-env')).toContain('HOME=/home/spotlab-job\n');
    expect(run.read('job-env')).not.toContain('CI_SERVER_TOKEN');
    expect(run.read('job-env')).not.toContain(TOKEN);
    expect(run.runSingleArgs().join(' ')).toContain(
      '--builds-dir /home/spotlab-job/builds --cache-dir /home/spotlab-job/cache',
    );
  });

  it('powers off without running a shell job when the metadata firewall rule cannot be set', () => {
    const run = runBootstrap({ settings: { executor: 'shell' }, env: { STUB_NFT_FAIL: '1' } });

    expect(run.status).not.toBe(0);
    expect(run.labels()).not.toContain('run-single');
    expect(run.labels().slice(-2)).toEqual(['delete-runner', 'shutdown']);
  });

  it('leaves docker pools without a job user or firewall rule: their jobs run in containers', () => {
    const run = runBootstrap({ settings: { executor: 'docker' } });

    expect(run.calls.some((call) => call[0] === 'useradd' || call[0] === 'nft')).toBe(false);
  });

  it('passes every GPU into job containers when the pool asks for it', () => {
    const run = runBootstrap({ settings: { executor: 'docker', dockerGpus: true } });

    expect(run.runSingleArgs()).toEqual(expect.arrayContaining(['--docker-gpus', 'all']));
  });

  it('starts docker only for the docker executor', () => {
    const docker = runBootstrap({ settings: { executor: 'docker' } });
    const shell = runBootstrap({ settings: { executor: 'shell' } });

    expect(docker.calls).toContainEqual(['systemctl', 'start', 'docker']);
    expect(shell.calls.some((call) => call[0] === 'systemctl' || call[0] === 'dnf')).toBe(false);
  });

  it('adds the S3 cache flags, authenticated by the instance role, only when a bucket is set', () => {
    const cached = runBootstrap({ settings: { cacheBucket: 'spotlab-cache' } });
    const uncached = runBootstrap();

    expect(cached.runSingleArgs().join(' ')).toContain(
      '--cache-type s3 --cache-shared --cache-s3-server-address s3.amazonaws.com ' +
        '--cache-s3-bucket-name spotlab-cache --cache-s3-bucket-location eu-west-1 ' +
        '--cache-s3-authentication_type iam',
    );
    expect(uncached.runSingleArgs().filter((arg) => arg.startsWith('--cache'))).toEqual([]);
  });

  it.each([
    ['a successful job', {}],
    ['a failed job', { STUB_RUNNER_EXIT: '1' }],
  ])('never lets the token into argv, logs, the runner environment or output after %s', (_, env) => {
    const run = runBootstrap({ env });

    expect(run.read('calls.log')).not.toContain(TOKEN);
    expect(run.read('runner-env')).not.toBe('');
    expect(run.read('runner-env')).not.toContain(TOKEN);
    expect(run.output).not.toContain(TOKEN);
    expect(run.runSingleArgs()).not.toContain('--token');
  });

  it('skips installing docker and gitlab-runner when both are present', () => {
    const run = runBootstrap();

    expect(run.calls.filter((call) => call[0] === 'dnf')).toEqual([]);
    expect(run.calls.some((call) => call.some((arg) => arg.includes('/binaries/')))).toBe(false);
  });

  it('installs docker from the AL2023 repo and the gitlab-runner binary for its architecture when missing', () => {
    const run = runBootstrap({ settings: { arch: 'arm64' }, without: ['docker', 'gitlab-runner'] });

    expect(run.status).toBe(0);
    expect(run.calls).toContainEqual(['dnf', 'install', '-y', 'docker']);
    expect(run.calls.filter((call) => call[0] === 'curl').map((call) => call.at(-1))).toEqual(
      expect.arrayContaining([
        'https://gitlab-runner-downloads.s3.amazonaws.com/v19.3.0/binaries/gitlab-runner-linux-arm64',
        'https://gitlab-runner-downloads.s3.amazonaws.com/v19.3.0/release.sha256',
      ]),
    );
    expect(run.output).toContain('spotlab: gitlab-runner v19.3.0 checksum verified');
    expect(run.labels().slice(-5)).toEqual([
      'download-runner',
      'download-checksums',
      'run-single',
      'delete-runner',
      'shutdown',
    ]);
  });

  it.each([
    [
      'does not match its download',
      (sha256: string) => releaseSha256(sha256.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))),
    ],
    ['has no line for its binary', () => `${'0'.repeat(64)}  binaries/gitlab-runner-linux-386`],
    ['is empty', () => ''],
  ])('never runs a gitlab-runner whose release checksum %s, and powers off', (_, checksums) => {
    const run = runBootstrap({ without: ['docker', 'gitlab-runner'], checksums });

    expect(run.status).not.toBe(0);
    expect(run.output).toContain('spotlab: gitlab-runner v19.3.0 checksum mismatch, refusing to run');
    expect(run.labels()).not.toContain('run-single');
    expect(run.calls.some((call) => call[0] === 'gitlab-runner')).toBe(false);
    // The runner was created for this VM: it is deleted, then the VM ends.
    expect(run.labels().slice(-2)).toEqual(['delete-runner', 'shutdown']);
    expect(run.read('deleted-tokens')).toBe(TOKEN);
  });

  describe('on a baked image', () => {
    const installs = (run: Run) => ({
      dnf: run.calls.filter((call) => call[0] === 'dnf'),
      downloads: run.labels().filter((name) => name === 'download-runner' || name === 'download-checksums'),
    });

    it('installs nothing when the marker names the pinned runner release', () => {
      const run = runBootstrap({ baked: 'runner=19.3.0\n' });

      expect(run.status).toBe(0);
      expect(installs(run)).toEqual({ dnf: [], downloads: [] });
      expect(run.output).toContain('spotlab: baked image (gitlab-runner v19.3.0)');
      expect(run.calls).toContainEqual(['systemctl', 'start', 'docker']);
      expect(run.labels().slice(-3)).toEqual(['run-single', 'delete-runner', 'shutdown']);
    });

    it('downloads and verifies the pinned runner, but not docker, when the image baked another release', () => {
      const run = runBootstrap({ baked: 'runner=19.2.1\n', without: ['gitlab-runner'] });

      expect(run.status).toBe(0);
      expect(installs(run)).toEqual({ dnf: [], downloads: ['download-runner', 'download-checksums'] });
      expect(run.output).toContain('spotlab: gitlab-runner v19.3.0 checksum verified');
    });

    it('installs docker and the runner on a stock image without the marker', () => {
      const run = runBootstrap({ without: ['docker', 'gitlab-runner'] });

      expect(installs(run)).toEqual({
        dnf: [['dnf', 'install', '-y', 'docker']],
        downloads: ['download-runner', 'download-checksums'],
      });
    });
  });

  describe('start-up telemetry', () => {
    const metricSchema = z.array(
      z.object({
        MetricName: z.string(),
        Unit: z.literal('Seconds'),
        Value: z.number(),
        Dimensions: z.array(z.object({ Name: z.string(), Value: z.string() })),
      }),
    );
    const uptimes = { STUB_UPTIME_AT_TOKEN: '20.50', STUB_UPTIME_AT_TOOLS: '45.25' };

    it('reports each stage and the total to the runner asking for its job, per pool, once the job is over', () => {
      const run = runBootstrap({ env: uptimes });

      const call = run.calls.find((c) => c[0] === 'aws' && c[2] === 'put-metric-data') ?? [];
      expect(call).toEqual(
        expect.arrayContaining(['--namespace', STARTUP_NAMESPACE, '--region', 'eu-west-1']),
      );
      const metrics = metricSchema.parse(JSON.parse(run.read('metric-data')));
      const byStage = metrics.map((m) => [
        m.MetricName,
        Object.fromEntries(m.Dimensions.map((d) => [d.Name, d.Value])),
        m.Value,
      ]);
      expect(byStage).toEqual([
        [STARTUP_METRIC, { pool: 'arm-docker', stage: StartupStage.boot }, 12],
        [STARTUP_METRIC, { pool: 'arm-docker', stage: StartupStage.token }, 8.5],
        [STARTUP_METRIC, { pool: 'arm-docker', stage: StartupStage.tools }, 24.75],
        [STARTUP_METRIC, { pool: 'arm-docker', stage: StartupStage.total }, 45.25],
        [STARTUP_METRIC, { stage: StartupStage.total }, 45.25],
      ]);
      const names = run.calls.map((c) => (c[0] === 'aws' ? c[2] : c[0]));
      expect(names.indexOf('put-metric-data')).toBeGreaterThan(names.indexOf('gitlab-runner'));
      expect(run.output).toContain(
        'spotlab: start-up: boot 12.00s, token at 20.50s, tools at 45.25s, runner at 45.25s',
      );
    });

    it('reports nothing from a VM whose runner never started', () => {
      const run = runBootstrap({ env: { ...uptimes, STUB_TOKEN_AFTER: 'never' } });

      expect(run.read('metric-data')).toBe('');
    });
  });
});
