/**
 * `spotlab simulate` at scale (issue 13): for each size, writes a trace of the bundled sample's
 * shape with `planner/samples/generate-sample.ts --jobs N` (2,000 jobs a working day, day after
 * day), then runs `spotlab simulate --json --trace` on it in a fresh process, so that each size's
 * peak RSS is its own. Prints one JSON line per size: `{"jobs","seconds","peakRssMB",
 * "secondsPerThousandJobs"}`; time and memory should grow linearly with the trace, so the last
 * field should stay flat. `seconds` is the command's own wall time (trace read to summary), not
 * the process start.
 *
 * `npm run bench:simulate` runs 2,000, 20,000 and 100,000 jobs (about two minutes on the 2-core
 * development machine); `-- --jobs 2000,20000` picks other sizes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';

const DEFAULT_SIZES = [2_000, 20_000, 100_000];
const GENERATOR = fileURLToPath(new URL('../planner/samples/generate-sample.ts', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** What a child run reports on its last line. */
const childReport = z.object({ seconds: z.number(), peakRssMB: z.number() });

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

/** Runs node with this process's loader flags (tsx), failing loudly with the child's stderr. */
function node(args: readonly string[]): string {
  const run = spawnSync(process.execPath, [...process.execArgv, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${run.stderr}`);
  return run.stdout;
}

/** In the child: one `spotlab simulate --json` run over `trace`, timed, with this process's peak RSS. */
async function child(trace: string): Promise<void> {
  const { main } = await import('../cli/main');
  let out = '';
  const io = {
    stdout: (text: string) => (out += text),
    stderr: (text: string) => process.stderr.write(text),
  };
  const started = performance.now();
  const code = await main(['simulate', '--json', '--trace', trace], { ...io, env: process.env });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`spotlab simulate exited ${code}`);
  // resourceUsage().maxRSS is in kilobytes: the process's peak, as `/usr/bin/time -v` reports it.
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${out.trim().split('\n').at(-1)}\n${JSON.stringify({ seconds, peakRssMB })}\n`);
}

async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spotlab-bench-simulate-'));
  try {
    for (const jobs of sizes()) {
      const trace = join(dir, `trace-${jobs}.csv`);
      node([GENERATOR, '--jobs', String(jobs), '--out', trace]);
      const last = node([SELF, '--child', trace]).trim().split('\n').at(-1) ?? '';
      const { seconds, peakRssMB } = childReport.parse(JSON.parse(last));
      const line = {
        jobs,
        seconds: Math.round(seconds * 10) / 10,
        peakRssMB: Math.round(peakRssMB),
        secondsPerThousandJobs: Math.round((seconds / jobs) * 1000 * 100) / 100,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const trace = flag('--child');
await (trace === undefined ? bench() : child(trace));
