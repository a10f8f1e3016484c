import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles (an esbuild alias, see
 * `lib/bundling.ts`). Lambda always hands the execution role's credentials over in environment
 * variables, so the default chain's SSO, INI, process, web-identity and IMDS providers (and the
 * STS/SSO clients they pull in) are dead weight: about 90 KB and a slower cold start.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
