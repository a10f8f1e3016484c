import * as z from 'zod';
import type { Alternatives } from '../../planner/compare';
import { DEFAULT_AUTOSCALER, DEFAULT_PARAMETERS } from '../../planner/defaults';
import { parseDurationSeconds } from '../../planner/duration';
import type { SimParameters } from '../../planner/model';
import {
  flatStartup,
  IMAGE_PROFILES,
  type ImageProfile,
  startupProfile,
} from '../../planner/startup-profile';
import type { TraceFormat } from '../../planner/trace/parse';
import { UsageError } from '../errors';
import { type FlagSpecs, numberFlag, parseFlags } from './flags';

const D = DEFAULT_PARAMETERS;
const A = DEFAULT_AUTOSCALER;

/** `spotlab simulate --help`. */
export const SIMULATE_HELP = `Usage: spotlab simulate --trace <file> [options]

Replays a job trace through Spotlab (its real scale-up, lifecycle and reaper code on the in-memory
AWS and GitLab) and, side by side, through N always-on runners (the smallest N that matches
Spotlab's p95 wait, and the N you give) and an idle-pool autoscaler like GitLab's docker-autoscaler.
Prints a table and, last, the summaries as one JSON line. See docs/simulate.md.

Options:
  --trace <file>                 the trace: CSV, JSON array or JSON Lines (spotlab trace export writes one)
  --format <csv|json|jsonl>      the trace's format (default: from the file name; CSV otherwise)
  --seed <n>                     seeds every random choice (default ${D.seed})
  --always-on <n>                also show n always-on runners
  --warm <n>                     also show Spotlab keeping n ready instances while jobs arrive
  --idle-count <n>               autoscaler idle_count (default ${A.idleCount})
  --idle-time <duration>         autoscaler idle_time, e.g. 30m (default ${A.idleTimeSeconds / 60}m)
  --max-use-count <n>            autoscaler max_use_count, 0 for no limit (default ${A.maxUseCount})
  --autoscaler-pricing <spot|on-demand>  the autoscaler's instances (default ${A.pricing})
  --manager-price-per-hour <usd> the autoscaler's always-on manager VM (default ${A.managerUSDPerHour})
  --image <stock|baked|warm>     the start-up profile: stock Amazon Linux 2023 (installs Docker and
                                 gitlab-runner on boot), the stack's baked image, or a warm instance
                                 that only waits for its token (default ${D.startup.name}; with --config,
                                 each pool's own image). A list, e.g. stock,baked,warm, replays each
                                 side by side; the first is the one compared with the alternatives
  --boot-seconds <s>             instead of --image: one flat launch-to-job time (the old model)
  --spot-discount <0..1>         spot price off on-demand (default ${D.spotDiscount})
  --interrupt-rate <0..1>        share of spot jobs interrupted mid-job (default ${D.interruptRate})
  --price-per-hour <usd>         on-demand price of one runner instance (default ${D.onDemandUSDPerHour})
  --config <file>                replay through this configuration's pools, instance types and caps
                                 (its routing, prices and disks; adds costBreakdownUSD)
  --region <region>              with --config: the Region to price (default AWS_REGION, else us-east-1)
  --prices <file>                with --config: on-demand USD/h by type, {"date":…,"usdPerHour":{…}}
  --out <report.html>            also write the HTML report
  --json                         print only the JSON line
  -h, --help                     this help
`;

const specs = {
  trace: { type: 'string' },
  format: { type: 'string' },
  seed: { type: 'string' },
  'always-on': { type: 'string' },
  warm: { type: 'string' },
  'idle-count': { type: 'string' },
  'idle-time': { type: 'string' },
  'max-use-count': { type: 'string' },
  'autoscaler-pricing': { type: 'string' },
  'manager-price-per-hour': { type: 'string' },
  image: { type: 'string' },
  'boot-seconds': { type: 'string' },
  'spot-discount': { type: 'string' },
  'interrupt-rate': { type: 'string' },
  'price-per-hour': { type: 'string' },
  config: { type: 'string' },
  region: { type: 'string' },
  prices: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

const schema = z.object({
  trace: z.string().min(1).optional(),
  format: z.enum(['csv', 'json', 'jsonl']).optional(),
  seed: numberFlag(0, 2 ** 32 - 1, true).optional(),
  'always-on': numberFlag(1, 100_000, true).optional(),
  warm: numberFlag(1, 300, true).optional(),
  'idle-count': numberFlag(0, 10_000, true).optional(),
  'idle-time': z
    .string()
    .transform((text) => parseDurationSeconds(text))
    .pipe(z.number({ error: 'must be a duration such as 90s, 30m or 1h' }))
    .optional(),
  'max-use-count': numberFlag(0, 1_000_000, true).optional(),
  'autoscaler-pricing': z.enum(['spot', 'on-demand']).optional(),
  'manager-price-per-hour': numberFlag(0).optional(),
  image: z
    .string()
    .transform((text) => text.split(','))
    .pipe(z.array(z.enum(IMAGE_PROFILES, { error: 'must be stock, baked or warm (or a list of them)' })))
    .optional(),
  'boot-seconds': numberFlag(0, 3600).optional(),
  'spot-discount': numberFlag(0, 1).optional(),
  'interrupt-rate': numberFlag(0, 1).optional(),
  'price-per-hour': numberFlag(0).optional(),
  config: z.string().min(1).optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS Region such as eu-west-1')
    .optional(),
  prices: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

/** What `spotlab simulate` was asked to do. */
export interface SimulateOptions {
  readonly help: boolean;
  readonly trace: string | undefined;
  readonly format: TraceFormat | undefined;
  readonly parameters: SimParameters;
  readonly alternatives: Alternatives;
  /** `--config`, `--region`, `--prices`: replay through the operator's own fleet. */
  readonly configured: ConfiguredOptions | undefined;
  /** `--price-per-hour` as given (the alternatives' price), before its default. */
  readonly pricePerHour: number | undefined;
  readonly out: string | undefined;
  readonly json: boolean;
}

/** What `--config`, `--region` and `--prices` name. */
export interface ConfiguredOptions {
  readonly config: string;
  readonly region: string | undefined;
  readonly prices: string | undefined;
}

/** The profiles `--image` lists (each once, in order), the flat `--boot-seconds`, else none. */
function startupsOf(images: readonly ImageProfile[] | undefined, bootSeconds: number | undefined) {
  if (bootSeconds !== undefined) return [flatStartup(bootSeconds)];
  return [...new Set(images ?? [])].map(startupProfile);
}

/**
 * Reads the flags of `spotlab simulate`, with the documented defaults for the ones not given.
 * @throws UsageError naming every bad flag.
 */
export function parseSimulateOptions(args: readonly string[]): SimulateOptions {
  const flags = parseFlags(args, specs, schema);
  if (flags.config === undefined && (flags.region !== undefined || flags.prices !== undefined))
    throw new UsageError('--region and --prices price a --config replay: give --config too');
  if (flags.image !== undefined && flags['boot-seconds'] !== undefined)
    throw new UsageError('--image and --boot-seconds both set the start-up: give one');
  const [startup, ...others] = startupsOf(flags.image, flags['boot-seconds']);
  // The flag shapes the sample pool only; a configured replay brings its own pools.
  if (flags.config !== undefined && flags.warm !== undefined)
    throw new UsageError('--warm adds ready instances to the sample pool, not to a --config replay');
  return {
    help: flags.help,
    trace: flags.trace,
    format: flags.format,
    parameters: {
      seed: flags.seed ?? D.seed,
      startup: startup ?? D.startup,
      startupFromPools: flags.image === undefined && flags['boot-seconds'] === undefined,
      spotDiscount: flags['spot-discount'] ?? D.spotDiscount,
      interruptRate: flags['interrupt-rate'] ?? D.interruptRate,
      onDemandUSDPerHour: flags['price-per-hour'] ?? D.onDemandUSDPerHour,
    },
    alternatives: {
      ...(flags['always-on'] === undefined ? {} : { alwaysOn: flags['always-on'] }),
      ...(others.length === 0 ? {} : { startups: others }),
      ...(flags.warm === undefined ? {} : { warmCount: flags.warm }),
      autoscaler: {
        idleCount: flags['idle-count'] ?? A.idleCount,
        idleTimeSeconds: flags['idle-time'] ?? A.idleTimeSeconds,
        maxUseCount: flags['max-use-count'] ?? A.maxUseCount,
        managerUSDPerHour: flags['manager-price-per-hour'] ?? A.managerUSDPerHour,
        pricing: flags['autoscaler-pricing'] ?? A.pricing,
      },
    },
    configured:
      flags.config === undefined
        ? undefined
        : { config: flags.config, region: flags.region, prices: flags.prices },
    pricePerHour: flags['price-per-hour'],
    out: flags.out,
    json: flags.json,
  };
}
