import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  METRICS_NAMESPACE,
  Metric,
  STARTUP_METRIC,
  STARTUP_NAMESPACE,
  StartupStage,
} from '../../lambdas/shared/metric-names';
import { nagFindings } from '../support/nag';
import { shipped, synth } from '../support/template';
import {
  alarmNamed,
  alarms,
  emittedSets,
  linesOf,
  spotlabMetricsOf,
  topicId,
  widgetsOf,
  widgetTitled,
  withChanges,
} from './monitoring-template';

let plain: Template;
let full: Template;
let fullOutdir: string;

beforeAll(() => {
  plain = synth(shipped).template;
  ({ template: full, outdir: fullOutdir } = synth(
    withChanges({
      alarmEmail: 'platform@example.com',
      budget: { monthlyUsd: 300 },
      alarms: { jobWaitP95Seconds: 420, refusedWebhooksPer5Minutes: 25 },
    }),
  ));
});

describe('monitoring: alarm topic', () => {
  it('encrypts the topic with a rotated key of its own and refuses publishing without TLS', () => {
    plain.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringTopicKey'), 'Arn'] },
    });
    plain.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    plain.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it("lets CloudWatch publish and use the key only for this stack's alarms", () => {
    const fromAlarms = Match.objectLike({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
    });
    plain.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: fromAlarms,
          }),
        ]),
      },
    });
    plain.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: fromAlarms,
          }),
        ]),
      },
    });
  });

  it('subscribes the configured e-mail address, and no one when none is configured', () => {
    full.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform@example.com',
      TopicArn: { Ref: topicId(full) },
    });
    plain.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('monitoring: alarms', () => {
  it('sends every alarm, and its recovery, to the topic', () => {
    const all = [...alarms(plain), ...alarms(full)];
    expect(all.length).toBeGreaterThan(0);
    for (const alarm of all) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
    }
    expect(alarms(plain)[0]?.AlarmActions).toEqual([{ Ref: topicId(plain) }]);
  });

  it('alarms when estimated spend stays above 80% of maxSpendPerHourUsd (8 of 10 minutes)', () => {
    expect(alarmNamed(plain, 'spend-near-cap')).toMatchObject({
      Namespace: 'Spotlab',
      MetricName: 'EstimatedSpendPerHour',
      Dimensions: [{ Name: 'service', Value: 'reaper' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 4, // 80% of 5 USD
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 10,
      DatapointsToAlarm: 8,
      TreatMissingData: 'notBreaching',
    });
  });

  it("alarms at 90% of maxInstances on the reaper's total of running instances, however many pools", () => {
    expect(alarmNamed(plain, 'instances-near-cap')).toMatchObject({
      Namespace: 'Spotlab',
      MetricName: 'RunningInstances',
      Dimensions: [{ Name: 'service', Value: 'reaper' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 18, // 90% of 20
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each(['demand', 'lifecycle'])('alarms on any message in the %s dead-letter queue', (queue) => {
    expect(alarmNamed(plain, `${queue}-dead-letters`)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetters/), 'QueueName'] } },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on any GitLab auth failure of scale-up, lifecycle or reaper', () => {
    const alarm = alarmNamed(plain, 'gitlab-auth-failures');

    expect(alarm).toMatchObject({ Threshold: 1, TreatMissingData: 'notBreaching' });
    expect(spotlabMetricsOf(alarm)).toEqual(
      ['scale-up', 'lifecycle', 'reaper'].map((service) => ({
        name: 'GitlabAuthFailures',
        dims: [`service=${service}`],
      })),
    );
  });

  it("alarms on any job whose wait for capacity passes GitLab's one-hour pending limit", () => {
    expect(alarmNamed(plain, 'demand-at-risk')).toMatchObject({
      Namespace: 'Spotlab',
      MetricName: 'DemandAtRisk',
      Dimensions: [{ Name: 'service', Value: 'scale-up' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when reaper steps keep failing (5 of 10 sweeps), counted over every step, since the reaper itself never errors for one', () => {
    expect(alarmNamed(plain, 'reaper-failures')).toMatchObject({
      Namespace: 'Spotlab',
      MetricName: 'ReaperFailures',
      Dimensions: [{ Name: 'service', Value: 'reaper' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on a burst of refused webhooks, counted over every reason, at the configured size', () => {
    const expected = {
      Namespace: 'Spotlab',
      MetricName: 'WebhookRefused',
      Dimensions: [{ Name: 'service', Value: 'webhook' }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    };
    expect(alarmNamed(plain, 'webhook-refusals')).toMatchObject({ ...expected, Threshold: 10 });
    expect(alarmNamed(full, 'webhook-refusals')).toMatchObject({ ...expected, Threshold: 25 });
  });

  it.each(['webhook', 'scale-up', 'lifecycle', 'reaper'])(
    'alarms on errors and on throttles of the %s Lambda',
    (service) => {
      for (const [suffix, metric] of [
        ['errors', 'Errors'],
        ['throttles', 'Throttles'],
      ]) {
        expect(alarmNamed(plain, `${service}-${suffix}`)).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.any(String) } }],
          Threshold: 1,
          TreatMissingData: 'notBreaching',
        });
      }
    },
  );

  it('alarms per pool on the p95 job wait above the configured bound, in milliseconds', () => {
    for (const pool of ['arm-docker', 'x86-docker']) {
      expect(alarmNamed(full, `job-wait-${pool}`)).toMatchObject({
        MetricName: 'JobWait',
        Dimensions: [
          { Name: 'pool', Value: pool },
          { Name: 'service', Value: 'lifecycle' },
        ],
        ExtendedStatistic: 'p95',
        Period: 900,
        Threshold: 420_000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    expect(alarmNamed(plain, 'job-wait-arm-docker').Threshold).toBe(300_000);
  });

  it('reads only metrics the Lambdas emit, with the dimensions they emit them with', () => {
    const known = new Set<string>(Object.values(Metric));
    for (const alarm of alarms(full)) {
      for (const { name, dims } of spotlabMetricsOf(alarm)) {
        expect(known).toContain(name);
        const keys = dims.map((d) => d.split('=')[0]).filter((k) => k !== 'service');
        expect(emittedSets(name)).toContain(keys.sort().join());
      }
    }
  });
});

describe('monitoring: dashboard', () => {
  it('shows every metric the Lambdas emit', () => {
    const lines = widgetsOf(plain).flatMap(linesOf).join('\n');
    for (const name of Object.values(Metric)) expect(lines).toContain(name);
  });

  it('draws only metrics the Lambdas emit, with the dimensions they emit them with', () => {
    const lines = widgetsOf(plain)
      .flatMap(linesOf)
      // The VMs' own start-up namespace, Spotlab/Startup, has its own test below.
      .filter(
        (line) => line.startsWith(`${METRICS_NAMESPACE}/`) && !line.startsWith(`${STARTUP_NAMESPACE}/`),
      );
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      const [path = '', dimensions = ''] = line.split(' ');
      const name = path.slice(METRICS_NAMESPACE.length + 1);
      const keys = dimensions.split(',').map((d) => d.split('=')[0] ?? '');
      expect(emittedSets(name)).toContain(
        keys
          .filter((k) => k !== 'service')
          .sort()
          .join(),
      );
    }
  });

  it("shows each pool's VM start-up stages at p50 and p95, as the VMs report them", () => {
    for (const pool of ['arm-docker', 'x86-docker']) {
      const lines = linesOf(
        widgetTitled(plain, `${pool}: VM start-up by stage, seconds from kernel boot (p50, p95)`),
      );

      expect(lines).toEqual(
        Object.values(StartupStage).flatMap((stage) => [
          `${STARTUP_NAMESPACE}/${STARTUP_METRIC} pool=${pool},stage=${stage}`,
          `${STARTUP_NAMESPACE}/${STARTUP_METRIC} pool=${pool},stage=${stage}`,
        ]),
      );
    }
  });

  it('alarms on the p95 of the whole VM start-up across pools', () => {
    plain.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Spotlab-vm-startup',
      Namespace: STARTUP_NAMESPACE,
      MetricName: STARTUP_METRIC,
      Dimensions: [{ Name: 'stage', Value: StartupStage.total }],
      ExtendedStatistic: 'p95',
      Threshold: 120,
      TreatMissingData: 'notBreaching',
    });
  });

  it('gives each configured pool its own row: running instances, launches, waiting demand, latency', () => {
    for (const pool of ['arm-docker', 'x86-docker']) {
      expect(widgetsOf(plain).map((w) => w.properties.markdown)).toContain(`## Pool ${pool}`);
      expect(linesOf(widgetTitled(plain, `${pool}: running instances`))).toEqual([
        `Spotlab/RunningInstances pool=${pool},service=reaper`,
      ]);
      expect(
        linesOf(
          widgetTitled(
            plain,
            `${pool}: launches (spot, on-demand, on-demand for a spot cool-down) and shortfall by EC2 code`,
          ),
        ),
      ).toEqual([
        `Spotlab/InstancesLaunched lifecycle=spot,pool=${pool},service=scale-up`,
        `Spotlab/InstancesLaunched lifecycle=on-demand,pool=${pool},service=scale-up`,
        `Spotlab/CoolDownLaunches pool=${pool},service=scale-up`,
        `SEARCH('{Spotlab,service,pool,code} MetricName="LaunchShortfall" service="scale-up" pool="${pool}"', 'Sum', 300)`,
      ]);
      expect(linesOf(widgetTitled(plain, `${pool}: jobs waiting on a cap`))).toEqual([
        `Spotlab/DemandWaiting pool=${pool},service=scale-up`,
      ]);
      expect(linesOf(widgetTitled(plain, `${pool}: job wait in GitLab and webhook-to-launch (ms)`))).toEqual([
        `Spotlab/JobWait pool=${pool},service=lifecycle`,
        `Spotlab/JobWait pool=${pool},service=lifecycle`,
        `Spotlab/WebhookToLaunch pool=${pool},service=scale-up`,
        `Spotlab/WebhookToLaunch pool=${pool},service=scale-up`,
      ]);
    }
  });

  it('lists every alarm in its alarm widget', () => {
    const [widget] = widgetsOf(plain).filter((w) => w.type === 'alarm');
    expect(widget?.properties.alarms).toHaveLength(alarms(plain).length);
  });
});

describe('monitoring: budget', () => {
  it('is absent unless configured', () => {
    plain.resourceCountIs('AWS::Budgets::Budget', 0);
  });

  it("budgets the month on Spotlab's cost-allocation tag and notifies the topic", () => {
    const notice = (type: string, threshold: number) => ({
      Notification: {
        NotificationType: type,
        ComparisonOperator: 'GREATER_THAN',
        Threshold: threshold,
        ThresholdType: 'PERCENTAGE',
      },
      Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: topicId(full) } }],
    });
    full.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'Spotlab-monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 300, Unit: 'USD' },
        CostFilters: { TagKeyValue: ['user:spotlab:stack$Spotlab'] },
      },
      NotificationsWithSubscribers: [notice('ACTUAL', 80), notice('ACTUAL', 100), notice('FORECASTED', 100)],
    });
  });

  it('lets AWS Budgets of this account publish to the topic and use its key', () => {
    full.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Principal: { Service: 'budgets.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
    full.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'budgets.amazonaws.com' } })]),
      },
    });
    expect(JSON.stringify(plain.toJSON())).not.toContain('budgets.amazonaws.com');
  });
});

describe('monitoring: cdk-nag', () => {
  it('leaves no AwsSolutions finding with topic, key, alarms, dashboard and budget in the stack', () => {
    expect(nagFindings(fullOutdir)).toEqual([]);
  });
});
