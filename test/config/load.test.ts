import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureOfInstanceType } from '../../lambdas/shared/instance-types';
import { ConfigError, loadConfig, parseConfig } from '../../lib/config/load';

const minimal = {
  gitlab: {
    url: 'https://gitlab.example.com/',
    webhookSecretParameter: '/spotlab/webhook-secret',
    apiTokenParameter: '/spotlab/api-token',
  },
  pools: [
    { name: 'linux', tags: ['linux'], instanceTypes: ['m7i.large'], architecture: 'x86_64', maxInstances: 5 },
  ],
  maxInstances: 10,
  maxSpendPerHourUsd: 2,
};

function problemsOf(config: unknown): readonly string[] {
  try {
    parseConfig(JSON.stringify(config));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('accepts the commented example shipped as spotlab.config.json', () => {
    const config = loadConfig('spotlab.config.json');

    expect(config.pools.map((pool) => pool.name)).toEqual(['arm-docker', 'x86-docker']);
    expect(config.runnerScope).toEqual({ type: 'project' });
  });

  it('fills in the documented defaults and trims the GitLab URL', () => {
    const config = parseConfig(JSON.stringify(minimal));

    expect(config.gitlab.url).toBe('https://gitlab.example.com');
    expect(config.network).toEqual({ mode: 'create', maxAzs: 3 });
    expect(config.pools[0]).toMatchObject({
      image: 'al2023',
      executor: 'docker',
      diskSizeGiB: 30,
      idleTimeoutSeconds: 300,
      maxLifetimeMinutes: 180,
      onDemandFallback: true,
      runUntagged: false,
    });
  });

  it('returns a frozen object, so no code can change the configuration after validation', () => {
    const config = parseConfig(JSON.stringify(minimal));

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.pools[0])).toBe(true);
  });

  it('names every bad key in one error', () => {
    const problems = problemsOf({
      ...minimal,
      gitlab: { url: 'ftp://gitlab', webhookSecretParameter: 'has spaces' },
      runnerScope: { type: 'group' },
      pools: [{ ...minimal.pools[0], name: 'Linux', instanceTyps: [] }],
      maxSpendPerHourUsd: 0,
      network: { mode: 'existing', vpcId: 'vpc-1' },
      alarmEmail: 'not-an-address',
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^gitlab\.url: /),
        expect.stringMatching(/^gitlab\.webhookSecretParameter: /),
        expect.stringMatching(/^gitlab\.apiTokenParameter: /),
        expect.stringMatching(/^runnerScope/),
        expect.stringMatching(/^pools\[0\]\.name: /),
        'pools[0].instanceTyps: unknown key (misspelt?)',
        expect.stringMatching(/^maxSpendPerHourUsd: /),
        expect.stringMatching(/^network/),
        expect.stringMatching(/^alarmEmail: /),
      ]),
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an arm64 type in an x86_64 pool',
      { instanceTypes: ['m7i.large', 'm7g.large'] },
      "pools[0].instanceTypes[1]: m7g.large is arm64 but the pool's architecture is x86_64",
    ],
    [
      'a pool that serves no job',
      { tags: [], runUntagged: false },
      'pools[0].tags: a pool with no tags must set runUntagged: true, or it serves no job',
    ],
    [
      'privileged with the shell executor',
      { executor: 'shell', privileged: true },
      'pools[0].privileged: applies only to the docker executor',
    ],
    [
      'GPUs for the shell executor',
      { executor: 'shell', dockerGpus: true },
      'pools[0].dockerGpus: applies only to the docker executor',
    ],
    [
      'a pool cap above the global cap',
      { maxInstances: 11 },
      'pools[0].maxInstances: must not exceed the global maxInstances (10)',
    ],
  ])('refuses %s', (_label, poolChanges, problem) => {
    expect(problemsOf({ ...minimal, pools: [{ ...minimal.pools[0], ...poolChanges }] })).toContain(problem);
  });

  it('pins gitlab-runner to 19.3.0 unless configured, and refuses anything but a release number', () => {
    expect(parseConfig(JSON.stringify(minimal)).gitlabRunnerVersion).toBe('19.3.0');
    expect(
      parseConfig(JSON.stringify({ ...minimal, gitlabRunnerVersion: '18.11.4' })).gitlabRunnerVersion,
    ).toBe('18.11.4');
    expect(problemsOf({ ...minimal, gitlabRunnerVersion: 'latest' })).toEqual([
      'gitlabRunnerVersion: must be a gitlab-runner release such as 19.3.0',
    ]);
  });

  it('reads the allow-lists and the project cap, and leaves them out unless set', () => {
    const config = parseConfig(
      JSON.stringify({
        ...minimal,
        gitlab: { ...minimal.gitlab, allowedProjects: [380], allowedNamespaces: ['acme/platform'] },
        maxInstancesPerProject: 4,
      }),
    );
    const open = parseConfig(JSON.stringify(minimal));

    expect(config.gitlab).toMatchObject({ allowedProjects: [380], allowedNamespaces: ['acme/platform'] });
    expect(config.maxInstancesPerProject).toBe(4);
    expect(open.gitlab.allowedProjects).toBeUndefined();
    expect(open.maxInstancesPerProject).toBeUndefined();
  });

  it('names a bad allow-list entry and a project cap above the global cap', () => {
    const problems = problemsOf({
      ...minimal,
      gitlab: { ...minimal.gitlab, allowedProjects: [], allowedNamespaces: ['/acme/'] },
      maxInstancesPerProject: 11,
    });

    expect(problems).toEqual([
      'gitlab.allowedProjects: must list at least one project id',
      'gitlab.allowedNamespaces[0]: must be a namespace full path such as acme/platform',
      'maxInstancesPerProject: must not exceed the global maxInstances (10)',
    ]);
  });

  it('refuses two pools with the same name', () => {
    const pool = minimal.pools[0];

    expect(problemsOf({ ...minimal, pools: [pool, pool] })).toContain(
      'pools[1].name: duplicates pool "linux"',
    );
  });

  it('fills in the default alarm thresholds and leaves the budget out', () => {
    const config = parseConfig(JSON.stringify(minimal));

    expect(config.alarms).toEqual({
      spendPercentOfCap: 80,
      instancesPercentOfCap: 90,
      jobWaitP95Seconds: 300,
      startupP95Seconds: 120,
      refusedWebhooksPer5Minutes: 10,
      lambdaErrorsPer5Minutes: 1,
      lambdaThrottlesPer5Minutes: 1,
    });
    expect(config.budget).toBeUndefined();
  });

  it('fills in the budget notifications: actual spend at 80% and 100%, forecast at 100%', () => {
    const config = parseConfig(JSON.stringify({ ...minimal, budget: { monthlyUsd: 250 } }));

    expect(config.budget).toEqual({
      monthlyUsd: 250,
      alertPercentages: [80, 100],
      forecastPercentages: [100],
    });
  });

  it('names every bad alarm and budget key in one error', () => {
    const problems = problemsOf({
      ...minimal,
      alarms: { jobWaitP95Seconds: 5, spendPercentOfCap: 120, refusedWebhooks: 3 },
      budget: { alertPercentages: [50, 50] },
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^alarms\.jobWaitP95Seconds: /),
        expect.stringMatching(/^alarms\.spendPercentOfCap: /),
        'alarms.refusedWebhooks: unknown key (misspelt?)',
        'budget.monthlyUsd: is required',
      ]),
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a repeated percentage', { alertPercentages: [50, 50] }, 'budget.alertPercentages[1]: repeats 50'],
    [
      'more than the 10 notifications AWS Budgets allows',
      { alertPercentages: [10, 20, 30, 40, 50, 60, 70, 80], forecastPercentages: [90, 100, 110] },
      'budget.alertPercentages: alertPercentages and forecastPercentages hold at most 10 values together',
    ],
  ])('refuses a budget with %s', (_label, changes, problem) => {
    expect(problemsOf({ ...minimal, budget: { monthlyUsd: 100, ...changes } })).toContain(problem);
  });

  it.each([
    [
      'a missing comma',
      '{\n  "stackName": "x"\n  "maxInstances": 3\n}',
      'line 3, column 3: a comma is missing before this',
    ],
    [
      'a doubled comma',
      '{\n  "maxInstances": 3,,\n}',
      'line 2, column 21: a key in double quotes is expected here',
    ],
    ['a missing value', '{\n  "maxInstances": \n}', 'line 3, column 1: a value is expected here'],
    ['an unclosed object', '{\n  "maxInstances": 3\n', 'a closing brace } is missing'],
    ['an unclosed string', '{ "stackName": "x }', 'a string is not closed with a double quote'],
  ])('names %s in a sentence, with its line and column', (_label, text, sentence) => {
    expect(() => parseConfig(text)).toThrow(sentence);
  });

  it('says when the file cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotlab-'));

    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/cannot read the file \(ENOENT\)/);
  });

  it('reads comments and trailing commas', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotlab-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, `// header\n${JSON.stringify(minimal).replace(/}$/, ',}')}`);

    expect(loadConfig(file).maxInstances).toBe(10);
  });
});

describe('instance types', () => {
  it('refuses a type EC2 does not have, in every pool, naming the key (not its architecture)', () => {
    const pools = [
      {
        name: 'arm',
        tags: ['arm'],
        instanceTypes: ['m7g.large', 'm9z.huge'],
        architecture: 'arm64',
        maxInstances: 5,
      },
      { name: 'x86', tags: ['x86'], instanceTypes: ['m9z.huge'], architecture: 'x86_64', maxInstances: 5 },
    ];

    const problems = problemsOf({ ...minimal, pools });

    expect(problems.filter((p) => p.includes('m9z.huge'))).toEqual([
      expect.stringMatching(
        /^pools\[0\]\.instanceTypes\[1\]: m9z\.huge is not an EC2 instance type; the list of \d{4}-\d\d-\d\d/,
      ),
      expect.stringMatching(/^pools\[1\]\.instanceTypes\[0\]: m9z\.huge is not an EC2 instance type/),
    ]);
    expect(problems.join('\n')).not.toMatch(/m9z\.huge is (x86_64|arm64)/);
  });

  it('suggests real types of the same family for a misspelt size', () => {
    const pools = [
      { name: 'arm', tags: ['arm'], instanceTypes: ['m7g.huge'], architecture: 'arm64', maxInstances: 5 },
    ];

    expect(problemsOf({ ...minimal, pools })[0]).toMatch(/same family: m7g\./);
  });

  it('refuses a price override for a type EC2 does not have', () => {
    expect(problemsOf({ ...minimal, prices: { usdPerHour: { 'm9z.huge': 1 } } }).join('\n')).toMatch(
      /prices\.usdPerHour\.m9z\.huge.*not an EC2 instance type/,
    );
  });
});

describe('architectureOfInstanceType', () => {
  it.each([
    ['m7g.large', 'arm64'],
    ['c6gn.xlarge', 'arm64'],
    ['g5g.xlarge', 'arm64'],
    ['t4g.micro', 'arm64'],
    ['m7i.large', 'x86_64'],
    ['g4dn.xlarge', 'x86_64'],
    ['g5.xlarge', 'x86_64'],
    ['c7a.2xlarge', 'x86_64'],
    ['u-6tb1.metal', 'x86_64'],
    ['a1.large', 'arm64'],
    ['p6e-gb200.36xlarge', 'arm64'],
    ['u7i-12tb.224xlarge', 'x86_64'],
    ['m7i-flex.large', 'x86_64'],
    ['nonsense', undefined],
  ])('reads %s as %s', (type, arch) => {
    expect(architectureOfInstanceType(type)).toBe(arch);
  });
});
