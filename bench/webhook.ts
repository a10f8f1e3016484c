/**
 * Webhook Lambda benchmark: what a cold start and a burst cost.
 *
 * 1. Bundles the Lambda exactly as `cdk synth` does and prints its size.
 * 2. Starts ≥ 20 fresh Node processes that load the bundle, and as many bare `node -e 0`, and prints
 *    the medians and their difference (the module-load cost every cold start pays).
 * 3. Drives the real handler in-process with the SQS and SSM clients mocked and prints events/s and
 *    the p99 latency of one event.
 *
 * Last line: {"bundleKB", "loadOverNodeMs", "p99Ms", "eventsPerSec"}. Targets (issue 2): bundle ≤ 450 KB,
 * load ≤ +50 ms over bare node, p99 ≤ 2 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { lambdaBuildOptions } from '../lib/bundling';
import { fixtureJson, type GitlabFixture } from '../test/support/fixtures';
import { lambdaContext, TEST_WEBHOOK_SECRET, webhookEvent } from '../test/support/http-api-event';

const LOAD_RUNS = 25;
const WARMUP_EVENTS = 2_000;
const MEASURED_EVENTS = 20_000;

const lambdaEnv = {
  DEMAND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand',
  LIFECYCLE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/lifecycle',
  WEBHOOK_SECRET_PARAMETER: '/spotlab/webhook-secret',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  // The SDK warns once on Node < 22; Lambda runs 22+, so the warning is not part of a cold start.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

async function bundle(): Promise<{ file: string; kb: number }> {
  mkdirSync('.bench/webhook', { recursive: true });
  const file = '.bench/webhook/index.mjs';
  await build({ ...lambdaBuildOptions('webhook'), outfile: file, metafile: false });
  return { file, kb: statSync(file).size / 1024 };
}

function timeProcess(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env: { ...process.env, ...lambdaEnv }, stdio: 'pipe' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return elapsed;
}

function measureLoad(file: string): { bundleMs: number; bareMs: number } {
  timeProcess(['-e', '0']);
  timeProcess([file]);
  const bare: number[] = [];
  const loaded: number[] = [];
  // Interleaved, so a noisy neighbour slows both series alike.
  for (let run = 0; run < LOAD_RUNS; run += 1) {
    bare.push(timeProcess(['-e', '0']));
    loaded.push(timeProcess([file]));
  }
  return { bundleMs: median(loaded), bareMs: median(bare) };
}

function burstOfEvents(count: number): ReturnType<typeof webhookEvent>[] {
  const mix: GitlabFixture[] = [
    'job-hook-pending',
    'job-hook-pending',
    'job-hook-running',
    'job-hook-success',
    'job-hook-created',
  ];
  const bodies = mix.map((name) => fixtureJson(name));
  return Array.from({ length: count }, (_, index) =>
    webhookEvent(JSON.stringify({ ...bodies[index % bodies.length], build_id: 7_000_000_000 + index })),
  );
}

async function measureHandler(): Promise<{ p99Ms: number; p50Ms: number; eventsPerSec: number }> {
  Object.assign(process.env, lambdaEnv);
  mockClient(SQSClient).on(SendMessageCommand).resolves({ MessageId: 'm' });
  mockClient(SSMClient)
    .on(GetParameterCommand)
    .resolves({ Parameter: { Value: TEST_WEBHOOK_SECRET } });
  const { handler } = await import('../lambdas/webhook/handler');
  const events = burstOfEvents(WARMUP_EVENTS + MEASURED_EVENTS);
  const latencies: number[] = [];
  // Logs and EMF are still serialised; only the terminal write is skipped.
  const writes = [process.stdout.write, process.stderr.write];
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  let started = 0;
  try {
    for (const [index, event] of events.entries()) {
      if (index === WARMUP_EVENTS) started = performance.now();
      const before = performance.now();
      const response = await handler(event, lambdaContext);
      if (index >= WARMUP_EVENTS) latencies.push(performance.now() - before);
      if (response.statusCode !== 202) throw new Error(`unexpected status ${response.statusCode}`);
    }
  } finally {
    [process.stdout.write, process.stderr.write] = writes as [
      typeof process.stdout.write,
      typeof process.stderr.write,
    ];
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    p99Ms: percentile(latencies, 99),
    p50Ms: percentile(latencies, 50),
    eventsPerSec: MEASURED_EVENTS / seconds,
  };
}

const { file, kb } = await bundle();
console.log(`bundle: ${round(kb)} KB (${file})`);
const load = measureLoad(file);
console.log(
  `load: bundle ${round(load.bundleMs)} ms, bare node ${round(load.bareMs)} ms, median of ${LOAD_RUNS} fresh processes each`,
);
const handlerFigures = await measureHandler();
console.log(
  `handler: ${Math.round(handlerFigures.eventsPerSec)} events/s, p50 ${round(handlerFigures.p50Ms, 3)} ms, p99 ${round(handlerFigures.p99Ms, 3)} ms over ${MEASURED_EVENTS} events`,
);
console.log(
  JSON.stringify({
    bundleKB: round(kb),
    loadOverNodeMs: round(load.bundleMs - load.bareMs),
    p99Ms: round(handlerFigures.p99Ms, 3),
    eventsPerSec: Math.round(handlerFigures.eventsPerSec),
  }),
);
