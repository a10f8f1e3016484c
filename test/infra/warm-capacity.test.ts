import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { allowedAll, arn, type Call } from '../support/iam-policy';
import { actionsOf, logicalId, shipped, statementsOf, synth } from '../support/template';

const WARM = { schedules: [{ cron: '0 8 * * 1-5', timeZone: 'Europe/Berlin', durationHours: 11, count: 2 }] };

/** The shipped configuration with warm capacity on its first pool (arm-docker). */
function withWarmPool(): Readonly<SpotlabConfig> {
  const [first, ...rest] = shipped.pools;
  return parseConfig(JSON.stringify({ ...shipped, pools: [{ ...first, warm: WARM }, ...rest] }));
}

function templateIdOf(template: Template, pool: string): string {
  return logicalId(template, 'AWS::EC2::LaunchTemplate', new RegExp(pool.replace(/-/g, '')));
}

/** The checks EC2 makes for a CreateFleet of one instance through `launchTemplate`. */
function launchChecks(
  template: Template,
  launchTemplate: string,
  change: Record<string, string | number> = {},
): Call[] {
  const tags = { 'aws:RequestTag/spotlab:stack': 'Spotlab' };
  const instance = {
    ...tags,
    'ec2:LaunchTemplate': arn('ec2', `launch-template/${launchTemplate}`),
    'ec2:MetadataHttpTokens': 'required',
    'ec2:MetadataHttpPutResponseHopLimit': 1,
    ...change,
  };
  const subnet = Object.keys(template.findResources('AWS::EC2::Subnet'))[0] ?? '';
  const group = `${logicalId(template, 'AWS::EC2::SecurityGroup', 'NetworkRunnerSecurityGroup')}.GroupId`;
  const resources: [string, Record<string, string | number>][] = [
    [arn('ec2', 'instance/*'), instance],
    [arn('ec2', 'volume/*'), tags],
    [arn('ec2', 'network-interface/*'), tags],
    [arn('ec2', 'spot-instances-request/*'), tags],
    [arn('ec2', `subnet/${subnet}`), {}],
    [arn('ec2', `security-group/${group}`), {}],
    [arn('ec2', 'image/ami-0aaaa1111bbbb2222', ''), { 'ec2:Owner': 'amazon' }],
    [arn('ec2', 'snapshot/snap-0123456789abcdef0', ''), {}],
    [arn('ec2', `launch-template/${launchTemplate}`), {}],
  ];
  return [
    { action: 'ec2:CreateFleet', resource: arn('ec2', 'fleet/*'), context: tags },
    ...['ec2:CreateFleet', 'ec2:RunInstances'].flatMap((action) =>
      resources.map(([resource, context]) => ({ action, resource, context })),
    ),
  ];
}

let warmTemplate: Template;
let shippedTemplate: Template;
beforeAll(() => {
  warmTemplate = synth(withWarmPool()).template;
  shippedTemplate = synth(shipped).template;
});

describe('warm capacity: the reaper launch grant', () => {
  it("lets the reaper launch a ready instance through the warm pool's template, as scale-up may", () => {
    const checks = launchChecks(warmTemplate, templateIdOf(warmTemplate, 'arm-docker'));

    expect(allowedAll(statementsOf(warmTemplate, 'ScaleUpRole'), checks)).toBe(true);
    expect(allowedAll(statementsOf(warmTemplate, 'ReaperRole'), checks)).toBe(true);
  });

  it.each<[string, (t: Template) => Call[]]>([
    ['through a pool without warm capacity', (t) => launchChecks(t, templateIdOf(t, 'x86-docker'))],
    ["through another stack's template", (t) => launchChecks(t, 'lt-0other')],
    [
      'without the stack tag',
      (t) => launchChecks(t, templateIdOf(t, 'arm-docker'), { 'aws:RequestTag/spotlab:stack': 'Other' }),
    ],
    [
      'with a hop limit that reaches job containers',
      (t) => launchChecks(t, templateIdOf(t, 'arm-docker'), { 'ec2:MetadataHttpPutResponseHopLimit': 2 }),
    ],
    [
      'with IMDSv1 allowed',
      (t) => launchChecks(t, templateIdOf(t, 'arm-docker'), { 'ec2:MetadataHttpTokens': 'optional' }),
    ],
  ])('refuses the reaper a launch %s', (_case, checks) => {
    expect(allowedAll(statementsOf(warmTemplate, 'ReaperRole'), checks(warmTemplate))).toBe(false);
  });

  it('gives the reaper no launch permission at all when no pool has warm capacity', () => {
    const actions = statementsOf(shippedTemplate, 'ReaperRole').flatMap(actionsOf);

    expect(actions).not.toContain('ec2:CreateFleet');
    expect(actions).not.toContain('ec2:RunInstances');
    expect(actions).not.toContain('iam:PassRole');
  });
});

describe('warm capacity: the project tag of a claimed ready instance', () => {
  const tagCall = (tagKeys: string[], stack = 'Spotlab'): Call => ({
    action: 'ec2:CreateTags',
    resource: arn('ec2', 'instance/i-0ready'),
    context: { 'aws:ResourceTag/spotlab:stack': stack, 'aws:TagKeys': tagKeys },
  });

  it("lets scale-up set the project tag on this stack's instances after launch", () => {
    expect(allowedAll(statementsOf(warmTemplate, 'ScaleUpRole'), [tagCall(['spotlab:project-id'])])).toBe(
      true,
    );
  });

  it.each<[string, Call]>([
    ['another tag (the pool or the stack tag)', tagCall(['spotlab:pool'])],
    ['the project tag beside another', tagCall(['spotlab:project-id', 'spotlab:stack'])],
    ["another stack's instance", tagCall(['spotlab:project-id'], 'Other')],
  ])('refuses scale-up %s', (_case, call) => {
    expect(allowedAll(statementsOf(warmTemplate, 'ScaleUpRole'), [call])).toBe(false);
  });

  it('gives scale-up no tagging after launch when no pool has warm capacity', () => {
    expect(allowedAll(statementsOf(shippedTemplate, 'ScaleUpRole'), [tagCall(['spotlab:project-id'])])).toBe(
      false,
    );
  });
});

describe('warm capacity: launch templates and environment', () => {
  it('shows instance tags in metadata only on the warm pool, where the bootstrap reads spotlab:warm', () => {
    const templates = warmTemplate.findResources('AWS::EC2::LaunchTemplate');
    const tagsShown = (pool: string) =>
      templates[templateIdOf(warmTemplate, pool)]?.Properties?.LaunchTemplateData?.MetadataOptions
        ?.InstanceMetadataTags;

    expect(tagsShown('arm-docker')).toBe('enabled');
    expect(tagsShown('x86-docker')).toBe('disabled');
  });

  it("hands the reaper the warm pools' schedules and caps, and nothing without warm capacity", () => {
    const reaperEnv = (template: Template) =>
      Object.values(template.findResources('AWS::Lambda::Function')).flatMap((fn) => {
        const variables = fn.Properties?.Environment?.Variables ?? {};
        return 'POOL_LIMITS' in variables ? [variables] : [];
      })[0];

    expect(JSON.stringify(reaperEnv(warmTemplate)?.WARM_CAPACITY)).toContain('0 8 * * 1-5');
    expect(reaperEnv(shippedTemplate)?.WARM_CAPACITY).toBeUndefined();
  });
});
