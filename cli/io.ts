/** Where a command writes, and what it reads from its environment; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How GitLab is reached. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Waits between polls (`drain --wait`). @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * One subcommand of `spotlab`. It parses its own arguments and returns the process exit code:
 * 0 on success, 1 when what it checked or did failed, 2 on a usage error.
 */
export interface Command {
  run(args: readonly string[], io: CliIo): Promise<number>;
}
