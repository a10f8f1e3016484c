import { CreateFleetCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ec2WarmLauncher } from '../../lambdas/reaper/adapters/ec2-warm-launcher';

describe('reaper: launching ready instances (EC2 adapter)', () => {
  it('asks CreateFleet for spot only, over every type and subnet, tagged ready and with the stack', async () => {
    const client = new EC2Client({ region: 'eu-west-1' });
    const ec2 = mockClient(client);
    ec2.on(CreateFleetCommand).resolves({ Instances: [{ InstanceIds: ['i-0aaa', 'i-0bbb'] }] });

    const launched = await ec2WarmLauncher(client, 'Spotlab').launch({
      pool: 'arm-docker',
      launchTemplateId: 'lt-0arm',
      instanceTypes: ['m7g.large', 'c7g.large'],
      subnetIds: ['subnet-0a', 'subnet-0b'],
      count: 2,
      clientToken: 'warm-arm-docker-1',
    });

    expect(launched).toEqual(['i-0aaa', 'i-0bbb']);
    const input = ec2.commandCalls(CreateFleetCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Type: 'instant',
      ClientToken: 'warm-arm-docker-1',
      TargetCapacitySpecification: {
        TotalTargetCapacity: 2,
        DefaultTargetCapacityType: 'spot',
        SpotTargetCapacity: 2,
      },
      SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
    });
    expect(input?.LaunchTemplateConfigs?.[0]?.Overrides).toEqual([
      { SubnetId: 'subnet-0a', InstanceType: 'm7g.large' },
      { SubnetId: 'subnet-0b', InstanceType: 'm7g.large' },
      { SubnetId: 'subnet-0a', InstanceType: 'c7g.large' },
      { SubnetId: 'subnet-0b', InstanceType: 'c7g.large' },
    ]);
    expect(input?.TagSpecifications?.map((spec) => spec.ResourceType)).toEqual([
      'instance',
      'volume',
      'fleet',
    ]);
    expect(input?.TagSpecifications?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'spotlab:stack', Value: 'Spotlab' },
        { Key: 'spotlab:pool', Value: 'arm-docker' },
        { Key: 'spotlab:warm', Value: 'ready' },
      ]),
    );
  });
});
