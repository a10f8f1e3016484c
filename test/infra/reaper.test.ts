import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReaperEnv } from '../../lambdas/reaper/env';
import { createApp } from '../../lib/app';
import { loadConfig } from '../../lib/config/load';

let template: Template;

beforeAll(() => {
  const { stack } = createApp(new App(), loadConfig('spotlab.config.json'));
  template = Template.fromStack(stack);
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

/** Logical id of the resource at construct path `prefix` (CDK appends an 8-digit hash). */
function logicalId(type: string, prefix: string): string {
  const id = Object.keys(template.findResources(type)).find((key) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$`).test(key),
  );
  if (id === undefined) throw new Error(`no ${type} ${prefix}*`);
  return id;
}

function statementsOf(rolePrefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(rolePrefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

describe('Spotlab reaper: schedule', () => {
  it("sweeps every minute, without retries: a failed sweep is the next one's work", () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'ReaperFunction'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    });
  });

  it('lets the scheduler invoke the reaper and nothing else', () => {
    const actions = statementsOf('ReaperSchedulerRole').flatMap(actionsOf);

    expect([...new Set(actions)]).toEqual(['lambda:InvokeFunction']);
  });

  it('gives the function the environment its parser accepts', () => {
    const fn =
      template.findResources('AWS::Lambda::Function')[logicalId('AWS::Lambda::Function', 'ReaperFunction')];
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
      template.findResources('AWS::Lambda::Function')[logicalId('AWS::Lambda::Function', id)]?.Properties
        ?.Environment?.Variables;
    const config = loadConfig('spotlab.config.json');

    expect(variables('ReaperFunction')?.RUNNER_SCOPE).toBe(JSON.stringify(config.runnerScope));
    expect(variables('ReaperFunction')?.RUNNER_SCOPE).toBe(variables('LauncherFunction')?.RUNNER_SCOPE);
  });
});

describe('Spotlab reaper: least privilege', () => {
  it('terminates only stack-tagged instances and launches nothing', () => {
    const statements = statementsOf('ReaperRole');
    const terminate = statements.filter((s) => actionsOf(s).includes('ec2:TerminateInstances'));

    expect(terminate.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'aws:ResourceTag/spotlab:stack': 'Spotlab' } },
    ]);
    expect(
      statements.flatMap(actionsOf).filter((a) => /CreateFleet|RunInstances|PassRole|CreateTags/.test(a)),
    ).toEqual([]);
  });

  it('describes instances by id whatever stack launched them, and terminates only its own', () => {
    const statements = statementsOf('ReaperRole');
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
    const ssm = statementsOf('ReaperRole').filter((s) =>
      actionsOf(s).some((a) => /^ssm:(GetParametersByPath|DeleteParameter)$/.test(a)),
    );

    expect(ssm.map((s) => `${actionsOf(s).join(',')} ${JSON.stringify(s.Resource)}`)).toEqual([
      expect.stringMatching(/^ssm:GetParametersByPath .*parameter\/spotlab\/Spotlab\/runner-token"/),
      expect.stringMatching(/^ssm:DeleteParameter .*parameter\/spotlab\/Spotlab\/runner-token\/\*"/),
    ]);
  });

  it('scans and updates the job table, and sends only to the demand queue', () => {
    const actions = statementsOf('ReaperRole').flatMap(actionsOf);

    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.filter((a) => a.startsWith('sqs:'))).toContain('sqs:SendMessage');
  });
});
