/**
 * Writes planner/samples/sample-trace.csv: about 200 jobs of 3 projects over a working day (09:00 to
 * 18:00 UTC, busier mid-morning and after lunch), pipelines of build → test (parallel) → deploy.
 * Deterministic: `npx tsx planner/samples/generate-sample.ts` rewrites the same file.
 *
 * With `--jobs N [--per-day M] --out FILE` it writes a larger trace of the same shape instead: M
 * jobs a working day (default 2,000), day after day until N jobs, for measuring how `spotlab
 * simulate` scales (`docs/simulate.md`).
 */
import { writeFileSync } from 'node:fs';
import type { TraceJob } from '../model';
import { Prng } from '../prng';
import { formatTrace } from '../trace/write';

const DAY_MS = Date.parse('2026-03-02T09:00:00Z');
const TAGS: readonly (readonly string[])[] = [[], ['docker'], ['docker', 'arm64'], ['x86_64']];
const STAGES = [
  { names: ['build'], count: [1, 1], seconds: [120, 300] },
  { names: ['unit', 'integration', 'lint', 'e2e'], count: [2, 4], seconds: [180, 600] },
  { names: ['deploy'], count: [0, 1], seconds: [60, 150] },
] as const;

/** The sample's pipelines a working day: its rate curve yields about 200 jobs. */
const SAMPLE_JOBS_PER_DAY = 194;

function pipelineStarts(rng: Prng, dayMs = DAY_MS, scale = 1): number[] {
  const starts: number[] = [];
  for (let minute = 0; minute < 9 * 60; minute += 1) {
    // Pushes peak around 10:30 and 14:30; a quiet lunch hour.
    const hour = 9 + minute / 60;
    const rate = 0.05 + 0.11 * Math.exp(-((hour - 10.5) ** 2)) + 0.09 * Math.exp(-((hour - 14.5) ** 2));
    const perMinute = (hour >= 12 && hour < 13 ? rate / 3 : rate) * scale;
    // At scale 1 one draw a minute, as the sample was generated; above it, whole starts plus a draw.
    for (let n = 0; n < Math.floor(perMinute); n += 1) starts.push(dayMs + minute * 60_000);
    if (rng.chance(perMinute % 1)) starts.push(dayMs + minute * 60_000);
  }
  return starts;
}

function pipeline(rng: Prng, createdAtMs: number): TraceJob[] {
  const project = rng.pick([101, 102, 103]);
  const tags = rng.pick(TAGS);
  const jobs: TraceJob[] = [];
  let queuedAtMs = createdAtMs;
  for (const stage of STAGES) {
    const count = rng.int(stage.count[0], stage.count[1]);
    let stageEndMs = queuedAtMs;
    for (let i = 0; i < count; i += 1) {
      const durationSeconds = rng.int(stage.seconds[0], stage.seconds[1]);
      jobs.push({ project, createdAtMs, queuedAtMs, durationSeconds, tags, name: stage.names[i] ?? 'job' });
      stageEndMs = Math.max(stageEndMs, queuedAtMs + durationSeconds * 1000);
    }
    queuedAtMs = stageEndMs;
  }
  return jobs;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** `jobs` jobs, `perDay` a working day, day after day from the sample's day. */
function largeTrace(rng: Prng, jobs: number, perDay: number): TraceJob[] {
  const trace: TraceJob[] = [];
  for (let day = 0; trace.length < jobs; day += 1) {
    const starts = pipelineStarts(rng, DAY_MS + day * 86_400_000, perDay / SAMPLE_JOBS_PER_DAY);
    for (const start of starts) trace.push(...pipeline(rng, start));
  }
  return trace.slice(0, jobs);
}

const rng = new Prng(2026);
const wanted = flag('--jobs');
if (wanted === undefined) {
  const jobs = pipelineStarts(rng).flatMap((start) => pipeline(rng, start));
  writeFileSync(new URL('./sample-trace.csv', import.meta.url), formatTrace(jobs, 'csv'));
  process.stderr.write(`${jobs.length} jobs written to planner/samples/sample-trace.csv\n`);
} else {
  const out = flag('--out');
  const count = Number(wanted);
  const perDay = Number(flag('--per-day') ?? 2000);
  if (out === undefined || !Number.isSafeInteger(count) || count < 1 || !(perDay > 0))
    throw new Error('usage: generate-sample.ts --jobs N [--per-day M] --out FILE');
  const jobs = largeTrace(rng, count, perDay);
  writeFileSync(out, formatTrace(jobs, 'csv'));
  process.stderr.write(`${jobs.length} jobs written to ${out}\n`);
}
