/** How long job items live; DynamoDB's TTL deletes them within a few days after. */
export const JOB_ITEM_TTL_SECONDS = 7 * 24 * 3600;
/**
 * A claim older than this, still not launched, belongs to an invocation that died between claim and
 * launch; a later delivery of the job may take it over. Twice the scale-up timeout (60 s), so a
 * live invocation never loses its claim, and well under the queue's visibility timeout (360 s), so
 * the redelivery of a crashed batch finds its claims stale.
 */
export const STALE_CLAIM_SECONDS = 120;
