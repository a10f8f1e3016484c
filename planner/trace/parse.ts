import type { TraceJob } from '../model';
import { readCsv } from './csv';
import { TraceFormatError } from './errors';
import { REQUIRED_COLUMNS, rowProblems, toTraceJob, traceRowSchema } from './row';

/** The trace file formats: CSV with a header row, a JSON array of objects, or JSON Lines. */
export type TraceFormat = 'csv' | 'json' | 'jsonl';

/** The format a file name implies (`.json`, `.jsonl`/`.ndjson`, else CSV). */
export function formatOf(file: string): TraceFormat {
  if (/\.json$/i.test(file)) return 'json';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  return 'csv';
}

/**
 * Reads a trace. Every row is checked; if any is bad, nothing is returned and the error lists each
 * bad row with its number and reason.
 * @param source the file name, for the error message.
 * @throws TraceFormatError
 */
export function parseTrace(text: string, format: TraceFormat, source: string): TraceJob[] {
  const rows = format === 'csv' ? csvRows(text, source) : jsonRows(text, format, source);
  const jobs: TraceJob[] = [];
  const problems: string[] = [];
  for (const raw of rows) {
    if ('problem' in raw) {
      problems.push(`${raw.label}: ${raw.problem}`);
      continue;
    }
    const row = traceRowSchema.safeParse(raw.value);
    if (row.success) jobs.push(toTraceJob(row.data));
    else problems.push(...rowProblems(row.error).map((problem) => `${raw.label}: ${problem}`));
  }
  if (problems.length > 0) throw new TraceFormatError(source, problems);
  if (jobs.length === 0) throw new TraceFormatError(source, ['the trace has no jobs']);
  return jobs;
}

/** A row as read, before validation; `label` is `row 7`, `item 3` or `line 12`. */
type RawRow =
  | { readonly label: string; readonly value: unknown }
  | { readonly label: string; readonly problem: string };

function csvRows(text: string, source: string): RawRow[] {
  const [header, ...records] = readCsv(text.replace(/^\uFEFF/, ''));
  if (header === undefined) throw new TraceFormatError(source, ['the file is empty']);
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0)
    throw new TraceFormatError(source, [
      `row 1: the header lacks ${missing.join(', ')} (expected created_at,queued_at,duration_s,tags,project,name)`,
    ]);
  return records.map((record): RawRow => {
    const label = `row ${record.row}`;
    if (record.fields.length !== columns.length)
      return { label, problem: `has ${record.fields.length} fields, the header has ${columns.length}` };
    return { label, value: Object.fromEntries(columns.map((column, i) => [column, record.fields[i]])) };
  });
}

function jsonRows(text: string, format: 'json' | 'jsonl', source: string): RawRow[] {
  if (format === 'jsonl') {
    return text.split(/\r?\n/).flatMap((line, i): RawRow[] => {
      if (line.trim() === '') return [];
      const value = parseJson(line);
      return [
        value.ok
          ? { label: `line ${i + 1}`, value: value.value }
          : { label: `line ${i + 1}`, problem: value.problem },
      ];
    });
  }
  const items = parseJson(text);
  if (!items.ok) throw new TraceFormatError(source, [`the file: ${items.problem}`]);
  if (!Array.isArray(items.value))
    throw new TraceFormatError(source, ['a JSON trace is an array of jobs (or use JSON Lines, .jsonl)']);
  return items.value.map((value: unknown, i) => ({ label: `item ${i + 1}`, value }));
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      problem: `not valid JSON (${error instanceof Error ? error.message : 'unreadable'})`,
    };
  }
}
