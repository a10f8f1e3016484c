import * as z from 'zod/mini';
import { type Pool, poolShape } from '../shared/pool';

/**
 * The pool keys scale-up does not read: the stack bakes them into the launch template or the
 * runner's command line, or the reaper reads them. Every other key of `poolShape` reaches scale-up
 * as configured, so a new pool option for scale-up is declared once, in `lambdas/shared/pool.ts`.
 */
const KEPT_OUT = {
  image: true,
  prePulledImages: true,
  diskSizeGiB: true,
  executor: true,
  dockerImage: true,
  privileged: true,
  dockerGpus: true,
  idleTimeoutSeconds: true,
  maxLifetimeMinutes: true,
  // Passed on in seconds, as GitLab's `maximum_timeout` takes it.
  jobTimeoutMinutes: true,
} as const satisfies { readonly [K in keyof typeof poolShape]?: true };

/** The pool keys scale-up does not read (see {@link KEPT_OUT}). */
export type KeptOutOfScaleUp = keyof typeof KEPT_OUT;

const { name, tags, runUntagged, architecture, ...rest } = z.omit(z.object(poolShape), KEPT_OUT).shape;

/**
 * What scale-up knows of one pool: the configured pool's keys but {@link KEPT_OUT}, plus what the
 * stack created for it. Keys in the order the stack has always written `POOLS` in.
 */
export const runtimePoolSchema = z.object({
  name,
  tags,
  runUntagged,
  architecture,
  launchTemplateId: z.string(),
  ...rest,
  jobTimeoutSeconds: z.int().check(z.positive()),
});

/** A pool as scale-up sees it. */
export type RuntimePool = z.infer<typeof runtimePoolSchema>;

/**
 * The pool scale-up reads: `pool` as configured with its launch template, every key scale-up does
 * not read left out.
 */
export function runtimePool(pool: Pool, launchTemplateId: string): RuntimePool {
  return z.parse(runtimePoolSchema, {
    ...pool,
    launchTemplateId,
    jobTimeoutSeconds: pool.jobTimeoutMinutes * 60,
  });
}
