import * as z from 'zod/mini';
import { instanceTypeSchema } from './instance-types';

/**
 * On-demand Linux list prices in USD per hour (us-east-1, November 2026) of common CI types. The
 * spend cap prices every instance at on-demand, so it holds even if every spot request fell back.
 * Other Regions cost up to ~30% more: set `prices.usdPerHour` in the configuration for yours.
 */
export const ON_DEMAND_USD_PER_HOUR: Readonly<Record<string, number>> = {
  't4g.large': 0.0672,
  't3.large': 0.0832,
  'm6g.large': 0.077,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'c7g.large': 0.0725,
  'c7g.xlarge': 0.145,
  'm6i.large': 0.096,
  'm7i.large': 0.1008,
  'm7i.xlarge': 0.2016,
  'm7a.large': 0.1159,
  'c7i.large': 0.0893,
  'c7i.xlarge': 0.1785,
  'g4dn.xlarge': 0.526,
  'g5.xlarge': 1.006,
};

const usdPerHour = z.number().check(z.positive());

/**
 * The price list's keys, as the configuration's `prices` declares them (unknown keys refused
 * there) and scale-up and the reaper read them from their environment.
 */
export const priceListShape = {
  /**
   * The operator's overrides and additions to {@link ON_DEMAND_USD_PER_HOUR}.
   * @default {}
   */
  usdPerHour: z._default(z.record(instanceTypeSchema, usdPerHour), {}),
  /**
   * For a type in no table, and for attribute-based launches whose type EC2 picks later.
   * @default 1
   */
  defaultUsdPerHour: z._default(usdPerHour, 1),
};

/** Price list with the operator's overrides. */
export const priceListSchema = z.object(priceListShape);

/** Price list with the operator's overrides. */
export type PriceList = Readonly<z.infer<typeof priceListSchema>>;

/** USD per hour of one instance of `instanceType`, on-demand. */
export function hourlyPrice(prices: PriceList, instanceType: string | undefined): number {
  if (instanceType === undefined) return prices.defaultUsdPerHour;
  return prices.usdPerHour[instanceType] ?? ON_DEMAND_USD_PER_HOUR[instanceType] ?? prices.defaultUsdPerHour;
}

/**
 * USD per hour of the given instances, each priced at on-demand by {@link hourlyPrice}: the bound the
 * spend cap, the reaper's `EstimatedSpendPerHour` metric and `spotlab status` share.
 */
export function estimatedSpendPerHour(
  prices: PriceList,
  instanceTypes: readonly (string | undefined)[],
): number {
  return instanceTypes.reduce<number>((sum, instanceType) => sum + hourlyPrice(prices, instanceType), 0);
}
