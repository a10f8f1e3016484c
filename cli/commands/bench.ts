import type { Command } from '../io';

const USAGE = `Usage: spotlab bench start-up --pool <name> --count <n> [options]

  start-up  launch n instances of a pool through the deployed stack, print each start-up stage's
            p50/p95 from what the instances report, and clean up

Run \`spotlab bench start-up --help\` for its options.
`;

/** `spotlab bench start-up`: dispatches to the subcommand (one today). */
export const benchCommand: Command = {
  async run(args, io) {
    const [name, ...rest] = args;
    if (name === '--help' || name === '-h') {
      io.stdout(USAGE);
      return 0;
    }
    if (name !== 'start-up') {
      io.stderr(
        `spotlab bench: ${name === undefined ? 'missing subcommand' : `unknown subcommand "${name}"`}\n\n${USAGE}`,
      );
      return 2;
    }
    return (await import('./bench-start-up')).benchStartupCommand.run(rest, io);
  },
};
