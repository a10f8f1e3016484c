import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReaperEnv } from '../../lambdas/reaper/env';
import { actionsOf, logicalId, shipped, statementsOf, synth } from '../support/template';

let template: Template;

beforeAll(() => {
  template = synth(shipped).template;
});

describe('Spotlab reaper: schedule', () => {
  it("sweeps every minute, without retries: a failed sweep is the next one's work", () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'ReaperFunction'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    });
  });

  it('lets the scheduler invoke the reaper and nothing else', () => {
    const actions = statementsOf(template, 'ReaperSchedulerRole').flatMap(actionsOf);

    expect([...new Set(actions)]).toEqual(['lambda:InvokeFunction']);
  });

  it('gives the function the environment its parser accepts', () => {
    const fn =
      template.findResources('AWS::Lambda::Function')[
        logicalId(template, 'AWS::Lambda::Function', 'ReaperFunction')
      ];
    const variables: Record<string, unknown> = fn?.Properties?.Environment?.Variables ?? {};
    const env = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [
        name,
        typeof value === 'string'
          ? value
          : name === 'DEMAND_QUEUE_URL'
            ? 'https://sqs.eu-west-1.amazonaws.com/1/q'
            : 'resolved',
      ]),
    );

    expect(readReaperEnv(env)).toMatchObject({ stackName: 'Spotlab', gitlabUrl: 'https://gitlab.com' });
  });

  it('lists runners in the scope scale-up registers them in', () => {
    const variables = (id: string) =>
      template.findResources('AWS::Lambda::Function')[logicalId(template, 'AWS::Lambda::Function', id)]
        ?.Properties?.Environment?.Variables;

    expect(variables('ReaperFunction')?.RUNNER_SCOPE).toBe(JSON.stringify(shipped.runnerScope));
    expect(variables('ReaperFunction')?.RUNNER_SCOPE).toBe(variables('ScaleUpFunction')?.RUNNER_SCOPE);
  });
});

describe('Spotlab reaper: least privilege', () => {
  // The lifecycle function terminates on the same terms: both clean up after the launcher.
  it.each(['LifecycleRole', 'ReaperRole'])(
    '%s terminates only stack-tagged instances and launches nothing',
    (role) => {
      const statements = statementsOf(template, role);
      const terminate = statements.filter((s) => actionsOf(s).includes('ec2:TerminateInstances'));

      expect(terminate.map((s) => s.Condition)).toEqual([
        { StringEquals: { 'aws:ResourceTag/spotlab:stack': 'Spotlab' } },
      ]);
      expect(
        statements.flatMap(actionsOf).filter((a) => /CreateFleet|RunInstances|PassRole|CreateTags/.test(a)),
      ).toEqual([]);
    },
  );

  it('describes instances by id whatever stack launched them, and terminates only its own', () => {
    const statements = statementsOf(template, 'ReaperRole');
    const describe = statements.filter((s) => actionsOf(s).includes('ec2:DescribeInstances'));

    // A listed runner's instance may be another Spotlab stack's: the by-id lookup cannot be tag-scoped,
    // and DescribeInstances has no resource-level permissions anyway.
    expect(describe).toEqual([expect.objectContaining({ Action: 'ec2:DescribeInstances', Resource: '*' })]);
    expect(describe[0]?.Condition).toBeUndefined();
    expect(
      statements
        .filter((s) => actionsOf(s).some((a) => a.startsWith('ec2:')))
        .flatMap(actionsOf)
        .sort(),
    ).toEqual(['ec2:DescribeInstances', 'ec2:TerminateInstances']);
  });

  it("lists token parameters by the stack's path and deletes only under it, never reading a token", () => {
    const ssm = statementsOf(template, 'ReaperRole').filter((s) =>
      actionsOf(s).some((a) => /^ssm:(GetParametersByPath|DeleteParameter)$/.test(a)),
    );

    expect(ssm.map((s) => `${actionsOf(s).join(',')} ${JSON.stringify(s.Resource)}`)).toEqual([
      expect.stringMatching(/^ssm:GetParametersByPath .*parameter\/spotlab\/Spotlab\/runner-token"/),
      expect.stringMatching(/^ssm:DeleteParameter .*parameter\/spotlab\/Spotlab\/runner-token\/\*"/),
    ]);
  });

  it('queries only the open index, reads states by key and updates the job table, never scans it, and sends only to the demand queue', () => {
    const statements = statementsOf(template, 'ReaperRole');
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

    expect(dynamo.map((s) => actionsOf(s).join(','))).toEqual([
      'dynamodb:BatchGetItem,dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    expect(JSON.stringify(dynamo[1]?.Resource)).toMatch(/\/index\/open"/);
    expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('sqs:'))).toContain('sqs:SendMessage');
  });

  it('keeps the open index sparse on openShard, projecting only what a sweep reads', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'open',
          KeySchema: [{ AttributeName: 'openShard', KeyType: 'HASH' }],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: Match.arrayWith(['state', 'instanceId', 'launchCleanedUp', 'cleanedUp']),
          },
        },
      ]),
    });
  });
});
