import * as z from 'zod/mini';

/**
 * Where Spotlab registers its runners: the job's project, one group, or the whole instance. The
 * configuration's `runnerScope` and the environment of scale-up and the reaper both read this.
 */
export const runnerScopeSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      /** Each job's runner is a project runner of the job's project. */
      type: z.literal('project'),
    }),
    z.strictObject({
      /** Runners are group runners of `groupId`; jobs of projects outside it launch nothing. */
      type: z.literal('group'),
      /** The group's numeric id. */
      groupId: z.int().check(z.positive()),
    }),
    z.strictObject({
      /** Runners are instance runners (the token must belong to an administrator). */
      type: z.literal('instance'),
    }),
  ],
  { error: 'must be {"type":"project"}, {"type":"group","groupId":N} or {"type":"instance"}' },
);

/** Where runners are registered. */
export type RunnerScope = z.infer<typeof runnerScopeSchema>;
