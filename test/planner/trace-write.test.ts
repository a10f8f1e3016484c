import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../planner/trace/parse';
import { formatTrace } from '../../planner/trace/write';
import { traceFixture } from './fake-replay';

describe('formatTrace', () => {
  it.each(['csv', 'json', 'jsonl'] as const)(
    'writes %s that parseTrace reads back to the same jobs',
    (format) => {
      const jobs = traceFixture('small.csv');
      expect(parseTrace(formatTrace(jobs, format), format, 'round trip')).toEqual(jobs);
    },
  );

  it('quotes a CSV name that holds a comma or a quote', () => {
    const text = formatTrace(
      [{ project: 1, createdAtMs: 0, durationSeconds: 1, tags: ['a', 'b'], name: 'say "hi", bye' }],
      'csv',
    );
    expect(text.split('\n')[1]).toBe('1970-01-01T00:00:00.000Z,,1,a;b,1,"say ""hi"", bye"');
  });
});
