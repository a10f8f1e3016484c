import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { alarmMetricCount, IDLE_ASSUMPTIONS, idleCost, idleCustomMetricCount } from '../../lib/cost/idle';
import { controlPlaneUsdPerJob, instanceExtrasUsd } from '../../lib/cost/per-job';
import { shipped, synth } from '../support/template';

function withPools(count: number): Readonly<SpotlabConfig> {
  const [first] = shipped.pools;
  if (first === undefined) throw new Error('the shipped configuration has a pool');
  const pools = Array.from({ length: count }, (_, i) => ({ ...first, name: `pool-${i}` }));
  return parseConfig(JSON.stringify({ ...shipped, pools }));
}

interface AlarmResource {
  readonly Properties: {
    readonly Period?: number;
    readonly Metrics?: readonly { MetricStat?: { Period: number } }[];
  };
}

/** Alarm metrics as CloudWatch bills them: one per plain alarm, one per metric of a metric-math alarm. */
function billedAlarmMetrics(config: Readonly<SpotlabConfig>): { metrics: number; shortestPeriod: number } {
  const alarms = Object.values(
    synth(config).template.findResources('AWS::CloudWatch::Alarm'),
  ) as AlarmResource[];
  const periods = alarms.flatMap((a) =>
    a.Properties.Metrics === undefined
      ? [a.Properties.Period ?? 0]
      : a.Properties.Metrics.flatMap((m) => (m.MetricStat === undefined ? [] : [m.MetricStat.Period])),
  );
  return { metrics: periods.length, shortestPeriod: Math.min(...periods) };
}

describe('Idle cost', () => {
  it.each([1, 3])(
    'counts the alarm metrics the template of %i pool(s) really bills, all standard resolution',
    (pools) => {
      const billed = billedAlarmMetrics(withPools(pools));

      expect(alarmMetricCount(pools)).toBe(billed.metrics);
      expect(billed.shortestPeriod).toBeGreaterThanOrEqual(60);
    },
  );

  it('costs about $8 a month for the shipped two pools, the dashboard being the largest line', () => {
    const cost = idleCost(shipped);
    const byItem = Object.fromEntries(cost.lines.map((l) => [l.item, l.usdPerMonth]));

    expect(cost.usdPerMonth).toBeCloseTo(8.21, 2);
    expect(byItem['CloudWatch alarms']).toBeCloseTo(2.1, 5);
    expect(byItem['CloudWatch dashboard']).toBe(3);
    expect(byItem['custom metrics sent while idle']).toBeCloseTo(1.2, 5);
    expect(byItem['KMS key of the alarm topic']).toBe(1);
    expect(Math.max(...cost.lines.map((l) => l.usdPerMonth))).toBe(3);
  });

  it('grows by one alarm metric and one custom metric, $0.40, with each pool', () => {
    expect(idleCustomMetricCount(3) - idleCustomMetricCount(2)).toBe(1);
    expect(idleCost(withPools(3)).usdPerMonth - idleCost(withPools(2)).usdPerMonth).toBeCloseTo(0.4, 5);
  });

  it('adds $6.10 a month for the WAF option (one web ACL, one rule, the alarm on its blocks) and nothing without it', () => {
    const withWaf = parseConfig(JSON.stringify({ ...shipped, webhook: { waf: {} } }));

    expect(idleCost(withWaf).usdPerMonth - idleCost(shipped).usdPerMonth).toBeCloseTo(6.1, 5);
    expect(
      idleCost(shipped)
        .lines.map((l) => l.item)
        .join(),
    ).not.toContain('WAF');
  });

  it('follows its assumptions: twice the reaper time costs about 29 cents more', () => {
    const slower = idleCost(shipped, { ...IDLE_ASSUMPTIONS, reaperSecondsPerSweep: 2 });

    expect(slower.usdPerMonth - idleCost(shipped).usdPerMonth).toBeCloseTo(0.292, 3);
  });
});

describe('Cost per job', () => {
  it('puts the control plane at a few cents per 1,000 jobs', () => {
    expect(controlPlaneUsdPerJob() * 1000).toBeCloseTo(0.033, 3);
  });

  it('adds about 1.2 cents per 1,000 jobs behind the WAF option: REST API requests, each inspected', () => {
    const more = controlPlaneUsdPerJob(undefined, { waf: true }) - controlPlaneUsdPerJob();

    expect(more * 1000).toBeCloseTo((4 * (3.5 - 1 + 0.6)) / 1000, 6);
  });

  it('prices a 30 GiB gp3 volume and a public IPv4 address for an hour', () => {
    const extras = instanceExtrasUsd(60, 30);

    expect(extras.ebs).toBeCloseTo((30 * 0.08) / 730, 8);
    expect(extras.publicIpv4).toBe(0.005);
  });
});
