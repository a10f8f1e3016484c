import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLifecycleEnv } from '../../lambdas/lifecycle/env';
import { actionsOf, logicalId, shipped, statementsOf, synth } from '../support/template';

let template: Template;

beforeAll(() => {
  template = synth(shipped).template;
});

describe('Spotlab lifecycle: wiring', () => {
  it('reads the lifecycle queue in batches, reporting item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesLifecycle'), 'Arn'] },
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'LifecycleFunction') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it.each([
    [
      'spot interruption warnings',
      { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
    ],
    [
      'instances shutting down or terminated',
      {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['shutting-down', 'terminated'] },
      },
    ],
  ])('sends %s to the lifecycle queue', (_label, pattern) => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: pattern,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesLifecycle'), 'Arn'] },
        }),
      ],
    });
  });

  it('gives the function the environment its parser accepts', () => {
    const fn =
      template.findResources('AWS::Lambda::Function')[
        logicalId(template, 'AWS::Lambda::Function', 'LifecycleFunction')
      ];
    const variables: Record<string, unknown> = fn?.Properties?.Environment?.Variables ?? {};
    const env = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : 'resolved-at-deploy',
      ]),
    );

    expect(
      readLifecycleEnv({
        ...env,
        GITLAB_URL: 'https://gitlab.com',
        DEMAND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand',
      }),
    ).toMatchObject({ stackName: expect.any(String), tableName: 'resolved-at-deploy' });
    // The index names are constants shared with the table's construct, not settings.
    expect(Object.keys(variables).filter((name) => name.includes('INDEX'))).toEqual([]);
  });
});

describe('Spotlab lifecycle: least privilege', () => {
  it('uses only the job table and its two indexes, and reads and puts the interruption log', () => {
    const dynamo = statementsOf(template, 'LifecycleRole').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );

    expect(dynamo.map((s) => actionsOf(s).sort().join(','))).toEqual([
      'dynamodb:GetItem,dynamodb:PutItem,dynamodb:UpdateItem',
      'dynamodb:Query',
      'dynamodb:GetItem,dynamodb:PutItem',
    ]);
    expect(JSON.stringify(dynamo[0]?.Resource)).toContain('LauncherJobs');
    expect(JSON.stringify(dynamo[1]?.Resource)).toContain('/index/byInstance');
    expect(JSON.stringify(dynamo[1]?.Resource)).toContain('/index/byLaunchInstance');
    expect(JSON.stringify(dynamo[2]?.Resource)).toMatch(/InterruptionLogTable\w+","Arn"\]\}$/);
  });

  it('sends only to the demand queue (a displaced job goes back there), and receives only from its own', () => {
    const sends = statementsOf(template, 'LifecycleRole').filter((s) =>
      actionsOf(s).includes('sqs:SendMessage'),
    );

    expect(sends).toHaveLength(1);
    expect(JSON.stringify(sends[0]?.Resource)).toMatch(/QueuesDemand(?!DeadLetters)/);
  });

  it("deletes runner tokens only under the stack's prefix and never writes one", () => {
    const ssm = statementsOf(template, 'LifecycleRole').filter((s) =>
      actionsOf(s).some((a) => /^ssm:(Put|Delete)Parameter$/.test(a)),
    );

    expect(ssm.map((s) => actionsOf(s))).toEqual([['ssm:DeleteParameter']]);
    expect(JSON.stringify(ssm[0]?.Resource)).toContain('parameter/spotlab/Spotlab/runner-token/*');
  });
});
