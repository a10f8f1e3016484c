import { CreateFleetCommand, CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { createFleetInput } from '../../shared/adapters/ec2-create-fleet';
import { describeStackInstances, terminateInstances } from '../../shared/adapters/ec2-stack-instances';
import type { LaunchRequest } from '../../shared/fleet-launch';
import { TagKey } from '../../shared/naming';
import type { FleetInstance, LaunchResult, ScaleUpFleet } from '../ports';
import { projectShares } from '../project-tag';

/** The production {@link ScaleUpFleet}: EC2 CreateFleet (instant), TerminateInstances, DescribeInstances. */
export function ec2Fleet(ec2: EC2Client, stackName: string): ScaleUpFleet {
  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const output = await ec2.send(new CreateFleetCommand(createFleetInput(request)));
      const instances = (output.Instances ?? []).flatMap((group) =>
        (group.InstanceIds ?? []).map((instanceId) => ({
          instanceId,
          instanceType: group.InstanceType ?? 'unknown',
          lifecycle: group.Lifecycle === 'spot' ? ('spot' as const) : ('on-demand' as const),
        })),
      );
      const errors = (output.Errors ?? []).map((e) => ({
        code: e.ErrorCode ?? 'Unknown',
        message: e.ErrorMessage ?? '',
      }));
      return { instances, errors };
    },
    terminate: (instanceIds) => terminateInstances(ec2, instanceIds),
    async tagProjects(instanceIds, projectTag) {
      if (instanceIds.length === 0) return;
      await ec2.send(
        new CreateTagsCommand({
          Resources: [...instanceIds],
          Tags: [{ Key: TagKey.projectId, Value: projectTag }],
        }),
      );
    },
    async live(): Promise<readonly FleetInstance[]> {
      const instances = await describeStackInstances(ec2, stackName, ['pending', 'running']);
      return instances.map((instance) => {
        const tag = (key: string) => instance.Tags?.find((t) => t.Key === key)?.Value;
        return {
          instanceId: instance.InstanceId ?? 'unknown',
          pool: tag(TagKey.pool) ?? 'unknown',
          instanceType: instance.InstanceType ?? 'unknown',
          lifecycle: instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
          projectShares: projectShares(tag(TagKey.projectId)),
          ...(instance.LaunchTime === undefined ? {} : { launchedAt: instance.LaunchTime.getTime() }),
        };
      });
    },
  };
}
