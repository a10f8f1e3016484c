import {
  CreateFleetCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ec2Fleet } from '../../lambdas/scale-up/adapters/ec2-fleet';
import { createFleetInput } from '../../lambdas/shared/adapters/ec2-create-fleet';
import type { InstanceRequirements, LaunchRequest, Lifecycle } from '../../lambdas/shared/fleet-launch';
import { TagKey } from '../../lambdas/shared/naming';

const STACK = 'Spotlab';
// A ClientToken as launch-request.ts derives it: a 64-character sha256 hex digest.
const CLIENT_TOKEN = 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdef0123';
const TAGS = {
  [TagKey.stack]: STACK,
  [TagKey.pool]: 'arm-docker',
  [TagKey.lifecycle]: 'spot',
  [TagKey.jobId]: '1977,1978,1979',
  [TagKey.projectId]: '380',
  Name: 'spotlab-arm-docker',
};

/** Three spot instances of an arm64 pool: two instance types across two subnets. */
function spotLaunch(changes: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    pool: 'arm-docker',
    launchTemplateId: 'lt-0arm',
    overrides: [
      { subnetId: 'subnet-0a', instanceType: 'm7g.large' },
      { subnetId: 'subnet-0b', instanceType: 'm7g.large' },
      { subnetId: 'subnet-0a', instanceType: 'c7g.large' },
      { subnetId: 'subnet-0b', instanceType: 'c7g.large' },
    ],
    count: 3,
    lifecycle: 'spot',
    clientToken: CLIENT_TOKEN,
    tags: TAGS,
    ...changes,
  };
}

const ec2 = mockClient(EC2Client);
const client = new EC2Client({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
});
const fleet = ec2Fleet(client, STACK);

beforeEach(() => {
  ec2.reset();
});

describe('ec2Fleet.launch: the CreateFleet request', () => {
  it('sends one instant, price-capacity-optimized spot CreateFleet over every type × subnet, tagged from birth', async () => {
    ec2.on(CreateFleetCommand).resolves({ Instances: [], Errors: [] });

    await fleet.launch(spotLaunch());

    const calls = ec2.commandCalls(CreateFleetCommand);
    expect(calls).toHaveLength(1);
    const expectedTags = Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value }));
    expect(calls[0]?.args[0].input).toStrictEqual({
      Type: 'instant',
      ClientToken: CLIENT_TOKEN,
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0arm', Version: '$Latest' },
          Overrides: [
            { SubnetId: 'subnet-0a', InstanceType: 'm7g.large' },
            { SubnetId: 'subnet-0b', InstanceType: 'm7g.large' },
            { SubnetId: 'subnet-0a', InstanceType: 'c7g.large' },
            { SubnetId: 'subnet-0b', InstanceType: 'c7g.large' },
          ],
        },
      ],
      TargetCapacitySpecification: {
        TotalTargetCapacity: 3,
        DefaultTargetCapacityType: 'spot',
        SpotTargetCapacity: 3,
      },
      SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
      OnDemandOptions: { AllocationStrategy: 'lowest-price' },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: expectedTags },
        { ResourceType: 'volume', Tags: expectedTags },
        { ResourceType: 'fleet', Tags: expectedTags },
      ],
    });
  });

  it('keeps the ClientToken within the 64 ASCII characters EC2 accepts', () => {
    const input = createFleetInput(spotLaunch());

    expect(input.ClientToken).toMatch(/^[\x21-\x7e]{1,64}$/);
  });

  it.each<[Lifecycle, Record<string, unknown>]>([
    ['spot', { TotalTargetCapacity: 3, DefaultTargetCapacityType: 'spot', SpotTargetCapacity: 3 }],
    [
      'on-demand',
      { TotalTargetCapacity: 3, DefaultTargetCapacityType: 'on-demand', OnDemandTargetCapacity: 3 },
    ],
  ])('asks for the whole count as %s capacity', (lifecycle, capacity) => {
    const input = createFleetInput(spotLaunch({ lifecycle }));

    expect(input.TargetCapacitySpecification).toStrictEqual(capacity);
  });

  it('tags instances, volumes and the fleet with the stack tag the IAM conditions key on', () => {
    const input = createFleetInput(spotLaunch());

    const tagged = (input.TagSpecifications ?? []).map((spec) => ({
      type: spec.ResourceType,
      stack: spec.Tags?.find((tag) => tag.Key === TagKey.stack)?.Value,
    }));
    expect(tagged).toEqual([
      { type: 'instance', stack: STACK },
      { type: 'volume', stack: STACK },
      { type: 'fleet', stack: STACK },
    ]);
  });

  it('turns attribute-based overrides into InstanceRequirements per subnet, accelerators included', () => {
    const requirements: InstanceRequirements = {
      vCpuCount: { min: 4, max: 32 },
      memoryMiB: { min: 16_384 },
      acceleratorCount: { min: 1, max: 1 },
      acceleratorTypes: ['gpu'],
      acceleratorManufacturers: ['nvidia'],
      allowedInstanceTypes: ['g4dn.*', 'g5.*'],
      spotMaxPricePercentageOverLowestPrice: 40,
    };

    const input = createFleetInput(
      spotLaunch({
        pool: 'gpu',
        launchTemplateId: 'lt-0gpu',
        overrides: [
          { subnetId: 'subnet-0a', instanceRequirements: requirements },
          { subnetId: 'subnet-0b', instanceRequirements: requirements },
        ],
      }),
    );

    const expected = {
      VCpuCount: { Min: 4, Max: 32 },
      MemoryMiB: { Min: 16_384 },
      AcceleratorCount: { Min: 1, Max: 1 },
      AcceleratorTypes: ['gpu'],
      AcceleratorManufacturers: ['nvidia'],
      AllowedInstanceTypes: ['g4dn.*', 'g5.*'],
      SpotMaxPricePercentageOverLowestPrice: 40,
    };
    expect(input.LaunchTemplateConfigs?.[0]).toEqual({
      LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0gpu', Version: '$Latest' },
      Overrides: [
        { SubnetId: 'subnet-0a', InstanceRequirements: expected },
        { SubnetId: 'subnet-0b', InstanceRequirements: expected },
      ],
    });
  });

  it('leaves out the accelerator fields of requirements that name none', () => {
    const input = createFleetInput(
      spotLaunch({
        overrides: [
          {
            subnetId: 'subnet-0a',
            instanceRequirements: { vCpuCount: { min: 2 }, memoryMiB: { min: 4096 } },
          },
        ],
      }),
    );

    const requirements = input.LaunchTemplateConfigs?.[0]?.Overrides?.[0]?.InstanceRequirements ?? {};
    expect(Object.keys(requirements).sort()).toEqual(['MemoryMiB', 'VCpuCount']);
  });
});

describe('ec2Fleet.launch: reading the CreateFleet answer', () => {
  it('maps an answer with one instance and an InsufficientInstanceCapacity error to one instance and one error', async () => {
    ec2.on(CreateFleetCommand).resolves({
      FleetId: 'fleet-0123',
      Instances: [{ InstanceIds: ['i-0aaa'], InstanceType: 'm7g.large', Lifecycle: 'spot' }],
      Errors: [
        {
          ErrorCode: 'InsufficientInstanceCapacity',
          ErrorMessage: 'There is no Spot capacity available that matches your request.',
          Lifecycle: 'spot',
        },
      ],
    });

    const result = await fleet.launch(spotLaunch());

    expect(result).toStrictEqual({
      instances: [{ instanceId: 'i-0aaa', instanceType: 'm7g.large', lifecycle: 'spot' }],
      errors: [
        {
          code: 'InsufficientInstanceCapacity',
          message: 'There is no Spot capacity available that matches your request.',
        },
      ],
    });
  });

  it('flattens every instance group and keeps each group’s type and purchase option', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Instances: [
        { InstanceIds: ['i-01', 'i-02'], InstanceType: 'm7g.large', Lifecycle: 'on-demand' },
        { InstanceIds: ['i-03'], InstanceType: 'c7g.large', Lifecycle: 'on-demand' },
      ],
    });

    const result = await fleet.launch(spotLaunch({ lifecycle: 'on-demand' }));

    expect(result).toStrictEqual({
      instances: [
        { instanceId: 'i-01', instanceType: 'm7g.large', lifecycle: 'on-demand' },
        { instanceId: 'i-02', instanceType: 'm7g.large', lifecycle: 'on-demand' },
        { instanceId: 'i-03', instanceType: 'c7g.large', lifecycle: 'on-demand' },
      ],
      errors: [],
    });
  });

  it('answers no instances and an Unknown error for an error without a code', async () => {
    ec2.on(CreateFleetCommand).resolves({ Errors: [{}] });

    const result = await fleet.launch(spotLaunch());

    expect(result).toStrictEqual({ instances: [], errors: [{ code: 'Unknown', message: '' }] });
  });
});

describe('ec2Fleet.live', () => {
  const instance = (id: string, pool: string | undefined, spot: boolean) => ({
    InstanceId: id,
    InstanceType: 'm7g.large' as const,
    ...(spot ? { InstanceLifecycle: 'spot' as const } : {}),
    Tags: [
      { Key: TagKey.stack, Value: STACK },
      ...(pool === undefined ? [] : [{ Key: TagKey.pool, Value: pool }]),
    ],
  });

  it('follows NextToken across pages, filtering by the stack tag and pending or running', async () => {
    const first: Partial<DescribeInstancesCommandOutput> = {
      Reservations: [{ Instances: [instance('i-01', 'arm-docker', true), instance('i-02', 'gpu', false)] }],
      NextToken: 'page-2',
    };
    const second: Partial<DescribeInstancesCommandOutput> = {
      Reservations: [{ Instances: [instance('i-03', 'arm-docker', true)] }, { Instances: [] }],
    };
    ec2.on(DescribeInstancesCommand).resolvesOnce(first).resolvesOnce(second);

    const live = await fleet.live();

    expect(live).toStrictEqual([
      {
        instanceId: 'i-01',
        pool: 'arm-docker',
        instanceType: 'm7g.large',
        lifecycle: 'spot',
        projectShares: new Map(),
      },
      {
        instanceId: 'i-02',
        pool: 'gpu',
        instanceType: 'm7g.large',
        lifecycle: 'on-demand',
        projectShares: new Map(),
      },
      {
        instanceId: 'i-03',
        pool: 'arm-docker',
        instanceType: 'm7g.large',
        lifecycle: 'spot',
        projectShares: new Map(),
      },
    ]);
    const inputs = ec2.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input);
    const filters = [
      { Name: `tag:${TagKey.stack}`, Values: [STACK] },
      { Name: 'instance-state-name', Values: ['pending', 'running'] },
    ];
    expect(inputs).toEqual([
      { Filters: filters, MaxResults: 1000, NextToken: undefined },
      { Filters: filters, MaxResults: 1000, NextToken: 'page-2' },
    ]);
  });

  it('reports an instance without a pool tag under pool "unknown", so caps still count it', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance('i-09', undefined, false)] }] });

    const live = await fleet.live();

    expect(live).toEqual([
      {
        instanceId: 'i-09',
        pool: 'unknown',
        instanceType: 'm7g.large',
        lifecycle: 'on-demand',
        projectShares: new Map(),
      },
    ]);
  });
});

describe('ec2Fleet.live: project shares', () => {
  it("reads each project's share of an instance from its spotlab:project-id tag", async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0a',
              InstanceType: 'm7g.large',
              Tags: [
                { Key: TagKey.stack, Value: STACK },
                { Key: TagKey.projectId, Value: '380:3,412' },
              ],
            },
          ],
        },
      ],
    });

    const [live] = await fleet.live();

    expect(live?.projectShares).toEqual(
      new Map([
        [380, 0.75],
        [412, 0.25],
      ]),
    );
  });
});

describe('ec2Fleet.terminate', () => {
  it.each<[number, number[]]>([
    [0, []],
    [1, [1]],
    [1000, [1000]],
    [1001, [1000, 1]],
    [2501, [1000, 1000, 501]],
  ])('splits %i instance ids into TerminateInstances calls of %j ids', async (total, sizes) => {
    ec2.on(TerminateInstancesCommand).resolves({});
    const ids = Array.from({ length: total }, (_, index) => `i-${index.toString(16).padStart(17, '0')}`);

    await fleet.terminate(ids);

    const sent = ec2
      .commandCalls(TerminateInstancesCommand)
      .map((call) => call.args[0].input.InstanceIds ?? []);
    expect(sent.map((chunk) => chunk.length)).toEqual(sizes);
    expect(sent.flat()).toEqual(ids);
  });
});

describe('ec2Fleet.tagProjects', () => {
  it('sets the project tag of claimed ready instances in one CreateTags call, and no other tag', async () => {
    ec2.on(CreateTagsCommand).resolves({});

    await fleet.tagProjects(['i-0ready1', 'i-0ready2'], '380:2,412');

    expect(ec2.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: ['i-0ready1', 'i-0ready2'], Tags: [{ Key: 'spotlab:project-id', Value: '380:2,412' }] },
    ]);
  });

  it('makes no call for no instance', async () => {
    await fleet.tagProjects([], '380');

    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(0);
  });
});
