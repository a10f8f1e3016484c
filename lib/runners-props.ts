import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { z } from 'zod';
import { deepFreeze, describeConfigIssues } from './config/load';
import { type SpotlabConfig, spotlabConfigSchema } from './config/schema';
import type { SpotlabSettings } from './runners-settings';

export type { SpotlabSettings } from './runners-settings';

type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The configuration file's keys as props, with the file's names and defaults: the input of the
 * one schema (`lib/config/schema.ts`), so a key added there is a prop here. Only `stackName` is
 * not a prop: a construct does not name its stack (see {@link SpotlabHostProps.name}).
 * {@link SpotlabSettings} is this type written out with each key's TSDoc (generated from it).
 */
export type SchemaSettings = DeepReadonly<Omit<z.input<typeof spotlabConfigSchema>, 'stackName'>>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/**
 * Fails to type-check when lib/runners-settings.ts no longer matches the schema: run
 * `npm run props:generate` after changing the schema.
 */
export type SettingsMatchSchema = Holds<Same<SpotlabSettings, SchemaSettings>>;

/** What a host CDK app already has and hands to Spotlab instead of Spotlab creating it. */
export interface SpotlabHostProps {
  /**
   * This Spotlab's name: the `spotlab:stack` tag of its instances (what its Lambdas and IAM
   * conditions find them by), the prefix of its SSM parameters (`/spotlab/<name>/...`), alarms,
   * dashboard and budget. Unique per account and Region. The configuration file's `stackName`.
   * @default - `<stack name>-<construct id>`
   */
  readonly name?: string;
  /**
   * An existing VPC for the runners, instead of the `network` key (give one of the two).
   * @default - the `network` key: a new VPC with public subnets
   */
  readonly vpc?: IVpc;
  /**
   * Which subnets of {@link vpc} the runners launch into; they must reach GitLab and the AWS APIs.
   * @default - the VPC's default selection (private subnets with egress, else public ones)
   */
  readonly subnets?: SubnetSelection;
  /**
   * An existing topic for alarms and budget notifications; its policy (and its key's) must let
   * CloudWatch and Budgets publish, Spotlab adds nothing to it.
   * @default - a topic of Spotlab's own
   */
  readonly alarmTopic?: ITopic;
  /**
   * The KMS key of Spotlab's own alarm topic (unused with {@link alarmTopic}).
   * @default - a key of Spotlab's own, rotated yearly
   */
  readonly encryptionKey?: IKey;
  /**
   * Permissions boundary applied to every IAM role Spotlab creates (Lambdas, runner instances,
   * image builds).
   * @default - none
   */
  readonly permissionsBoundary?: IManagedPolicy;
  /**
   * Tags added to every resource of this Spotlab (cost allocation beside `spotlab:stack`).
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Props of `SpotlabRunners`: the configuration keys, and the host app's resources. */
export type SpotlabRunnersProps = SpotlabSettings & SpotlabHostProps;

/** The props of a `SpotlabRunners` are not valid; `problems` names each bad prop. */
export class SpotlabPropsError extends Error {
  override readonly name = 'SpotlabPropsError';
  constructor(
    /** Construct path of the `SpotlabRunners` whose props are wrong. */
    readonly constructPath: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid props of SpotlabRunners ${constructPath}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates the configuration part of `props` against the schema, defaults filled in, frozen.
 * @throws SpotlabPropsError naming the construct path and every bad prop at once.
 */
export function parseRunnersProps(
  constructPath: string,
  name: string,
  props: SpotlabRunnersProps,
): Readonly<SpotlabConfig> {
  const {
    name: _name,
    vpc,
    subnets,
    alarmTopic,
    encryptionKey,
    permissionsBoundary,
    tags,
    ...settings
  } = props;
  const problems: string[] = [];
  if (vpc !== undefined && settings.network !== undefined)
    problems.push('network: give either the vpc prop or the network key, not both');
  if (subnets !== undefined && vpc === undefined) problems.push('subnets: needs the vpc prop');
  if (encryptionKey !== undefined && alarmTopic !== undefined)
    problems.push('encryptionKey: encrypts the topic Spotlab creates, and alarmTopic replaces it');
  const result = spotlabConfigSchema.safeParse({ ...settings, stackName: name });
  if (!result.success)
    problems.push(...describeConfigIssues(result.error.issues).map((p) => p.replace(/^stackName:/, 'name:')));
  if (problems.length > 0 || !result.success) throw new SpotlabPropsError(constructPath, problems);
  return deepFreeze(result.data);
}
