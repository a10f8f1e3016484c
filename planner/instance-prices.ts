import { z } from 'zod';
import { ON_DEMAND_USD_PER_HOUR, type PriceList } from '../lambdas/shared/prices';

/**
 * Regions whose Linux on-demand list prices the bundled table (lambdas/shared/prices.ts,
 * us-east-1, November 2026) holds as they are: AWS has long listed the same prices for current
 * generation types in N. Virginia, Ohio and Oregon. Any other Region needs `--prices` or the
 * configuration's `prices.usdPerHour`; the replay says so rather than guess a multiplier.
 */
export const BUNDLED_PRICE_REGIONS: Readonly<
  Record<string, { readonly date: string; readonly source: string }>
> = {
  'us-east-1': { date: '2026-11', source: 'lambdas/shared/prices.ts (AWS EC2 on-demand list prices)' },
  'us-east-2': { date: '2026-11', source: 'same list prices as us-east-1' },
  'us-west-2': { date: '2026-11', source: 'same list prices as us-east-1' },
};

/** `--prices <file>`: an operator's own on-demand prices, for their Region and date. */
export const priceFileSchema = z.strictObject({
  region: z.string().min(1).optional(),
  /** When the prices were read, e.g. `2026-12-01`. */
  date: z.string().min(1),
  source: z.string().min(1).optional(),
  usdPerHour: z.record(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/), z.number().positive()),
});

/** The contents of a `--prices` file. */
export type PriceFile = z.infer<typeof priceFileSchema>;

/** The prices a configured replay uses, and what they rest on. */
export interface InstancePrices {
  readonly region: string;
  /** Where the prices come from and when they were read. */
  readonly basis: string;
  /** The merged price list: the file over the configuration over the bundled table. */
  readonly list: PriceList;
  /** What the operator should know: a Region the bundled table does not cover, a type priced at the default. */
  readonly warnings: readonly string[];
}

/**
 * On-demand USD per hour of each type: the `--prices` file first, then the configuration's
 * `prices.usdPerHour`, then the bundled table, then `prices.defaultUsdPerHour` — the order the
 * spend cap reads them in, with the file on top.
 */
export function instancePrices(
  region: string,
  configured: PriceList,
  types: readonly string[],
  file?: PriceFile,
): InstancePrices {
  const prices: PriceList = { ...configured, usdPerHour: { ...configured.usdPerHour, ...file?.usdPerHour } };
  const bundled = BUNDLED_PRICE_REGIONS[region];
  const warnings: string[] = [];
  const own = (type: string) => prices.usdPerHour[type] !== undefined;
  const unknown = types.filter((type) => !own(type) && ON_DEMAND_USD_PER_HOUR[type] === undefined);
  if (unknown.length > 0)
    warnings.push(`${unknown.join(', ')}: in no price table, priced at ${prices.defaultUsdPerHour} USD/h`);
  if (bundled === undefined) {
    const unpriced = types.filter((type) => !own(type) && ON_DEMAND_USD_PER_HOUR[type] !== undefined);
    if (unpriced.length > 0)
      warnings.push(
        `${unpriced.join(', ')}: us-east-1 list prices, not ${region}'s (other Regions cost up to ~30% more); pass --prices <file>`,
      );
  }
  const basis =
    file === undefined
      ? `${bundled === undefined ? 'us-east-1' : region} on-demand list prices of ${bundled?.date ?? '2026-11'} (lambdas/shared/prices.ts)`
      : `${file.source ?? 'the --prices file'} (${file.region ?? region}, ${file.date})`;
  return {
    region,
    basis,
    list: prices,
    warnings,
  };
}
