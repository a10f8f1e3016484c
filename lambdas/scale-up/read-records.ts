import type { SQSRecord } from 'aws-lambda';
import { demandMessageSchema } from '../shared/job-messages';
import type { Demand } from './check-jobs';
import type { ScaleUpObserver } from './observer';

/**
 * Parses the batch's demand messages. A message that is not a demand message never will be: it is
 * acknowledged (reported, counted) instead of being retried into the DLQ. A job that appears twice
 * in the batch is served once.
 */
export function readDemandRecords(records: readonly SQSRecord[], observer: ScaleUpObserver): Demand[] {
  const seen = new Set<number>();
  const demands: Demand[] = [];
  for (const record of records) {
    let json: unknown;
    try {
      json = JSON.parse(record.body);
    } catch {
      observer.invalidMessage(record.messageId, 'not JSON');
      continue;
    }
    const parsed = demandMessageSchema.safeParse(json);
    if (!parsed.success) {
      observer.invalidMessage(record.messageId, parsed.error.issues.map((i) => i.path.join('.')).join(', '));
      continue;
    }
    if (seen.has(parsed.data.jobId)) {
      observer.skipped(parsed.data.jobId, 'duplicate_in_batch');
      continue;
    }
    seen.add(parsed.data.jobId);
    demands.push({ messageId: record.messageId, demand: parsed.data });
  }
  return demands;
}
