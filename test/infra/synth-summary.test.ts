import { readFileSync } from 'node:fs';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { synthSummary } from '../../lib/synth-summary';
import { shipped } from '../support/template';

describe('what cdk synth prints', () => {
  it('summarises the stack in a few lines instead of printing the template', () => {
    const text = synthSummary(shipped, {
      stackName: 'Spotlab',
      templateFile: 'cdk.out/Spotlab.template.json',
      resourceCount: 89,
    });

    expect(text.split('\n').length).toBeLessThanOrEqual(4 + shipped.pools.length);
    expect(text).toContain('stack Spotlab synthesised, cdk-nag AwsSolutions clean');
    expect(text).toContain('pool arm-docker (arm64, tags spotlab, arm64): m7g.large');
    expect(text).toContain('caps: 20 instances, 5 USD per hour');
    expect(text).toContain('template: cdk.out/Spotlab.template.json (89 resources)');
  });

  it('names the WAF option when it is on, since it changes the webhook URL', () => {
    const facts = { stackName: 'Spotlab', templateFile: 'cdk.out/Spotlab.template.json', resourceCount: 98 };
    const waf = { requestsPerIp: 3000, windowSeconds: 300 as const, exemptSourceCidrs: ['203.0.113.0/24'] };
    const text = synthSummary(
      { ...shipped, webhook: { ...shipped.webhook, waf: { ...waf, createAccountLogRole: true } } },
      facts,
    );

    expect(text).toContain(
      'webhook: REST API with AWS WAF, 3000 requests per source IP per 300 s (1 source range exempt)',
    );
    expect(synthSummary(shipped, facts)).not.toContain('WAF');
  });

  it('is what cdk.json asks for: no template on stdout, and every recommended feature flag set (no notice)', () => {
    const cdk = z
      .object({ quiet: z.boolean().optional(), context: z.record(z.string(), z.unknown()) })
      .parse(JSON.parse(readFileSync('cdk.json', 'utf8')));

    expect(cdk.quiet).toBe(true);
    // The CLI counts a flag of this aws-cdk-lib that cdk.json leaves unset as "not configured".
    expect(Object.keys(CURRENTLY_RECOMMENDED_FLAGS).filter((flag) => !(flag in cdk.context))).toEqual([]);
  });
});
