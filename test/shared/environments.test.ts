import { describe, expect, expectTypeOf, it } from 'vitest';
import { encodeLifecycleEnv, type LifecycleEnv, readLifecycleEnv } from '../../lambdas/lifecycle/env';
import { encodeReaperEnv, poolLimitsOf, type ReaperEnv, readReaperEnv } from '../../lambdas/reaper/env';
import { encodeScaleUpEnv, readScaleUpEnv, type ScaleUpEnv } from '../../lambdas/scale-up/env';
import { type KeptOutOfScaleUp, type RuntimePool, runtimePool } from '../../lambdas/scale-up/runtime-pool';
import { type Pool, poolShape } from '../../lambdas/shared/pool';
import { encodeWebhookEnv, readWebhookEnv, type WebhookEnv } from '../../lambdas/webhook/env';
import { parseConfig } from '../../lib/config/load';
import { shipped } from '../support/template';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/spotlab-demand';
const GITLAB = { gitlabUrl: shipped.gitlab.url, gitlabTokenParameter: shipped.gitlab.apiTokenParameter };

const scaleUp: ScaleUpEnv = {
  stackName: 'Spotlab',
  metricsNamespace: 'Spotlab',
  instanceArnPrefix: 'arn:aws:ec2:eu-west-1:123456789012:instance/',
  tableName: 'Spotlab-Jobs',
  interruptionTableName: 'Spotlab-Interruptions',
  ...GITLAB,
  scope: { type: 'group', groupId: 12 },
  admission: { allowedProjects: [380], allowedNamespaces: ['acme/platform'] },
  pools: shipped.pools.map((pool, index) => runtimePool(pool, `lt-0${index}`)),
  subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
  limits: { maxInstances: shipped.maxInstances, maxSpendPerHourUsd: 2.5, maxInstancesPerProject: 3 },
  prices: { usdPerHour: { 'm7g.large': 0.09 }, defaultUsdPerHour: 0.5 },
  shapeTags: shipped.shapeTags,
  demandQueueUrl: QUEUE,
  ec2LaunchRate: { burst: 1_000, perSecond: 2 },
};
const reaper: ReaperEnv = {
  stackName: 'Spotlab',
  metricsNamespace: 'Spotlab',
  tableName: 'Spotlab-Jobs',
  ...GITLAB,
  demandQueueUrl: QUEUE,
  sweep: {
    poolLimits: poolLimitsOf(shipped.pools),
    prices: shipped.prices,
    runnerScope: shipped.runnerScope,
    ...shipped.reaper,
    projectIds: [101, 102],
  },
};
const lifecycle: LifecycleEnv = {
  stackName: 'Spotlab',
  metricsNamespace: 'Spotlab',
  tableName: 'Spotlab-Jobs',
  interruptionTableName: 'Spotlab-Interruptions',
  demandQueueUrl: QUEUE,
  ...GITLAB,
};
const webhook: WebhookEnv = {
  demandQueueUrl: QUEUE,
  lifecycleQueueUrl: `${QUEUE}-lifecycle`,
  metricsNamespace: 'Spotlab/CiTwo',
  webhookSecretParameter: '/spotlab/webhook-secret',
  gitlabUrl: 'https://gitlab.com',
  signingTokenParameter: '/spotlab/webhook-signing-token',
  secretCacheSeconds: 60,
};

describe("each Lambda's environment, as the stack writes it and the Lambda reads it", () => {
  it.each([
    ['scale-up', () => readScaleUpEnv(encodeScaleUpEnv(scaleUp)), scaleUp],
    ['reaper', () => readReaperEnv(encodeReaperEnv(reaper)), reaper],
    ['lifecycle', () => readLifecycleEnv(encodeLifecycleEnv(lifecycle)), lifecycle],
    ['webhook', () => readWebhookEnv(encodeWebhookEnv(webhook)), webhook],
  ])('reads back the %s settings it was written with', (_fn, roundTrip, settings) => {
    expect(roundTrip()).toEqual(settings);
  });

  it('writes each setting in the variable the Lambda reads, structured values as JSON', () => {
    expect(encodeScaleUpEnv(scaleUp)).toMatchObject({
      JOB_TABLE_NAME: 'Spotlab-Jobs',
      INTERRUPTION_TABLE_NAME: 'Spotlab-Interruptions',
      RUNNER_SCOPE: '{"type":"group","groupId":12}',
      MAX_INSTANCES: String(shipped.maxInstances),
      MAX_SPEND_PER_HOUR_USD: '2.5',
      MAX_INSTANCES_PER_PROJECT: '3',
      ALLOWED_PROJECTS: '[380]',
      ALLOWED_NAMESPACES: '["acme/platform"]',
      SUBNET_IDS: '["subnet-0aaa1111","subnet-0bbb2222"]',
    });
    expect(Object.keys(encodeReaperEnv(reaper))).toEqual([
      'STACK_NAME',
      'POWERTOOLS_METRICS_NAMESPACE',
      'JOB_TABLE_NAME',
      'GITLAB_URL',
      'GITLAB_TOKEN_PARAMETER',
      'DEMAND_QUEUE_URL',
      'POOL_LIMITS',
      'PRICES',
      'RUNNER_SCOPE',
      'PROJECT_IDS',
      'TOKEN_PICKUP_SECONDS',
      'BOOT_GRACE_SECONDS',
      'PENDING_GRACE_SECONDS',
      'MAX_PAGES_PER_SWEEP',
    ]);
  });

  it('leaves out an unset optional setting rather than writing an empty variable', () => {
    const { signingTokenParameter: _, ...unsigned } = webhook;
    expect(encodeWebhookEnv(unsigned)).not.toHaveProperty('SIGNING_TOKEN_PARAMETER');
    expect(readWebhookEnv(encodeWebhookEnv(unsigned)).signingTokenParameter).toBeUndefined();
  });

  it('admits every project and caps none below the default when no allow-list or project cap is set', () => {
    const open = { ...scaleUp, admission: {}, limits: { maxInstances: 10, maxSpendPerHourUsd: 2.5 } };
    const env = encodeScaleUpEnv(open);
    expect(env).not.toHaveProperty('ALLOWED_PROJECTS');
    expect(env).not.toHaveProperty('MAX_INSTANCES_PER_PROJECT');
    const decoded = readScaleUpEnv(env);
    expect(decoded.admission.allowedProjects).toBeUndefined();
    expect(decoded.limits.maxInstancesPerProject).toBeUndefined();
  });

  it('refuses a namespace that is not a full path', () => {
    expect(() => readScaleUpEnv({ ...encodeScaleUpEnv(scaleUp), ALLOWED_NAMESPACES: '["/acme/"]' })).toThrow(
      'scale-up environment is invalid: ALLOWED_NAMESPACES',
    );
  });

  it.each([
    ['none', undefined],
    ["AWS's own", 'AWS/Lambda'],
    ['one with a space', 'Spotlab ci'],
  ])('refuses %s as the metrics namespace, in every Lambda', (_label, namespace) => {
    const bad = { POWERTOOLS_METRICS_NAMESPACE: namespace };
    const refused = 'environment is invalid: POWERTOOLS_METRICS_NAMESPACE';

    expect(() => readScaleUpEnv({ ...encodeScaleUpEnv(scaleUp), ...bad })).toThrow(refused);
    expect(() => readReaperEnv({ ...encodeReaperEnv(reaper), ...bad })).toThrow(refused);
    expect(() => readLifecycleEnv({ ...encodeLifecycleEnv(lifecycle), ...bad })).toThrow(refused);
    expect(() => readWebhookEnv({ ...encodeWebhookEnv(webhook), ...bad })).toThrow(refused);
  });

  it('names a variable holding malformed JSON', () => {
    expect(() => readScaleUpEnv({ ...encodeScaleUpEnv(scaleUp), POOLS: '[{' })).toThrow(
      'scale-up environment is invalid: POOLS',
    );
  });

  it('makes a missing or misspelt setting a type error where the stack writes the environment', () => {
    const { tableName: _, ...withoutTable } = lifecycle;
    // @ts-expect-error tableName is missing
    const missing = () => encodeLifecycleEnv(withoutTable);
    // @ts-expect-error tableNmae is not a setting
    const misspelt = () => encodeLifecycleEnv({ ...withoutTable, tableNmae: 'x' });
    // And were the types bypassed, the Lambda would refuse it at cold start.
    expect(() => readLifecycleEnv(missing())).toThrow('lifecycle environment is invalid: JOB_TABLE_NAME');
    expect(() => readLifecycleEnv(misspelt())).toThrow('lifecycle environment is invalid: JOB_TABLE_NAME');
  });
});

describe('a pool option declared once reaches scale-up', () => {
  const everyKeySet = parseConfig(
    JSON.stringify({
      gitlab: { url: 'https://gitlab.com', webhookSecretParameter: '/s/w', apiTokenParameter: '/s/a' },
      maxInstances: 10,
      maxSpendPerHourUsd: 5,
      pools: [
        {
          name: 'gpu',
          tags: ['gpu'],
          architecture: 'x86_64',
          instanceRequirements: { vCpuCount: { min: 4 }, memoryMiB: { min: 16_384 } },
          maxInstances: 2,
          onDemandForRetries: true,
        },
      ],
    }),
  ).pools;

  it("carries a pool's warm capacity to scale-up, which claims only for pools that have it", () => {
    const warm = { schedules: [{ cron: '0 8 * * 1-5', timeZone: 'UTC', durationHours: 11, count: 2 }] };
    const [pool] = shipped.pools;
    if (pool === undefined) throw new Error('no pool');
    const decoded = readScaleUpEnv(
      encodeScaleUpEnv({ ...scaleUp, pools: [runtimePool({ ...pool, warm }, 'lt-0arm')] }),
    ).pools[0];

    expect(decoded?.warm).toEqual(warm);
  });

  it('carries every key of the configured pool but those the stack or the reaper reads', () => {
    expectTypeOf<Exclude<keyof Pool, keyof RuntimePool | KeptOutOfScaleUp>>().toEqualTypeOf<never>();
    const [pool] = everyKeySet;
    if (pool === undefined) throw new Error('no pool');
    const decoded = readScaleUpEnv(encodeScaleUpEnv({ ...scaleUp, pools: [runtimePool(pool, 'lt-0gpu')] }))
      .pools[0];

    const kept: readonly string[] = [
      'image',
      'prePulledImages',
      'diskSizeGiB',
      'executor',
      'dockerImage',
      'privileged',
      'dockerGpus',
      'idleTimeoutSeconds',
      'maxLifetimeMinutes',
      'jobTimeoutMinutes',
    ] satisfies KeptOutOfScaleUp[];
    // This pool picks types by requirements, which rules out instanceTypes and warm: checked below.
    const passed = Object.keys(poolShape).filter(
      (key) => !kept.includes(key) && key !== 'instanceTypes' && key !== 'warm',
    );
    for (const key of passed) expect(decoded).toHaveProperty(key, Reflect.get(pool, key));
    expect(decoded).toMatchObject({
      launchTemplateId: 'lt-0gpu',
      jobTimeoutSeconds: pool.jobTimeoutMinutes * 60,
    });
  });
});
