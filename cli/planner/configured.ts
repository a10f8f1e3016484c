import { readFile } from 'node:fs/promises';
import { hourlyPrice } from '../../lambdas/shared/prices';
import { loadConfig } from '../../lib/config/load';
import { instancePrices, type PriceFile, priceFileSchema } from '../../planner/instance-prices';
import type { SimParameters, SpotlabReplay } from '../../planner/model';
import type { replayConfigured } from '../../sim/world/replay-configured';
import { UsageError } from '../errors';
import type { ConfiguredOptions } from './simulate-options';

/** A replay through the operator's fleet, the parameters the alternatives are priced with, and what to tell. */
export interface ConfiguredReplay {
  readonly replay: SpotlabReplay;
  readonly parameters: SimParameters;
  /** Where the prices come from, and what they could not cover: printed on stderr. */
  readonly notes: readonly string[];
}

/**
 * Reads `--config` and `--prices` and prices the configuration's types in `--region` (else
 * `AWS_REGION`, `AWS_DEFAULT_REGION`, else us-east-1). The alternatives (always-on runners, the
 * idle pool) run on the first pool's first type unless `--price-per-hour` says otherwise.
 * @throws ConfigError for a bad configuration, UsageError for an unreadable or invalid price file.
 */
export async function configuredReplay(
  options: ConfiguredOptions,
  env: Readonly<Record<string, string | undefined>>,
  parameters: SimParameters,
  pricePerHour: number | undefined,
  replay: typeof replayConfigured,
): Promise<ConfiguredReplay> {
  const config = loadConfig(options.config);
  const file = options.prices === undefined ? undefined : await readPriceFile(options.prices);
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const types = [...new Set(config.pools.flatMap((pool) => pool.instanceTypes ?? []))];
  const prices = instancePrices(region, config.prices, types, file);
  const firstType = config.pools[0]?.instanceTypes?.[0];
  return {
    replay: (jobs, p) => replay(jobs, p, { config, prices: prices.list }),
    parameters: { ...parameters, onDemandUSDPerHour: pricePerHour ?? hourlyPrice(prices.list, firstType) },
    notes: [`prices: ${prices.basis}, for ${region}`, ...prices.warnings],
  };
}

async function readPriceFile(path: string): Promise<PriceFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--prices: cannot read ${path} as JSON (${error instanceof Error ? error.message : 'unreadable'})`,
    );
  }
  const parsed = priceFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      `--prices: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
