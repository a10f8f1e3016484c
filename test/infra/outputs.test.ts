import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import { configHash, StackOutput } from '../../lib/stack-outputs';
import { logicalId, shipped, synth } from '../support/template';

let template: Template;

beforeAll(() => {
  template = synth(shipped).template;
});

describe('Spotlab stack: outputs the operator CLI reads', () => {
  it('outputs the hash of the validated configuration it was built from', () => {
    template.hasOutput(StackOutput.configHash, { Value: configHash(shipped) });
  });

  it('outputs the job table name', () => {
    template.hasOutput(StackOutput.jobTableName, {
      Value: { Ref: logicalId(template, 'AWS::DynamoDB::Table', /^LauncherJobs/) },
    });
  });

  it('outputs the demand queue URL and ARN, and both dead-letter queue URLs', () => {
    const demand = logicalId(template, 'AWS::SQS::Queue', /^QueuesDemand[0-9A-F]{8}$/);

    template.hasOutput(StackOutput.demandQueueUrl, { Value: { Ref: demand } });
    template.hasOutput(StackOutput.demandQueueArn, { Value: { 'Fn::GetAtt': [demand, 'Arn'] } });
    template.hasOutput(StackOutput.demandDeadLetterQueueUrl, {
      Value: { Ref: logicalId(template, 'AWS::SQS::Queue', /^QueuesDemandDeadLetters/) },
    });
    template.hasOutput(StackOutput.lifecycleDeadLetterQueueUrl, {
      Value: { Ref: logicalId(template, 'AWS::SQS::Queue', /^QueuesLifecycleDeadLetters/) },
    });
  });

  it('outputs the scale-up function, whose event source mapping on the demand queue `drain` switches', () => {
    const demand = logicalId(template, 'AWS::SQS::Queue', /^QueuesDemand[0-9A-F]{8}$/);
    const mappings = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: { 'Fn::GetAtt': [demand, 'Arn'] } },
      }),
    );
    expect(mappings).toHaveLength(1);

    template.hasOutput(StackOutput.scaleUpFunctionName, { Value: mappings[0]?.Properties?.FunctionName });
  });
});

describe('Spotlab stack: the subnets output', () => {
  it("outputs the created VPC's runner subnets, comma-separated, for doctor's instance-type check", () => {
    const subnets = Object.keys(template.findResources('AWS::EC2::Subnet')).sort();

    const output = template.toJSON().Outputs?.[StackOutput.subnetIds];
    const joined = output?.Value?.['Fn::Join'];
    expect(joined?.[0]).toBe(',');
    expect(joined?.[1].map((ref: { Ref: string }) => ref.Ref).sort()).toEqual(subnets);
  });

  it('outputs existing subnets as configured', () => {
    const existing = parseConfig(
      JSON.stringify({
        ...shipped,
        network: {
          mode: 'existing',
          vpcId: 'vpc-0abc1234',
          subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
        },
      }),
    );

    synth(existing).template.hasOutput(StackOutput.subnetIds, { Value: 'subnet-0aaa1111,subnet-0bbb2222' });
  });
});

describe('configHash', () => {
  it('ignores key order, comments and defaults left out', () => {
    const minimal = parseConfig(`{
      // the same pools as the shipped file, keys in another order, defaults omitted
      "maxSpendPerHourUsd": 5, "maxInstances": 20,
      "gitlab": { "apiTokenParameter": "/spotlab/gitlab-api-token", "url": "https://gitlab.com",
                  "webhookSecretParameter": "/spotlab/webhook-secret" },
      "pools": ${JSON.stringify(shipped.pools)}
    }`);

    expect(configHash(minimal)).toBe(configHash(shipped));
  });

  it('changes when any setting changes', () => {
    const changed = parseConfig(JSON.stringify({ ...shipped, maxInstances: 19 }));

    expect(configHash(changed)).not.toBe(configHash(shipped));
  });
});
