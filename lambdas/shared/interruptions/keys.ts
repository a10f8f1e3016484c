/**
 * The interruption log's table shape, shared by its construct (`lib/constructs/interruption-log.ts`)
 * and the adapter. Renaming the key replaces the table on the next deploy.
 */

/** Partition key: the pool's name. */
export const INTERRUPTION_LOG_KEY = 'pool';

/** TTL attribute, epoch seconds: a pool not interrupted for two days loses its item. */
export const INTERRUPTION_LOG_TTL_ATTRIBUTE = 'expiresAt';
