import type { Template } from 'aws-cdk-lib/assertions';
import { z } from 'zod';
import { METRICS_NAMESPACE } from '../../lambdas/shared/metric-names';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { EMISSIONS } from '../../lib/constructs/monitoring-metrics';
import { shipped } from '../support/template';

/**
 * Reads what monitoring put in the template: alarms, dashboard widgets (parsed from the dashboard
 * body). Shared by the monitoring tests; the synth itself is `test/support/template.ts`'s.
 */

/** The shipped configuration with top-level keys replaced, validated as `cdk synth` would. */
export function withChanges(changes: Record<string, unknown>): Readonly<SpotlabConfig> {
  return parseConfig(JSON.stringify({ ...shipped, ...changes }));
}

const dimensionSchema = z.object({ Name: z.string(), Value: z.unknown() });
const metricSchema = z.looseObject({
  Namespace: z.string(),
  MetricName: z.string(),
  Dimensions: z.array(dimensionSchema).default([]),
});
const alarmSchema = z.looseObject({
  AlarmName: z.string(),
  AlarmActions: z.array(z.unknown()),
  OKActions: z.array(z.unknown()),
  Namespace: z.string().optional(),
  MetricName: z.string().optional(),
  Dimensions: z.array(dimensionSchema).optional(),
  Metrics: z
    .array(
      z.looseObject({
        Expression: z.string().optional(),
        Period: z.number().optional(),
        ReturnData: z.boolean().optional(),
        MetricStat: z.looseObject({ Metric: metricSchema }).optional(),
      }),
    )
    .optional(),
});
/** The properties of an `AWS::CloudWatch::Alarm`, as far as the tests read them. */
export type AlarmProperties = z.infer<typeof alarmSchema>;

/** Every alarm of the template. */
export const alarms = (template: Template): AlarmProperties[] =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => alarmSchema.parse(a.Properties));
/** The alarm named `Spotlab-<suffix>`. */
export const alarmNamed = (template: Template, suffix: string): AlarmProperties => {
  const found = alarms(template).find((a) => a.AlarmName === `Spotlab-${suffix}`);
  if (found === undefined) throw new Error(`no alarm Spotlab-${suffix}`);
  return found;
};
/** Logical id of the one SNS topic. */
export const topicId = (template: Template): string => {
  const [id] = Object.keys(template.findResources('AWS::SNS::Topic'));
  if (id === undefined) throw new Error('no topic');
  return id;
};
const dims = (dimensions: readonly z.infer<typeof dimensionSchema>[]): string[] =>
  dimensions.map((d) => `${d.Name}=${String(d.Value)}`).sort();
/** Every Spotlab metric an alarm reads: its name and its dimensions as sorted `key=value`. */
export const spotlabMetricsOf = (alarm: AlarmProperties): { name: string; dims: string[] }[] => {
  const single =
    alarm.MetricName === undefined
      ? []
      : [{ Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions ?? [] }];
  const math = (alarm.Metrics ?? []).flatMap((m) =>
    m.MetricStat === undefined ? [] : [m.MetricStat.Metric],
  );
  return [...single, ...math]
    .filter((m) => m.Namespace === METRICS_NAMESPACE)
    .map((m) => ({ name: m.MetricName, dims: dims(m.Dimensions) }));
};

const dashboardSchema = z.object({
  DashboardBody: z.object({ 'Fn::Join': z.tuple([z.literal(''), z.array(z.unknown())]) }),
});
const bodySchema = z.object({
  widgets: z.array(
    z.looseObject({
      type: z.string(),
      properties: z.looseObject({
        title: z.string().optional(),
        markdown: z.string().optional(),
        alarms: z.array(z.unknown()).optional(),
        metrics: z.array(z.array(z.unknown())).optional(),
      }),
    }),
  ),
});
/** One dashboard widget. */
export type Widget = z.infer<typeof bodySchema>['widgets'][number];

/** The dashboard's widgets, with every CloudFormation token (Region, ARNs) read as `TOKEN`. */
export function widgetsOf(template: Template): Widget[] {
  const [resource] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const [, parts] = dashboardSchema.parse(resource?.Properties).DashboardBody['Fn::Join'];
  const text = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return bodySchema.parse(JSON.parse(text)).widgets;
}

const searchSchema = z.tuple([z.object({ expression: z.string() })]);
/**
 * A widget's lines: `Namespace/Name key=value,...` (dimensions sorted) for a metric, the
 * expression for a SEARCH.
 */
export function linesOf(widget: Widget): string[] {
  return (widget.properties.metrics ?? []).map((row) => {
    const search = searchSchema.safeParse(row);
    if (search.success) return search.data[0].expression;
    const strings = row.filter((cell): cell is string => typeof cell === 'string');
    const [namespace, name, ...pairs] = strings;
    const dimensions: string[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) dimensions.push(`${pairs[i]}=${pairs[i + 1]}`);
    return `${namespace}/${name} ${dimensions.sort().join(',')}`;
  });
}
/** The dimension sets (sorted keys besides `service`, comma-joined) `name` is emitted with. */
export function emittedSets(name: string): string[] {
  const emission = Object.entries(EMISSIONS).find(([metric]) => metric === name)?.[1];
  return (emission?.dimensionSets ?? []).map((set) => [...set].sort().join());
}

/** The dashboard widget titled `title`. */
export const widgetTitled = (template: Template, title: string): Widget => {
  const found = widgetsOf(template).find((w) => w.properties.title === title);
  if (found === undefined) throw new Error(`no widget "${title}"`);
  return found;
};
