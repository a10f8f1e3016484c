import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CliIo, Command } from './io';

/** A subcommand: its line in `spotlab --help`, and its module, loaded only when it runs. */
interface Entry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/**
 * The subcommands. Each lives in `cli/commands/<name>.ts`; adding one is one line here. The
 * summaries live here so `--help` loads no command (and no AWS SDK client).
 */
const commands: Readonly<Record<string, Entry>> = {
  status: {
    summary: 'pools, instances, GitLab runners, jobs waiting and estimated spend now',
    load: async () => (await import('./commands/status')).statusCommand,
  },
  doctor: {
    summary: 'check the stack, SSM parameters, GitLab token and webhook; say what to fix',
    load: async () => (await import('./commands/doctor')).doctorCommand,
  },
  drain: {
    summary: 'stop launching instances; running jobs finish, idle instances are reaped',
    load: async () => (await import('./commands/drain')).drainCommand,
  },
  resume: {
    summary: 'launch instances again after `spotlab drain`',
    load: async () => (await import('./commands/resume')).resumeCommand,
  },
  simulate: {
    summary: 'replay a job trace: wait and cost for Spotlab, always-on runners and an idle-pool autoscaler',
    load: async () => (await import('./commands/simulate')).simulateCommand,
  },
  webhook: {
    summary: 'install the Job events webhook on a project or every project of a group; send it a test event',
    load: async () => (await import('./commands/webhook')).webhookCommand,
  },
  bench: {
    summary: 'launch instances of a pool and report each start-up stage (bench start-up), then clean up',
    load: async () => (await import('./commands/bench')).benchCommand,
  },
  trace: {
    summary: 'export a GitLab project’s job history as a trace for `spotlab simulate`',
    load: async () => (await import('./commands/trace')).traceCommand,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    'Usage: spotlab <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `spotlab <command> --help` for its options, `spotlab --version` for the version.',
    '',
  ].join('\n');
}

/** Runs `spotlab <command> ...args`; resolves to the process exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    io.stderr(`spotlab: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  return command.run(args, io);
}

const packageSchema = z.looseObject({ version: z.string().min(1) });

/** The `version` of the package.json beside cli/: the one `npm ci` installed from. */
export function packageVersion(): string {
  return packageSchema.parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')))
    .version;
}
