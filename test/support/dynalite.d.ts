/** dynalite ships no types: the part of its API the ledger tests use. */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** Milliseconds a table stays CREATING. @default 500 */
    readonly createTableMs?: number;
    /** Milliseconds a table stays DELETING. @default 500 */
    readonly deleteTableMs?: number;
    /** Milliseconds a table stays UPDATING. @default 500 */
    readonly updateTableMs?: number;
    /** LevelDB directory; in memory when absent. */
    readonly path?: string;
  }

  /** An HTTP server speaking the DynamoDB API; call `listen` to start it. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
