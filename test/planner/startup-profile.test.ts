import { describe, expect, it } from 'vitest';
import { StartupStage } from '../../lambdas/shared/metric-names';
import { loadConfig } from '../../lib/config/load';
import { DEFAULT_PARAMETERS } from '../../planner/defaults';
import {
  flatStartup,
  launchToJobSeconds,
  launchToReadySeconds,
  profileOfPoolImage,
  STARTUP_PROFILES,
  STARTUP_STAGES,
  simStartupTimes,
} from '../../planner/startup-profile';
import { configuredScenario } from '../../sim/world/replay-configured';
import { job } from './fake-replay';

describe('the start-up model', () => {
  it("names the VM's stages as the bootstrap's telemetry does, between EC2's and GitLab's", () => {
    expect(STARTUP_STAGES).toEqual([
      'running',
      StartupStage.boot,
      StartupStage.token,
      StartupStage.tools,
      'runner',
      'job',
    ]);
  });

  it.each([
    ['stock', 60],
    ['baked', 25],
    ['warm', 5],
  ] as const)('takes the %s profile from launch to job running within %i s', (name, bound) => {
    expect(launchToJobSeconds(STARTUP_PROFILES[name])).toBeLessThanOrEqual(bound);
  });

  it('spends most of a stock start-up installing tools, which a baked image skips', () => {
    const { stock, baked } = STARTUP_PROFILES;

    expect(stock.seconds.tools).toBeGreaterThanOrEqual(15);
    expect(baked.seconds.tools).toBeLessThan(5);
    expect(launchToJobSeconds(stock) - launchToJobSeconds(baked)).toBeGreaterThan(25);
  });

  it('gives a warm instance no EC2 launch, boot or install: only the token wait and the runner', () => {
    expect(STARTUP_PROFILES.warm.seconds).toMatchObject({ running: 0, boot: 0, tools: 0 });
  });

  it('splits a profile where the simulated VM reads its token, and the parts add up', () => {
    const times = simStartupTimes(STARTUP_PROFILES.stock);

    expect(times).toEqual({ bootMs: 22_500, readyMs: 31_500 });
    expect(times.bootMs + times.readyMs).toBe(launchToJobSeconds(STARTUP_PROFILES.stock) * 1000);
  });

  it('keeps --boot-seconds flat: all before the token read, the job taken at once', () => {
    expect(simStartupTimes(flatStartup(30))).toEqual({ bootMs: 30_000, readyMs: 0 });
  });

  it('readies an idle-pool instance before its job stage', () => {
    expect(launchToReadySeconds(STARTUP_PROFILES.stock)).toBe(
      launchToJobSeconds(STARTUP_PROFILES.stock) - 0.5,
    );
  });

  it('is stock by default, and models a pool by its image: baked as baked, anything else as stock', () => {
    expect(DEFAULT_PARAMETERS.startup.name).toBe('stock');
    expect(profileOfPoolImage('baked').name).toBe('baked');
    expect(
      ['al2023', 'ami-0123456789abcdef0', 'ssm:/golden/ami'].map((i) => profileOfPoolImage(i).name),
    ).toEqual(['stock', 'stock', 'stock']);
  });

  it("starts each configured pool's VMs as its image does, unless one profile was asked for", () => {
    const shipped = loadConfig('spotlab.config.json');
    const [first, second] = shipped.pools;
    if (first === undefined || second === undefined)
      throw new Error('the shipped configuration has two pools');
    const config = { ...shipped, pools: [first, { ...second, image: 'baked' }] };
    const fleet = { config, prices: { usdPerHour: {}, defaultUsdPerHour: 0.1 } };
    const trace = [job(0, 60)];

    const byImage = configuredScenario(trace, { ...DEFAULT_PARAMETERS, startupFromPools: true }, fleet);
    const chosen = configuredScenario(
      trace,
      { ...DEFAULT_PARAMETERS, startup: STARTUP_PROFILES.warm },
      fleet,
    );

    expect(byImage.scenario.pools.map((p) => p.startup)).toEqual([
      simStartupTimes(STARTUP_PROFILES.stock),
      simStartupTimes(STARTUP_PROFILES.baked),
    ]);
    expect(chosen.scenario.pools.map((p) => p.startup)).toEqual([
      simStartupTimes(STARTUP_PROFILES.warm),
      simStartupTimes(STARTUP_PROFILES.warm),
    ]);
  });
});
