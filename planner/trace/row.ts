import * as z from 'zod';
import type { TraceJob } from '../model';

/** The columns of a CSV trace (and the keys of a JSON one), in the order `trace export` writes them. */
export const TRACE_COLUMNS = ['created_at', 'queued_at', 'duration_s', 'tags', 'project', 'name'] as const;

/** Columns a CSV trace must have; the others may be absent. */
export const REQUIRED_COLUMNS = ['created_at', 'duration_s', 'project'] as const;

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
// CSV cells are text: a numeric cell becomes a number, anything else stays as it is and fails.
const numeric = (value: unknown): unknown => {
  const cell = blankToUndefined(value);
  return typeof cell === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(cell) ? Number(cell) : cell;
};
const said = (missing: string, wrong: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? missing : wrong;

const timestamp = (column: string) =>
  z.iso.datetime({
    offset: true,
    error: said(`${column} is missing`, `${column} must be an ISO 8601 time such as 2026-03-02T09:15:00Z`),
  });

const tagList = z.union(
  [
    z.array(z.string().trim().min(1)),
    z.string().transform((text) =>
      text
        .split(';')
        .map((tag) => tag.trim())
        .filter((tag) => tag !== ''),
    ),
  ],
  { error: 'tags must be tag names separated by ";" (or a JSON array of names)' },
);

/**
 * One job of a trace as a file holds it. CSV cells arrive as text and JSON values as they are, so
 * the same schema reads both; its messages name the column, for an error such as
 * `row 7: duration_s must be a non-negative number`.
 */
export const traceRowSchema = z
  .object({
    created_at: z.preprocess(blankToUndefined, timestamp('created_at')),
    queued_at: z.preprocess(blankToUndefined, z.optional(timestamp('queued_at'))),
    duration_s: z.preprocess(
      numeric,
      z
        .number({ error: said('duration_s is missing', 'duration_s must be a non-negative number') })
        .min(0, { error: 'duration_s must be a non-negative number' }),
    ),
    tags: z.preprocess((value) => value ?? '', tagList),
    project: z.preprocess(
      numeric,
      z
        .int({
          error: said('project is missing', 'project must be a positive integer (the GitLab project id)'),
        })
        .positive({ error: 'project must be a positive integer (the GitLab project id)' }),
    ),
    name: z.preprocess(blankToUndefined, z.optional(z.string())),
  })
  .refine((row) => row.queued_at === undefined || Date.parse(row.queued_at) >= Date.parse(row.created_at), {
    error: 'queued_at must not be before created_at',
    path: ['queued_at'],
  });

/** A valid row as a {@link TraceJob}. */
export function toTraceJob(row: z.infer<typeof traceRowSchema>): TraceJob {
  return {
    project: row.project,
    createdAtMs: Date.parse(row.created_at),
    durationSeconds: row.duration_s,
    tags: row.tags,
    ...(row.name === undefined ? {} : { name: row.name }),
    ...(row.queued_at === undefined ? {} : { queuedAtMs: Date.parse(row.queued_at) }),
  };
}

/** Each problem of a row, as `<column> <reason>` (the message already names the column). */
export function rowProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => issue.message);
}
