import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { compare } from '../../planner/compare';
import { TraceFormatError } from '../../planner/trace/errors';
import { formatOf, parseTrace } from '../../planner/trace/parse';
import type { RunReport } from '../../report/model';
import { UsageError } from '../errors';
import type { CliIo, Command } from '../io';
import { parseSimulateOptions, SIMULATE_HELP } from '../planner/simulate-options';
import { summaryJson, summaryTable } from '../planner/summary';
import { defaultSimulateDeps, type SimulateDeps } from '../planner/wiring';

/** `spotlab simulate` with its dependencies given (tests pass a fake replay and renderer). */
export function createSimulateCommand(deps: SimulateDeps): Command {
  return {
    async run(args, io) {
      let options: ReturnType<typeof parseSimulateOptions>;
      try {
        options = parseSimulateOptions(args);
        if (!options.help && options.trace === undefined)
          throw new UsageError('--trace: a trace file is required');
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.stderr(`spotlab simulate: ${error.message}\n\n${SIMULATE_HELP}`);
        return 2;
      }
      if (options.help || options.trace === undefined) {
        io.stdout(SIMULATE_HELP);
        return 0;
      }
      const jobs = await readTrace(options.trace, options.format ?? formatOf(options.trace), io);
      if (jobs === undefined) return 2;
      let report: RunReport;
      try {
        const title = `spotlab simulate: ${basename(options.trace)}`;
        report = await compare(jobs, options.parameters, options.alternatives, await deps.replay(), title);
        if (options.out !== undefined) await writeFile(options.out, (await deps.render())(report));
      } catch (error) {
        io.stderr(
          `spotlab simulate: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
        );
        return 1;
      }
      if (!options.json) {
        io.stdout(summaryTable(report));
        if (options.out !== undefined) io.stdout(`HTML report: ${options.out}\n`);
      }
      io.stdout(summaryJson(report));
      return 0;
    },
  };
}

/** The trace's jobs, or undefined after telling why it cannot be read (a usage error: exit 2). */
async function readTrace(file: string, format: 'csv' | 'json' | 'jsonl', io: CliIo) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    io.stderr(`spotlab simulate: cannot read ${file} (${reason})\n`);
    return undefined;
  }
  try {
    return parseTrace(text, format, file);
  } catch (error) {
    if (!(error instanceof TraceFormatError)) throw error;
    io.stderr(`spotlab simulate: ${error.message}\n`);
    return undefined;
  }
}

/** `spotlab simulate`: capacity planning from a job trace (docs/simulate.md). */
export const simulateCommand: Command = createSimulateCommand(defaultSimulateDeps);
