import {
  type _InstanceType,
  CreateFleetCommand,
  type CreateFleetCommandInput,
  type EC2Client,
  type FleetLaunchTemplateOverridesRequest,
} from '@aws-sdk/client-ec2';
import { describeStackInstances, terminateInstances } from '../../shared/adapters/ec2-stack-instances';
import { TagKey } from '../../shared/naming';
import type {
  FleetInstance,
  LaunchOverride,
  LaunchRequest,
  LaunchResult,
  Lifecycle,
  ScaleUpFleet,
} from '../ports';
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

/** The CreateFleet request for a {@link LaunchRequest}; exported for the exact-request tests. */
export function createFleetInput(request: LaunchRequest): CreateFleetCommandInput {
  const lifecycle: Lifecycle = request.lifecycle;
  const tags = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    Type: 'instant',
    ClientToken: request.clientToken,
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateId: request.launchTemplateId, Version: '$Latest' },
        Overrides: request.overrides.map(toOverride),
      },
    ],
    TargetCapacitySpecification: {
      TotalTargetCapacity: request.count,
      DefaultTargetCapacityType: lifecycle,
      ...(lifecycle === 'spot'
        ? { SpotTargetCapacity: request.count }
        : { OnDemandTargetCapacity: request.count }),
    },
    // AWS's recommended spot strategy: pools least likely to be interrupted, at a low price.
    SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
    OnDemandOptions: { AllocationStrategy: 'lowest-price' },
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
      { ResourceType: 'fleet', Tags: tags },
    ],
  };
}

function toOverride(override: LaunchOverride): FleetLaunchTemplateOverridesRequest {
  // The SDK's instance type union lags new EC2 types; the config already checked the name's form.
  if ('instanceType' in override)
    return { SubnetId: override.subnetId, InstanceType: override.instanceType as _InstanceType };
  const r = override.instanceRequirements;
  return {
    SubnetId: override.subnetId,
    InstanceRequirements: {
      VCpuCount: { Min: r.vCpuCount.min, Max: r.vCpuCount.max },
      MemoryMiB: { Min: r.memoryMiB.min, Max: r.memoryMiB.max },
      ...(r.acceleratorCount === undefined
        ? {}
        : { AcceleratorCount: { Min: r.acceleratorCount.min, Max: r.acceleratorCount.max } }),
      ...(r.acceleratorTypes === undefined ? {} : { AcceleratorTypes: [...r.acceleratorTypes] }),
      ...(r.acceleratorManufacturers === undefined
        ? {}
        : { AcceleratorManufacturers: [...r.acceleratorManufacturers] }),
      ...(r.allowedInstanceTypes === undefined ? {} : { AllowedInstanceTypes: [...r.allowedInstanceTypes] }),
      ...(r.spotMaxPricePercentageOverLowestPrice === undefined
        ? {}
        : { SpotMaxPricePercentageOverLowestPrice: r.spotMaxPricePercentageOverLowestPrice }),
    },
  };
}
