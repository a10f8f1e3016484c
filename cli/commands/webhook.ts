import type { Command } from '../io';

const SUBCOMMANDS = {
  install: async () => (await import('./webhook-install')).webhookInstallCommand,
  test: async () => (await import('./webhook-test')).webhookTestCommand,
} as const;

const USAGE = `Usage: spotlab webhook <install|test> [options]

  install  create or update the Job events webhook on a project (--project) or on every project
           of a group and its subgroups (--group); --dry-run prints the plan
  test     have GitLab send its test Job event to a project's Spotlab webhook

Run \`spotlab webhook <install|test> --help\` for their options.
`;

/** `spotlab webhook install|test`: dispatches to the subcommand. */
export const webhookCommand: Command = {
  async run(args, io) {
    const [name, ...rest] = args;
    if (name === '--help' || name === '-h') {
      io.stdout(USAGE);
      return 0;
    }
    if (name !== 'install' && name !== 'test') {
      io.stderr(
        `spotlab webhook: ${name === undefined ? 'missing subcommand' : `unknown subcommand "${name}"`}\n\n${USAGE}`,
      );
      return 2;
    }
    return (await SUBCOMMANDS[name]()).run(rest, io);
  },
};
