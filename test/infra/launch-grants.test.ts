import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { allowed, allowedAll, arn, type Call, resolve } from '../support/iam-policy';
import { logicalId, shipped, statementsOf, synth } from '../support/template';

// The launcher's role evaluated as EC2 authorises a CreateFleet: `ec2:CreateFleet` on the fleet and
// every resource of the launch, and `ec2:RunInstances` once more on each resource of every instance
// it starts, with that launch's condition keys. A launch works only if every one of those checks is
// allowed, so each case below is a whole launch, changed in one respect.

const AMI = 'ami-0123456789abcdef0';
const OTHER_ACCOUNT = '210987654321';
const AMAZON_AL2023 = 'ami-0aaaa1111bbbb2222';

interface Launch {
  readonly template: string;
  readonly image: { readonly id: string; readonly owner: string };
  readonly stackTag?: string;
  /** Launch settings on the instance resource; `undefined` leaves the key out of the request. */
  readonly launchTemplateKey?: string;
  readonly httpTokens?: string;
  readonly hopLimit?: number;
  readonly actions?: readonly string[];
}

interface Stack {
  readonly templateIds: string[];
  readonly subnetIds: string[];
  readonly securityGroup: string;
}

function stackOf(template: Template): Stack {
  const ids = (type: string) => Object.keys(template.findResources(type));
  return {
    templateIds: ids('AWS::EC2::LaunchTemplate'),
    subnetIds: ids('AWS::EC2::Subnet'),
    securityGroup: `${logicalId(template, 'AWS::EC2::SecurityGroup', 'NetworkRunnerSecurityGroup')}.GroupId`,
  };
}

/** The checks EC2 makes for one CreateFleet launching one instance. */
function checksOf(stack: Stack, launch: Launch): Call[] {
  const tags = { 'aws:RequestTag/spotlab:stack': launch.stackTag ?? 'Spotlab' };
  const instance: Record<string, string | number> = { ...tags };
  if (launch.launchTemplateKey !== undefined) instance['ec2:LaunchTemplate'] = launch.launchTemplateKey;
  if (launch.httpTokens !== undefined) instance['ec2:MetadataHttpTokens'] = launch.httpTokens;
  if (launch.hopLimit !== undefined) instance['ec2:MetadataHttpPutResponseHopLimit'] = launch.hopLimit;
  const resources: [string, Record<string, string | number>][] = [
    [arn('ec2', 'instance/*'), instance],
    [arn('ec2', 'volume/*'), tags],
    [arn('ec2', 'network-interface/*'), tags],
    [arn('ec2', 'spot-instances-request/*'), tags],
    [arn('ec2', `subnet/${stack.subnetIds[0]}`), {}],
    [arn('ec2', `security-group/${stack.securityGroup}`), {}],
    [arn('ec2', `image/${launch.image.id}`, ''), { 'ec2:Owner': launch.image.owner }],
    [arn('ec2', 'snapshot/snap-0123456789abcdef0', ''), {}],
  ];
  // A launch without a template names no launch-template resource at all.
  if (launch.launchTemplateKey !== undefined)
    resources.push([arn('ec2', `launch-template/${launch.template}`), {}]);
  const actions = launch.actions ?? ['ec2:CreateFleet', 'ec2:RunInstances'];
  return [
    { action: 'ec2:CreateFleet', resource: arn('ec2', 'fleet/*'), context: tags },
    ...actions.flatMap((action) => resources.map(([resource, context]) => ({ action, resource, context }))),
  ];
}

/** A launch through the stack's first launch template, as scale-up makes it. */
function fleetLaunch(stack: Stack, image = { id: AMAZON_AL2023, owner: 'amazon' }): Launch {
  const template = stack.templateIds[0] ?? '';
  return {
    template,
    image,
    launchTemplateKey: arn('ec2', `launch-template/${template}`),
    httpTokens: 'required',
    hopLimit: 1,
  };
}

function withAmiPool(image: string): Readonly<SpotlabConfig> {
  const [first, ...rest] = shipped.pools;
  return parseConfig(JSON.stringify({ ...shipped, pools: [{ ...first, image }, ...rest] }));
}

let shippedTemplate: Template;
let amiTemplate: Template;
beforeAll(() => {
  shippedTemplate = synth(shipped).template;
  amiTemplate = synth(withAmiPool(AMI)).template;
});

describe('Spotlab launch grants: launch templates and instance metadata', () => {
  it("lets scale-up's CreateFleet launch through a stack template, IMDSv2 required, hop limit 1", () => {
    const stack = stackOf(shippedTemplate);

    expect(
      allowedAll(statementsOf(shippedTemplate, 'ScaleUpRole'), checksOf(stack, fleetLaunch(stack))),
    ).toBe(true);
  });

  it.each<[string, (stack: Stack, launch: Launch) => Launch]>([
    [
      "another account's or stack's launch template",
      (_, l) => ({ ...l, template: 'lt-0other', launchTemplateKey: arn('ec2', 'launch-template/lt-0other') }),
    ],
    [
      'a RunInstances without any launch template',
      (_, l) => ({ ...l, launchTemplateKey: undefined, actions: ['ec2:RunInstances'] }),
    ],
    ['a stack template with IMDSv1 allowed', (_, l) => ({ ...l, httpTokens: 'optional' })],
    ['a request that leaves the metadata options out', (_, l) => ({ ...l, httpTokens: undefined })],
    ['a hop limit of 2, which reaches job containers', (_, l) => ({ ...l, hopLimit: 2 })],
    ['instances without the stack tag', (_, l) => ({ ...l, stackTag: 'OtherStack' })],
  ])('refuses a launch with %s', (_, change) => {
    const stack = stackOf(shippedTemplate);
    const launch = change(stack, fleetLaunch(stack));

    expect(allowedAll(statementsOf(shippedTemplate, 'ScaleUpRole'), checksOf(stack, launch))).toBe(false);
  });

  it('names every launch template of the stack, and only those', () => {
    const stack = stackOf(shippedTemplate);
    const launcher = statementsOf(shippedTemplate, 'ScaleUpRole');

    expect(stack.templateIds).toHaveLength(shipped.pools.length);
    for (const template of stack.templateIds) {
      const launch = {
        ...fleetLaunch(stack),
        template,
        launchTemplateKey: arn('ec2', `launch-template/${template}`),
      };
      expect(allowedAll(launcher, checksOf(stack, launch)), template).toBe(true);
    }
  });
});

describe('Spotlab launch grants: images', () => {
  it('boots Amazon-owned images for al2023 pools, and no one else’s', () => {
    const stack = stackOf(shippedTemplate);
    const launcher = statementsOf(shippedTemplate, 'ScaleUpRole');

    expect(allowedAll(launcher, checksOf(stack, fleetLaunch(stack)))).toBe(true);
    for (const owner of [OTHER_ACCOUNT, 'aws-marketplace'])
      expect(allowedAll(launcher, checksOf(stack, fleetLaunch(stack, { id: AMI, owner }))), owner).toBe(
        false,
      );
  });

  it('boots exactly the AMI a pool names, whoever owns it, and no other image of that owner', () => {
    const stack = stackOf(amiTemplate);
    const launcher = statementsOf(amiTemplate, 'ScaleUpRole');
    const owned = (id: string) => checksOf(stack, fleetLaunch(stack, { id, owner: OTHER_ACCOUNT }));

    expect(allowedAll(launcher, owned(AMI))).toBe(true);
    expect(allowedAll(launcher, owned('ami-0fedcba9876543210'))).toBe(false);
    // The other pool still boots Amazon Linux 2023.
    expect(allowedAll(launcher, checksOf(stack, fleetLaunch(stack)))).toBe(true);
  });

  it('boots the image an ssm: pool resolves at deploy, the same value its launch template gets', () => {
    const { template } = synth(withAmiPool('ssm:/golden/runner-ami'));
    const images = Object.values(template.findResources('AWS::EC2::LaunchTemplate')).map((lt) =>
      resolve(lt.Properties.LaunchTemplateData.ImageId),
    );
    const pool = statementsOf(template, 'ScaleUpRole').find((s) => s.Sid === 'LaunchPoolImages');

    const ssmImage = images.find((id) => /golden/i.test(id));
    expect(ssmImage).toBeDefined();
    expect([pool?.Resource].flat().map(resolve)).toEqual([arn('ec2', `image/${ssmImage}`, '')]);
  });
});

describe('Spotlab launch grants: roles passed', () => {
  const passRole = (role: string, service: string): Call => ({
    action: 'iam:PassRole',
    resource: role,
    context: { 'iam:PassedToService': service },
  });

  it('passes the runner instance role to EC2 only, and no other role', () => {
    const launcher = statementsOf(shippedTemplate, 'ScaleUpRole');
    const instanceRole = `${logicalId(shippedTemplate, 'AWS::IAM::Role', 'FleetInstanceRole')}.Arn`;

    expect(allowed(launcher, passRole(instanceRole, 'ec2.amazonaws.com'))).toBe(true);
    expect(allowed(launcher, passRole(instanceRole, 'lambda.amazonaws.com'))).toBe(false);
    const launcherRole = `${logicalId(shippedTemplate, 'AWS::IAM::Role', 'ScaleUpRole')}.Arn`;
    expect(allowed(launcher, passRole(launcherRole, 'ec2.amazonaws.com'))).toBe(false);
  });
});
