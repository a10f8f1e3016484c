import type { SpotlabConfig } from './config/schema';

/** What one synthesis produced, as far as an operator checks it before deploying. */
export interface SynthFacts {
  readonly stackName: string;
  /** Path of the synthesised template. */
  readonly templateFile: string;
  readonly resourceCount: number;
}

/**
 * The few lines `cdk synth` prints instead of the template (cdk.json sets `quiet`): what will be
 * deployed, and where the full template is. cdk-nag has already passed when this runs: an
 * unacknowledged finding fails synthesis.
 */
export function synthSummary(config: Readonly<SpotlabConfig>, facts: SynthFacts): string {
  const pools = config.pools.map((pool) => {
    const types = pool.instanceTypes?.join(', ') ?? 'instance requirements';
    return `  pool ${pool.name} (${pool.architecture}, tags ${pool.tags.join(', ') || 'none'}): ${types}; up to ${pool.maxInstances}`;
  });
  const { waf } = config.webhook;
  // The WAF option changes the webhook's kind of API, and so its URL: worth a line.
  const webhook =
    waf === undefined
      ? []
      : [
          `  webhook: REST API with AWS WAF, ${waf.requestsPerIp} requests per source IP per ${waf.windowSeconds} s` +
            exemptNote(waf.exemptSourceCidrs.length),
        ];
  return [
    `Spotlab: stack ${facts.stackName} synthesised, cdk-nag AwsSolutions clean`,
    `  GitLab ${config.gitlab.url}, runners per ${config.runnerScope.type}`,
    ...webhook,
    ...pools,
    `  caps: ${config.maxInstances} instances, ${config.maxSpendPerHourUsd} USD per hour`,
    `  template: ${facts.templateFile} (${facts.resourceCount} resources)`,
  ].join('\n');
}

const exemptNote = (ranges: number): string =>
  ranges === 0 ? '' : ` (${ranges} source range${ranges === 1 ? '' : 's'} exempt)`;
