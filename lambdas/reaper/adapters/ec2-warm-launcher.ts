import { type _InstanceType, CreateFleetCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { TagKey } from '../../shared/naming';
import type { WarmLauncher } from '../ports';

/** The production {@link WarmLauncher}: one CreateFleet (instant, spot, price-capacity-optimized). */
export function ec2WarmLauncher(ec2: EC2Client, stackName: string): WarmLauncher {
  return {
    async launch(request) {
      const tags = Object.entries({
        [TagKey.stack]: stackName,
        [TagKey.pool]: request.pool,
        [TagKey.lifecycle]: 'spot',
        [TagKey.warm]: 'ready',
        Name: `spotlab-${request.pool}`,
      }).map(([Key, Value]) => ({ Key, Value }));
      const output = await ec2.send(
        new CreateFleetCommand({
          Type: 'instant',
          ClientToken: request.clientToken,
          LaunchTemplateConfigs: [
            {
              LaunchTemplateSpecification: { LaunchTemplateId: request.launchTemplateId, Version: '$Latest' },
              // The SDK's instance type union lags new EC2 types; the configuration checked each name.
              Overrides: request.instanceTypes.flatMap((type) =>
                request.subnetIds.map((SubnetId) => ({ SubnetId, InstanceType: type as _InstanceType })),
              ),
            },
          ],
          // Spot only: a ready instance serves no job yet, and a shortfall is tried again a minute later.
          TargetCapacitySpecification: {
            TotalTargetCapacity: request.count,
            DefaultTargetCapacityType: 'spot',
            SpotTargetCapacity: request.count,
          },
          SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
          TagSpecifications: (['instance', 'volume', 'fleet'] as const).map((ResourceType) => ({
            ResourceType,
            Tags: tags,
          })),
        }),
      );
      return (output.Instances ?? []).flatMap((group) => group.InstanceIds ?? []);
    },
  };
}
