import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { nagFindings } from '../support/nag';
import { shipped, synth } from '../support/template';

/**
 * What `cdk destroy` leaves behind, as the template tells it (docs/operations.md, "Remove
 * Spotlab"): every stateful resource is deleted with the stack, except the cache bucket under
 * `cache.removalPolicy: "retain"`.
 */
function withCache(removalPolicy: 'retain' | 'destroy'): Readonly<SpotlabConfig> {
  return parseConfig(JSON.stringify({ ...shipped, cache: { ...shipped.cache, removalPolicy } }));
}

/** Resource type → the DeletionPolicy of each resource of that type. */
function deletionPolicies(template: Template, type: string): string[] {
  return Object.values(template.findResources(type)).map((r) => String(r.DeletionPolicy ?? 'Delete'));
}

const DELETED_WITH_THE_STACK = [
  'AWS::Logs::LogGroup',
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::EC2::LaunchTemplate',
  'AWS::Lambda::Function',
  'AWS::Scheduler::Schedule',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
];

let retained: { template: Template; outdir: string };
let destroyed: { template: Template; outdir: string };

beforeAll(() => {
  retained = synth(withCache('retain'));
  destroyed = synth(withCache('destroy'));
});

describe('Removing Spotlab: what cdk destroy deletes', () => {
  it.each(DELETED_WITH_THE_STACK)('deletes every %s with the stack, whichever cache choice', (type) => {
    for (const { template } of [retained, destroyed]) {
      const policies = deletionPolicies(template, type);
      expect(policies.length).toBeGreaterThan(0);
      expect(new Set(policies)).toEqual(new Set(['Delete']));
    }
  });

  it('retains nothing but, by default, the cache bucket', () => {
    const kept = Object.entries(
      retained.template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>,
    )
      .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'Snapshot')
      .map(([, r]) => r.Type);

    expect(shipped.cache.removalPolicy).toBe('retain');
    expect(kept).toEqual(['AWS::S3::Bucket']);
  });

  it('keeps the cache bucket under "retain", with the lifecycle rule that empties it', () => {
    const [bucket] = Object.values(retained.template.findResources('AWS::S3::Bucket'));

    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.UpdateReplacePolicy).toBe('Retain');
    expect(JSON.stringify(bucket?.Properties.LifecycleConfiguration)).toContain('"ExpirationInDays":14');
    expect(retained.template.findResources('Custom::S3AutoDeleteObjects')).toEqual({});
  });

  it('empties and deletes the cache bucket under "destroy"', () => {
    const [bucket] = Object.values(destroyed.template.findResources('AWS::S3::Bucket'));

    expect(bucket?.DeletionPolicy).toBe('Delete');
    expect(Object.keys(destroyed.template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(1);
    expect(nagFindings(destroyed.outdir)).toEqual([]);
  });

  it('creates no runner token parameter in the template: tokens live and die with their instance', () => {
    for (const { template } of [retained, destroyed]) {
      expect(template.findResources('AWS::SSM::Parameter')).toEqual({});
    }
  });
});
