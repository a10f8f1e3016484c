import { type MockInstance, vi } from 'vitest';

/**
 * Captures what Powertools writes to stdout and stderr (JSON log lines, EMF blobs) while keeping
 * the test output quiet. Warnings and errors go to stderr, so both streams are read.
 */
export function captureOutput(): { lines: () => string[]; restore: () => void } {
  const chunks: string[] = [];
  const record = (chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  };
  const spies: MockInstance[] = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim().length > 0),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** The JSON objects among captured lines. */
export function jsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? [{ ...value }] : [];
    } catch {
      return [];
    }
  });
}

/** Metric names (with their dimension values) found in captured EMF output. */
export function emittedMetrics(lines: string[]): string[] {
  return jsonLines(lines).flatMap((entry) => {
    const aws = entry._aws;
    if (typeof aws !== 'object' || aws === null || !('CloudWatchMetrics' in aws)) return [];
    const directives = Array.isArray(aws.CloudWatchMetrics) ? aws.CloudWatchMetrics : [];
    return directives.flatMap((directive: { Metrics?: { Name: string }[]; Dimensions?: string[][] }) =>
      (directive.Metrics ?? []).map((metric) => {
        const dims = (directive.Dimensions?.[0] ?? [])
          .filter((d) => d !== 'service')
          .map((d) => `${d}=${String(entry[d])}`);
        return [metric.Name, ...dims].join(' ');
      }),
    );
  });
}
