import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ConfigError } from '../../lib/config/load';
import { compare } from '../../planner/compare';
import { TraceFormatError } from '../../planner/trace/errors';
import { formatOf, parseTrace } from '../../planner/trace/parse';
import type { RunReport } from '../../report/model';
import { UsageError } from '../errors';
import type { CliIo, Command } from '../io';
import { configuredReplay } from '../planner/configured';
import { parseSimulateOptions, SIMULATE_HELP, type SimulateOptions } from '../planner/simulate-options';
import { startupTable, summaryJson, summaryTable } from '../planner/summary';
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
      const fleet = await replayFor(options, deps, io);
      if (fleet === undefined) return 2;
      let report: RunReport;
      try {
        const title = `spotlab simulate: ${basename(options.trace)}`;
        report = await compare(jobs, fleet.parameters, options.alternatives, fleet.replay, title);
        if (options.out !== undefined) await writeFile(options.out, (await deps.render())(report));
      } catch (error) {
        io.stderr(
          `spotlab simulate: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
        );
        return 1;
      }
      if (!options.json) {
        io.stdout(summaryTable(report));
        io.stdout(startupTable(report));
        if (options.out !== undefined) io.stdout(`HTML report: ${options.out}\n`);
      }
      io.stdout(summaryJson(report));
      return 0;
    },
  };
}

/**
 * The replay and its parameters: today's sample pool, or with `--config` the operator's fleet
 * (its notes on stderr); undefined after telling why the configuration or prices cannot be read.
 */
async function replayFor(options: SimulateOptions, deps: SimulateDeps, io: CliIo) {
  if (options.configured === undefined)
    return { replay: await deps.replay(), parameters: options.parameters };
  try {
    const load = deps.replayConfigured ?? defaultSimulateDeps.replayConfigured;
    if (load === undefined) throw new UsageError('--config: no configured replay available');
    const fleet = await configuredReplay(
      options.configured,
      io.env,
      options.parameters,
      options.pricePerHour,
      await load(),
    );
    for (const note of fleet.notes) io.stderr(`spotlab simulate: ${note}\n`);
    return fleet;
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    io.stderr(`spotlab simulate: ${error.message}\n`);
    return undefined;
  }
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
