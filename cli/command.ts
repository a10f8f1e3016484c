import type { z } from 'zod';
import { ConfigError } from '../lib/config/load';
import { type CliContext, createContext, networkOf } from './context';
import { OperatorError, UsageError } from './errors';
import { explainFailure } from './failures';
import type { CliIo, Command } from './io';
import type { NetworkContext } from './network-errors';
import { COMMON_HELP, type CommonOptions, parseOptions } from './options';

type OwnOptions = Parameters<typeof parseOptions>[1];

/** What a command declares: its help and its own options; `run` does the work. */
export interface CommandDefinition<S extends z.ZodObject> {
  readonly name: string;
  /** Usage line and description, printed above the common options by `--help`. */
  readonly help: string;
  readonly options: OwnOptions;
  readonly schema: S;
  run(context: CliContext, options: { common: CommonOptions; own: z.infer<S> }, io: CliIo): Promise<number>;
}

/**
 * Wraps a definition into a {@link Command}: parses flags (exit 2 on a bad one), prints `--help`,
 * loads the configuration, and reports any error as one message with what to do (exit 1), in
 * JSON on stdout as well when `--json` asked for it.
 */
export function defineCommand<S extends z.ZodObject>(definition: CommandDefinition<S>): Command {
  const help = `${definition.help.trimEnd()}\n\n${COMMON_HELP}`;
  return {
    async run(args, io) {
      let options: { common: CommonOptions; own: z.infer<S> };
      try {
        options = parseOptions(args, definition.options, definition.schema);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.stderr(`spotlab ${definition.name}: ${error.message}\n\n${help}`);
        return 2;
      }
      if (options.common.help) {
        io.stdout(help);
        return 0;
      }
      let network = networkOf(options.common, io);
      try {
        const context = createContext(options.common, io);
        network = context.network;
        return await definition.run(context, options, io);
      } catch (error) {
        const { message, fix } = describeFailure(error, network);
        io.stderr(`spotlab ${definition.name}: ${message}\n${fix === undefined ? '' : `  fix: ${fix}\n`}`);
        if (options.common.json)
          io.stdout(`${JSON.stringify({ ok: false, error: message, fix }, null, 2)}\n`);
        return 1;
      }
    },
  };
}

function describeFailure(failure: unknown, network: NetworkContext): { message: string; fix?: string } {
  const error = explainFailure(failure, network);
  if (error instanceof OperatorError) return { message: error.message, fix: error.fix };
  if (error instanceof ConfigError)
    return { message: error.message, fix: `Correct ${error.file} and run again.` };
  if (error instanceof Error) return { message: `${error.name}: ${error.message}` };
  return { message: String(error) };
}
