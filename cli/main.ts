import type { CliIo, Command } from './io';

/**
 * The subcommands. Each lives in `cli/commands/<name>.ts`; adding one is one line here.
 */
const commands: Readonly<Record<string, () => Promise<Command>>> = {
  status: async () => (await import('./commands/status')).statusCommand,
  doctor: async () => (await import('./commands/doctor')).doctorCommand,
  drain: async () => (await import('./commands/drain')).drainCommand,
  resume: async () => (await import('./commands/resume')).resumeCommand,
  simulate: async () => (await import('./commands/simulate')).simulateCommand,
  trace: async () => (await import('./commands/trace')).traceCommand,
};

function usage(): string {
  const lines = Object.keys(commands).map((name) => `  ${name}`);
  return [
    'Usage: spotlab <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `spotlab <command> --help` for its options.',
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
  const load = commands[name];
  if (load === undefined) {
    io.stderr(`spotlab: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  return command.run(args, io);
}
