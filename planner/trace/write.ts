import type { TraceJob } from '../model';
import { csvField } from './csv';
import type { TraceFormat } from './parse';
import { TRACE_COLUMNS } from './row';

type TraceRecord = Record<(typeof TRACE_COLUMNS)[number], string | number | readonly string[] | undefined>;

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function recordOf(job: TraceJob): TraceRecord {
  return {
    created_at: iso(job.createdAtMs),
    queued_at: iso(job.queuedAtMs),
    duration_s: job.durationSeconds,
    tags: job.tags,
    project: job.project,
    name: job.name,
  };
}

/** Writes jobs in a format {@link parseTrace} reads back (tags `;`-separated in CSV, an array in JSON). */
export function formatTrace(jobs: readonly TraceJob[], format: TraceFormat): string {
  if (format === 'json') return `${JSON.stringify(jobs.map(recordOf), null, 1)}\n`;
  if (format === 'jsonl') return jobs.map((job) => `${JSON.stringify(recordOf(job))}\n`).join('');
  const lines = jobs.map((job) => {
    const record = recordOf(job);
    return TRACE_COLUMNS.map((column) => {
      const value = record[column];
      if (value === undefined) return '';
      return csvField(typeof value === 'object' ? value.join(';') : String(value));
    }).join(',');
  });
  return `${[TRACE_COLUMNS.join(','), ...lines].join('\n')}\n`;
}
