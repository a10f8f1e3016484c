import * as z from 'zod';
import { parseDurationSeconds } from '../../planner/duration';
import { type FlagSpecs, parseFlags } from './flags';

/** `spotlab trace export --help`. */
export const TRACE_HELP = `Usage: spotlab trace export --project <id> [options]

Writes a job trace of a GitLab project's finished jobs (success, failed, canceled) from the Jobs
API, newest first back to --since, for \`spotlab simulate --trace\`. Pages are followed and a 429
answer is waited out (Retry-After). Progress goes to stderr.

The token comes from the GITLAB_TOKEN environment variable (read_api is enough); it is never printed.

Options:
  --project <id>        the numeric project id (Settings → General)
  --since <duration>    how far back, e.g. 7d, 12h (default 30d)
  --out <file>          .csv, .json or .jsonl (default: CSV on stdout)
  --gitlab-url <url>    the GitLab instance (default: GITLAB_URL, else https://gitlab.com)
  -h, --help            this help
`;

const specs = {
  project: { type: 'string' },
  since: { type: 'string' },
  out: { type: 'string' },
  'gitlab-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

const schema = z.object({
  project: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be the numeric project id')
    .transform(Number)
    .optional(),
  since: z
    .string()
    .default('30d')
    .transform((text) => parseDurationSeconds(text))
    .pipe(z.number({ error: 'must be a duration such as 30d, 12h or 90m' }).positive()),
  out: z.string().min(1).optional(),
  'gitlab-url': z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://gitlab.example.com' })
    .optional(),
  help: z.boolean().default(false),
});

/** What `spotlab trace export` was asked to do. */
export type TraceExportOptions = z.infer<typeof schema>;

/**
 * Reads the flags of `spotlab trace export`.
 * @throws UsageError naming every bad flag.
 */
export function parseTraceExportOptions(args: readonly string[]): TraceExportOptions {
  return parseFlags(args, specs, schema);
}
