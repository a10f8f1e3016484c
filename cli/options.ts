import { type ParseArgsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load';
import { UsageError } from './errors';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** The options every command takes. */
const COMMON_OPTIONS = {
  config: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

const commonSchema = z.object({
  config: z.string().min(1).default(DEFAULT_CONFIG_FILE),
  stack: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS Region such as eu-west-1')
    .optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

/** The options every command takes, validated. */
export type CommonOptions = z.infer<typeof commonSchema>;

/** Help text of the options every command takes. */
export const COMMON_HELP = `Options:
  --config <path>   Spotlab configuration file (default: ${DEFAULT_CONFIG_FILE}), the file \`cdk deploy\` used
  --stack <name>    CloudFormation stack (default: the configuration's stackName, "Spotlab")
  --region <region> AWS Region (default: the SDK's: AWS_REGION, then the profile's region)
  --json            print one JSON document on stdout instead of tables
  -h, --help        this help

AWS credentials come from the SDK's default chain (environment, AWS_PROFILE and SSO, instance role).
GitLab token: the GITLAB_TOKEN environment variable if set, else the SSM SecureString named by
gitlab.apiTokenParameter in the configuration (the token Spotlab itself uses).
`;

/**
 * Parses `args` with the common options and the command's own, validating every value with
 * `schema` (the command's options; `{}` for none).
 * @throws UsageError naming each bad or unknown flag.
 */
export function parseOptions<S extends z.ZodObject>(
  args: readonly string[],
  own: OptionSpecs,
  schema: S,
): { common: CommonOptions; own: z.infer<S> } {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...own },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const common = commonSchema.safeParse(values);
  const mine = schema.safeParse(values);
  const issues = [...(common.error?.issues ?? []), ...(mine.error?.issues ?? [])];
  if (!common.success || !mine.success || issues.length > 0)
    throw new UsageError(issues.map((i) => `--${String(i.path[0] ?? '?')}: ${i.message}`).join('\n'));
  return { common: common.data, own: mine.data };
}

/** `90s`, `15m`, `2h` or a number of seconds, as seconds. */
export const durationSchema = z
  .string()
  .regex(/^\d+[smh]?$/, 'must be a duration such as 90s, 15m or 2h')
  .transform((text) => {
    const unit = text.at(-1);
    const amount = Number.parseInt(text, 10);
    return unit === 'h' ? amount * 3600 : unit === 'm' ? amount * 60 : amount;
  })
  .refine((seconds) => seconds > 0, 'must be longer than 0 seconds');
