import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../report/html';
import { report, scenario } from './sample-report';

describe('renderHtmlReport', () => {
  it('escapes every string it shows: title, parameters, scenario names and facts', () => {
    const evil = '<script>alert("x")</script>';
    const html = renderHtmlReport({
      ...report({ ...scenario(evil), facts: { [evil]: evil } }, scenario(`N & ${evil}`)),
      title: evil,
      parameters: { [evil]: evil },
    });

    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('N &amp; &lt;script&gt;');
  });

  it('is self-contained: no script, no stylesheet or image link, no URL but the SVG namespace', () => {
    const html = renderHtmlReport(report(scenario('Spotlab'), scenario('4 always-on runners')));
    const urls = html.match(/https?:\/\/[^"'\s)]+/g) ?? [];

    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).not.toMatch(/<script|<link|<img|\ssrc=|\shref=|url\(|@import/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('draws one section per scenario with its timeline, wait and cost charts', () => {
    const html = renderHtmlReport(report(scenario('Spotlab'), scenario('autoscaler')));

    for (const i of [0, 1]) {
      expect(html).toContain(`<section class="scenario" id="scenario-${i}">`);
      for (const chart of ['timeline', 'waits', 'cost', 'cost-split'])
        expect(html).toContain(`id="chart-${chart}-${i}"`);
    }
  });

  it('adds the side-by-side table and comparison charts only when there are several scenarios', () => {
    const one = renderHtmlReport(report(scenario('Spotlab')));
    const two = renderHtmlReport(report(scenario('Spotlab', 1.25), scenario('4 always-on runners', 9.5)));

    expect(one).not.toContain('id="summary-table"');
    expect(two).toContain('id="summary-table"');
    expect(two).toMatch(/<th scope="row">Estimated cost<\/th><td>\$1\.25<\/td><td>\$9\.50<\/td>/);
    expect(two).toContain('id="chart-compare-cost"');
  });

  it('bins the waits into a histogram whose bars count every job', () => {
    const html = renderHtmlReport(report(scenario('Spotlab')));
    const waits = html.slice(
      html.indexOf('id="chart-waits-0"'),
      html.indexOf('</svg>', html.indexOf('id="chart-waits-0"')),
    );
    const counts = [...waits.matchAll(/<title>(\d+) jobs waited/g)].map((m) => Number(m[1]));

    expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('says so instead of drawing an empty wait chart when no job ran', () => {
    const html = renderHtmlReport(report({ ...scenario('Spotlab'), waitsSeconds: [] }));

    expect(html).toContain('No job was taken by a runner.');
    expect(html).not.toContain('id="chart-waits-0"');
  });
});
