/**
 * One CreateFleet launch as Spotlab asks for it: what scale-up launches for jobs and what the
 * reaper launches as warm capacity (`adapters/ec2-create-fleet.ts` turns it into the request).
 */

/** Purchase option of an instance. */
export type Lifecycle = 'spot' | 'on-demand';

/** One CreateFleet override: where and what EC2 may launch. */
export type LaunchOverride =
  | { readonly subnetId: string; readonly instanceType: string }
  | { readonly subnetId: string; readonly instanceRequirements: InstanceRequirements };

/** Attribute-based selection, already narrowed to a job's shape. */
export interface InstanceRequirements {
  readonly vCpuCount: { readonly min: number; readonly max?: number };
  readonly memoryMiB: { readonly min: number; readonly max?: number };
  readonly acceleratorCount?: { readonly min: number; readonly max?: number };
  readonly acceleratorTypes?: readonly ('gpu' | 'fpga' | 'inference')[];
  readonly acceleratorManufacturers?: readonly ('nvidia' | 'amd' | 'amazon-web-services' | 'xilinx')[];
  readonly allowedInstanceTypes?: readonly string[];
  readonly spotMaxPricePercentageOverLowestPrice?: number;
}

/** One synchronous launch of `count` instances from one pool. */
export interface LaunchRequest {
  readonly pool: string;
  readonly launchTemplateId: string;
  readonly overrides: readonly LaunchOverride[];
  readonly count: number;
  readonly lifecycle: Lifecycle;
  /** Idempotency token (≤ 64 ASCII): the same launch retried returns the same instances. */
  readonly clientToken: string;
  /** Tags every launched instance and volume carries from birth. */
  readonly tags: Readonly<Record<string, string>>;
}
