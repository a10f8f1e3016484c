import type { CliIo } from '../../cli/io';

/** What a command printed and returned. */
export interface Printed {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command's `run` with captured output and the given environment, fetch and clock. */
export async function runCommand(
  command: { run(args: readonly string[], io: CliIo): Promise<number> },
  args: readonly string[],
  io: Partial<Pick<CliIo, 'env' | 'fetch' | 'sleep' | 'now'>> = {},
): Promise<Printed> {
  const printed = { code: 0, stdout: '', stderr: '' };
  printed.code = await command.run(args, {
    env: io.env ?? {},
    stdout: (text) => {
      printed.stdout += text;
    },
    stderr: (text) => {
      printed.stderr += text;
    },
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
    sleep: io.sleep ?? (async () => {}),
    now: io.now ?? (() => Date.parse('2026-03-03T00:00:00Z')),
  });
  return printed;
}
