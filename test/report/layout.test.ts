import { describe, expect, it } from 'vitest';
import { formatDurationTick } from '../../report/format';
import { renderHtmlReport } from '../../report/html';
import { textWidth, wrapText } from '../../report/text';
import { binCounts, waitBins } from '../../report/wait-bins';
import { report, scenario } from './sample-report';

describe('the report lays out its labels and bins', () => {
  it('estimates a label wider the more and the wider its characters', () => {
    expect(textWidth('1 min 40 s', 12)).toBeGreaterThan(textWidth('40 s', 12));
    expect(textWidth('mmmm', 12)).toBeGreaterThan(textWidth('iiii', 12));
    expect(textWidth('40 s', 24)).toBeCloseTo(2 * textWidth('40 s', 12));
  });

  it('wraps a long label at spaces, then cuts it with an ellipsis, saying it was cut', () => {
    const name = 'autoscaler idle_count=5 idle_time=20m max_use_count=1 (on-demand)';
    const two = wrapText(name, 300, 13, 2);
    const one = wrapText(name, 300, 13, 1);

    expect(two).toEqual({
      lines: ['autoscaler idle_count=5 idle_time=20m', 'max_use_count=1 (on-demand)'],
      cut: false,
    });
    expect(one.cut).toBe(true);
    expect(one.lines).toHaveLength(1);
    expect(one.lines[0]).toMatch(/^autoscaler idle_count=5 idle_time=20m.*…$/);
    expect(wrapText('Spotlab', 300, 13, 2)).toEqual({ lines: ['Spotlab'], cut: false });
  });

  it('picks round-duration bins that hold the longest wait of every scenario', () => {
    const bins = waitBins([
      [0, 12],
      [31, 590],
    ]);

    expect(bins).toEqual({ widthS: 60, count: 10 });
    expect(binCounts([0, 12, 59.9, 60, 590], bins)).toEqual([3, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(waitBins([[0, 0]])).toEqual({ widthS: 1, count: 1 });
  });

  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [120, '2 min'],
    [90, '1 min 30 s'],
    [7200, '2 h'],
    [5400, '1 h 30 min'],
  ])('labels an axis edge of %d s as %s', (seconds, label) => {
    expect(formatDurationTick(seconds)).toBe(label);
  });

  it("draws every scenario's wait histogram on the same bin edges", () => {
    const html = renderHtmlReport(
      report(scenario('Spotlab'), { ...scenario('4 always-on runners'), waitsSeconds: [0, 0, 400] }),
    );
    const edges = [...html.matchAll(/id="chart-waits-\d"[^>]* data-bin-edges="([^"]+)"/g)].map((m) => m[1]);

    expect(edges).toHaveLength(2);
    expect(edges[0]).toBe(edges[1]);
    expect(edges[0]?.split(' ').at(-1)).toBe('420');
  });

  it('names the leftovers of a scenario that keeps machines on by design for what they are', () => {
    const html = renderHtmlReport(
      report(scenario('Spotlab'), {
        ...scenario('4 always-on runners'),
        summary: { ...scenario('x').summary, leftovers: 4 },
        keepsMachinesRunning: true,
      }),
    );

    expect(html).toContain('<div class="tile-label">Leftovers</div><div class="tile-value">0</div>');
    expect(html).toContain(
      '<div class="tile-label">Machines kept running (by design)</div><div class="tile-value">4</div>',
    );
    expect(html).toContain(
      '<th scope="row">Leftovers</th><td>0</td><td>4 machines kept running (by design)</td>',
    );
  });
});
