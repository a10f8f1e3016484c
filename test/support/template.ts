import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../lib/app';
import { loadConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import type { SpotlabStack } from '../../lib/spotlab-stack';

/**
 * Synthesises Spotlab for the infra tests and reads the template. The Lambdas are not bundled:
 * esbuild only changes the assets' contents and hashes, which no infra test reads, and it is
 * most of a synth's time.
 */

/** The shipped example configuration. */
export const shipped = loadConfig('spotlab.config.json');

/** The app for `config`, built as `cdk synth` builds it (cdk-nag included) but not bundling the Lambdas. */
export function unbundledApp(
  config: Readonly<SpotlabConfig>,
  outdir: string = mkdtempSync(join(tmpdir(), 'spotlab-')),
): { app: App; stack: SpotlabStack } {
  return createApp(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), config);
}

/** Synthesises the app for `config` without bundling the Lambdas (the template is the same). */
export function synth(config: Readonly<SpotlabConfig>): { template: Template; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'spotlab-synth-'));
  const { app, stack } = unbundledApp(config, outdir);
  app.synth();
  return { template: Template.fromStack(stack), outdir };
}

/**
 * Logical id of the one resource of `type` matching `match`: a construct path prefix, to which
 * CDK appends an 8-digit hash, or a pattern over the whole id.
 */
export function logicalId(template: Template, type: string, match: string | RegExp): string {
  const pattern = typeof match === 'string' ? new RegExp(`^${match}[0-9A-F]{8}$`) : match;
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  expect(ids, `${type} ${pattern}`).toHaveLength(1);
  return ids[0] ?? '';
}

/** Schema of one IAM policy statement, as far as the tests read it. */
export const statementSchema = z.object({
  Sid: z.string().optional(),
  Effect: z.string(),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
  Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
/** One IAM policy statement, as far as the tests read it. */
export type Statement = z.infer<typeof statementSchema>;

/** Statements of the IAM policies whose logical id starts with `rolePrefix`. */
export function statementsOf(template: Template, rolePrefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(rolePrefix))
    .flatMap(([, policy]) => z.array(statementSchema).parse(policy.Properties.PolicyDocument.Statement));
}

/** A statement's actions, sorted: their order depends on the iam:minimizePolicies flag, which cdk.json sets. */
export const actionsOf = (statement: Statement): string[] => [statement.Action].flat().sort();
