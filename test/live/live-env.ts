import { credentialSource } from '../../cli/commands/bench-start-up';

/** The variables `npm run test:live` needs; the GitLab token needs api, create_runner and manage_runner. */
export const LIVE_VARIABLES = [
  'SPOTLAB_LIVE_GITLAB_URL',
  'SPOTLAB_LIVE_PROJECT_ID',
  'SPOTLAB_LIVE_TOKEN',
] as const;

/** What a live run works with. */
export interface LiveEnv {
  readonly gitlabUrl: string;
  readonly projectId: number;
  readonly token: string;
  /** The branch the pipeline runs on. @default main */
  readonly ref: string;
  readonly region: string;
}

/**
 * The live settings, or why the live test is skipped: a missing variable or no AWS credentials.
 * It deploys a stack and launches instances, so it never runs on a guess.
 */
export function liveEnv(env: Readonly<Record<string, string | undefined>>): LiveEnv | { skip: string } {
  const missing: string[] = LIVE_VARIABLES.filter((name) => (env[name] ?? '') === '');
  if (credentialSource(env) === undefined) missing.push('AWS_PROFILE or AWS_ACCESS_KEY_ID');
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined) missing.push('AWS_REGION');
  const projectId = Number(env.SPOTLAB_LIVE_PROJECT_ID);
  if (missing.length > 0 || region === undefined || !Number.isInteger(projectId) || projectId <= 0)
    return {
      skip: `skipped: the live test deploys a throwaway stack and needs ${
        missing.length > 0 ? missing.join(', ') : 'SPOTLAB_LIVE_PROJECT_ID as a number'
      } (see docs/testing.md); nothing was deployed`,
    };
  return {
    gitlabUrl: (env.SPOTLAB_LIVE_GITLAB_URL ?? '').replace(/\/+$/, ''),
    projectId,
    token: env.SPOTLAB_LIVE_TOKEN ?? '',
    ref: env.SPOTLAB_LIVE_REF ?? 'main',
    region,
  };
}
