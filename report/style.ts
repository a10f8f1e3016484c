/** The report's stylesheet, inlined: system fonts only, so nothing is fetched. */
export const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff;
  --pending: #e8590c; --running: #1971c2; --cost: #2f9e44; --spot: #1971c2; --on-demand: #e8590c;
  --wait: #5f3dc4; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 880px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
.generated { color: var(--muted); margin: 0 0 16px; }
section { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px;
  margin: 16px 0; }
h2 { font-size: 20px; margin: 0 0 12px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th[scope="row"] { font-weight: 600; width: 40%; }
table.comparison th[scope="row"] { width: auto; }
.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: #eaeef2; stroke-width: 1; }
.chart .axis { stroke: var(--muted); fill: none; stroke-width: 1; }
.chart .tick, .chart .axis-label, .chart .bar-label, .chart .bar-value { fill: var(--muted); font-size: 12px; }
.chart .bar-label { fill: var(--ink); font-size: 13px; }
.chart .series { fill: none; stroke-width: 2; stroke-linejoin: round; }
.series-pending { stroke: var(--pending); background: var(--pending); }
.series-running { stroke: var(--running); background: var(--running); }
.series-cost { stroke: var(--cost); background: var(--cost); }
.bar { fill: var(--wait); }
.bar-spot { fill: var(--spot); }
.bar-on-demand { fill: var(--on-demand); }
.bar-cost { fill: var(--cost); }
.bar-minutes { fill: var(--running); }
.legend { list-style: none; display: flex; gap: 20px; padding: 0; margin: 4px 0 0; color: var(--muted); }
.swatch { display: inline-block; width: 14px; height: 4px; margin-right: 6px; vertical-align: middle; }
.empty { color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.tile-label { color: var(--muted); font-size: 13px; }
.tile-value { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.facts { list-style: none; padding: 0; margin: 10px 0 0; display: flex; flex-wrap: wrap; gap: 4px 18px;
  color: var(--muted); font-size: 13px; }
.facts b { color: var(--ink); font-weight: 600; }
table.parameters { font-size: 13px; }
table.parameters th, table.parameters td { padding: 2px 8px; }
footer { color: var(--muted); font-size: 13px; }
`;
