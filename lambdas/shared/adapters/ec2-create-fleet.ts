import type {
  _InstanceType,
  CreateFleetCommandInput,
  FleetLaunchTemplateOverridesRequest,
} from '@aws-sdk/client-ec2';
import type { LaunchOverride, LaunchRequest, Lifecycle } from '../fleet-launch';

/**
 * The CreateFleet request for a {@link LaunchRequest}: scale-up's launches for jobs and the reaper's
 * ready instances go through this one shape (instant, the launch template's latest version, tags on
 * instance, volume and fleet from birth).
 */
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
