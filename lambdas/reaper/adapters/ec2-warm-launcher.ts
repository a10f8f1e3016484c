import { CreateFleetCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { createFleetInput } from '../../shared/adapters/ec2-create-fleet';
import { TagKey } from '../../shared/naming';
import type { WarmLauncher } from '../ports';

/**
 * The production {@link WarmLauncher}: one CreateFleet (instant, price-capacity-optimized) through
 * the same request builder as scale-up's launches, spot only: a ready instance serves no job yet,
 * and a shortfall is tried again a minute later.
 */
export function ec2WarmLauncher(ec2: EC2Client, stackName: string): WarmLauncher {
  return {
    async launch(request) {
      const input = createFleetInput({
        pool: request.pool,
        launchTemplateId: request.launchTemplateId,
        overrides: request.instanceTypes.flatMap((instanceType) =>
          request.subnetIds.map((subnetId) => ({ subnetId, instanceType })),
        ),
        count: request.count,
        lifecycle: 'spot',
        clientToken: request.clientToken,
        tags: {
          [TagKey.stack]: stackName,
          [TagKey.pool]: request.pool,
          [TagKey.lifecycle]: 'spot',
          [TagKey.warm]: 'ready',
          Name: `spotlab-${request.pool}`,
        },
      });
      const output = await ec2.send(new CreateFleetCommand(input));
      return (output.Instances ?? []).flatMap((group) => group.InstanceIds ?? []);
    },
  };
}
