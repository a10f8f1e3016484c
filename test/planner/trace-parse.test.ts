import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceFormatError } from '../../planner/trace/errors';
import { formatOf, parseTrace } from '../../planner/trace/parse';

const badRows = readFileSync(new URL('../fixtures/traces/bad-rows.csv', import.meta.url), 'utf8');
const HEADER = 'created_at,queued_at,duration_s,tags,project,name';

function problemsOf(text: string, format: 'csv' | 'json' | 'jsonl' = 'csv'): readonly string[] {
  try {
    parseTrace(text, format, 'trace');
  } catch (error) {
    if (error instanceof TraceFormatError) return error.problems;
    throw error;
  }
  throw new Error('the trace was accepted');
}

describe('parseTrace', () => {
  it('reads a CSV trace: times, `;`-separated tags, a quoted name with a comma, an empty queued_at', () => {
    const text = `${HEADER}\n2026-03-02T09:00:00Z,2026-03-02T09:05:00Z,600,docker;arm64,101,unit\n2026-03-02T09:02:00Z,,240,,102,"lint, style"\n`;
    expect(parseTrace(text, 'csv', 'trace')).toEqual([
      {
        project: 101,
        createdAtMs: Date.parse('2026-03-02T09:00:00Z'),
        queuedAtMs: Date.parse('2026-03-02T09:05:00Z'),
        durationSeconds: 600,
        tags: ['docker', 'arm64'],
        name: 'unit',
      },
      {
        project: 102,
        createdAtMs: Date.parse('2026-03-02T09:02:00Z'),
        durationSeconds: 240,
        tags: [],
        name: 'lint, style',
      },
    ]);
  });

  it('refuses a row with no duration, naming row 3', () => {
    const text = `${HEADER}\n2026-03-02T09:00:00Z,,60,,1,a\n2026-03-02T09:00:00Z,,,,1,b\n`;
    expect(problemsOf(text)).toEqual(['row 3: duration_s is missing']);
  });

  it('lists every bad row of the file in one error, each with its row number and reason', () => {
    expect(problemsOf(badRows)).toEqual([
      'row 3: duration_s is missing',
      'row 4: created_at must be an ISO 8601 time such as 2026-03-02T09:15:00Z',
      'row 5: duration_s must be a non-negative number',
      'row 6: project must be a positive integer (the GitLab project id)',
      'row 7: queued_at must not be before created_at',
      'row 8: has 5 fields, the header has 6',
    ]);
  });

  it('says which rows are bad in the error message that the CLI prints', () => {
    expect(() => parseTrace(badRows, 'csv', 'bad-rows.csv')).toThrow(
      /Invalid trace bad-rows.csv:\n {2}- row 3: duration_s is missing\n/,
    );
  });

  it('lists the first 20 bad rows and counts the rest', () => {
    const rows = Array.from({ length: 25 }, () => '2026-03-02T09:00:00Z,,-1,,1,x');
    const text = `${HEADER}\n${rows.join('\n')}\n`;
    expect(problemsOf(text)).toHaveLength(25);
    expect(() => parseTrace(text, 'csv', 'trace')).toThrow(
      /row 21: duration_s must be a non-negative number\n {2}… and 5 more$/,
    );
  });

  it('refuses a header without the required columns', () => {
    expect(problemsOf('when,duration\n2026-03-02T09:00:00Z,60\n')).toEqual([
      'row 1: the header lacks created_at, duration_s, project (expected created_at,queued_at,duration_s,tags,project,name)',
    ]);
  });

  it('refuses a file with a header and no job', () => {
    expect(problemsOf(`${HEADER}\n`)).toEqual(['the trace has no jobs']);
  });

  it('reads a JSON array and names a bad item by its position', () => {
    const good = { created_at: '2026-03-02T09:00:00Z', duration_s: 60, tags: ['docker'], project: 7 };
    expect(parseTrace(JSON.stringify([good]), 'json', 'trace')).toEqual([
      { project: 7, createdAtMs: Date.parse(good.created_at), durationSeconds: 60, tags: ['docker'] },
    ]);
    expect(problemsOf(JSON.stringify([good, { ...good, tags: 'a;b', project: 0 }]), 'json')).toEqual([
      'item 2: project must be a positive integer (the GitLab project id)',
    ]);
  });

  it('reads JSON Lines and names a line that is not JSON', () => {
    const line = '{"created_at":"2026-03-02T09:00:00Z","duration_s":5,"project":1}';
    expect(problemsOf(`${line}\n\n{oops\n`, 'jsonl')).toEqual([
      expect.stringMatching(/^line 3: not valid JSON/),
    ]);
  });

  it('refuses a JSON trace that is not an array', () => {
    expect(problemsOf('{"jobs":[]}', 'json')).toEqual([
      'a JSON trace is an array of jobs (or use JSON Lines, .jsonl)',
    ]);
  });

  it.each([
    ['trace.csv', 'csv'],
    ['trace.JSON', 'json'],
    ['trace.jsonl', 'jsonl'],
    ['trace.ndjson', 'jsonl'],
    ['trace.txt', 'csv'],
  ] as const)('takes the format of %s from its name: %s', (file, format) => {
    expect(formatOf(file)).toBe(format);
  });
});
