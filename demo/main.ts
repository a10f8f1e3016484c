/**
 * `npm run demo`: Spotlab's real webhook routing, scale-up, lifecycle and reaper code run a
 * bundled burst of a few hundred CI jobs over the in-memory EC2, GitLab, SSM and job table, on a
 * simulated clock, in about a second. No AWS account, no GitLab, no network (docs/demo.md).
 *
 * Prints a progress line every 2 simulated minutes, a summary, the report's path, and last the
 * summary as one JSON line. Exit code 1 when anything is left behind, 2 on a bad flag.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { UsageError } from '../cli/errors';
import type { CliIo } from '../cli/io';
import { parseFlags } from '../cli/planner/flags';
import { renderHtmlReport } from '../report/html';
import { runDemo } from './run-demo';
import { DEMO_SEED, demoScenario } from './scenario';
import { humanSummary, progressLine, summaryJson } from './summary';

/** Where the report goes unless `--out` says otherwise (relative to the working directory). */
export const DEFAULT_REPORT = 'spotlab-demo-report.html';
const PROGRESS_EVERY_MS = 120_000;

const USAGE = `Usage: npm run demo -- [--out <file.html>]

Runs a sample burst of CI pipelines through Spotlab's real code on a simulated clock and writes an
HTML report (default: ./${DEFAULT_REPORT}).
`;

const flagsSchema = z.object({
  out: z.string().min(1, 'must name a file').default(DEFAULT_REPORT),
  help: z.boolean().default(false),
});

/** Runs the demo; resolves to the exit code. */
export async function demo(
  args: readonly string[],
  io: Pick<CliIo, 'stdout' | 'stderr'> & { readonly cwd: string },
): Promise<number> {
  let flags: z.infer<typeof flagsSchema>;
  try {
    flags = parseFlags(args, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, flagsSchema);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    io.stdout(USAGE);
    return 0;
  }
  const scenario = demoScenario({ seed: DEMO_SEED });
  io.stdout(
    `Spotlab demo: ${scenario.jobs.length} jobs from 30 pipelines across ${scenario.pools.length} pools, seed ${scenario.seed}; simulated clock, in-memory EC2 and GitLab\n`,
  );
  let last = '';
  const { report, result } = await runDemo(scenario, {
    onSample: (sample) => {
      if (sample.atMs % PROGRESS_EVERY_MS !== 0) return;
      // Once every job is done the reaper keeps sweeping a while: one line says so, not twenty.
      const figures = `${sample.pendingJobs} ${sample.runningInstances} ${sample.launched}`;
      if (figures !== last) io.stdout(`${progressLine(sample)}\n`);
      last = figures;
    },
  });
  const out = resolve(io.cwd, flags.out);
  await writeFile(out, renderHtmlReport(report));
  io.stdout(`\nSummary\n${humanSummary(result)}\n\nReport: ${out}\n`);
  if (result.summary.leftovers > 0) io.stderr('Spotlab left instances, runners or tokens behind.\n');
  io.stdout(`${summaryJson(result.summary)}\n`);
  return result.summary.leftovers > 0 ? 1 : 0;
}

// Run only when executed (`tsx demo/main.ts`), not when a test imports `demo`.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href)
  process.exitCode = await demo(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // npm runs scripts from the package root; INIT_CWD is where `npm run demo` was typed.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  });
