/**
 * `spotlab simulate` at scale (issue 13): for each size, writes a trace of the bundled sample's
 * shape with `planner/samples/generate-sample.ts --jobs N` (2,000 jobs a working day, day after
 * day), then runs `cli/spotlab.js simulate --json --trace` on it in a process of its own, so that
 * each size's peak RSS is its own. Prints one JSON line per size: `{"jobs","seconds","peakRssMB",
 * "secondsPerThousandJobs","cpuSeconds"}`; time and memory should grow linearly with the trace, so
 * `secondsPerThousandJobs` should stay flat. `seconds` is the process's wall time, its start (about
 * half a second) included; `cpuSeconds` its user + system CPU time, steadier than wall time on a
 * machine other work shares.
 *
 * `npm run bench:simulate` runs 2,000, 20,000 and 100,000 jobs (a few minutes on the 2-core
 * development machine); `-- --jobs 2000,20000` picks other sizes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';

const DEFAULT_SIZES = [2_000, 20_000, 100_000];
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const GENERATOR = path('../planner/samples/generate-sample.ts');
const CLI = path('../cli/spotlab.js');
const PEAK_RSS = path('./support/peak-rss.ts');

/** What the preload writes at the child's exit. */
const usageSchema = z.object({ maxRSS: z.number(), cpuMicros: z.number() });

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** The sizes asked for: `--jobs 2000,20000`, else the defaults. */
function sizes(): number[] {
  const asked = flag('--jobs');
  if (asked === undefined) return DEFAULT_SIZES;
  const parsed = asked.split(',').map(Number);
  if (parsed.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new Error('usage: bench/simulate.ts [--jobs N[,N...]]');
  return parsed;
}

/** Runs node with this process's loader flags (tsx); fails with the child's stderr. */
function node(args: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const run = spawnSync(process.execPath, [...process.execArgv, ...args], {
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${run.stderr}`);
}

const dir = mkdtempSync(join(tmpdir(), 'spotlab-bench-simulate-'));
try {
  for (const jobs of sizes()) {
    const trace = join(dir, `trace-${jobs}.csv`);
    const rssFile = join(dir, `rss-${jobs}`);
    node([GENERATOR, '--jobs', String(jobs), '--out', trace]);
    const started = performance.now();
    node(['--import', PEAK_RSS, CLI, 'simulate', '--json', '--trace', trace], {
      ...process.env,
      SPOTLAB_PEAK_RSS_FILE: rssFile,
    });
    const seconds = (performance.now() - started) / 1000;
    const usage = usageSchema.parse(JSON.parse(readFileSync(rssFile, 'utf8')));
    const line = {
      jobs,
      seconds: Math.round(seconds * 10) / 10,
      peakRssMB: Math.round(usage.maxRSS / 1024),
      secondsPerThousandJobs: Math.round((seconds / jobs) * 1000 * 100) / 100,
      cpuSeconds: Math.round(usage.cpuMicros / 100_000) / 10,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
