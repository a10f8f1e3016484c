import * as z from 'zod/mini';

/**
 * Where Spotlab registers its runners: the job's project, one group, or the whole instance. The
 * configuration's `runnerScope` and the environment of scale-up and the reaper both read this.
 */
export const runnerScopeSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('project') }),
    z.strictObject({ type: z.literal('group'), groupId: z.int().check(z.positive()) }),
    z.strictObject({ type: z.literal('instance') }),
  ],
  { error: 'must be {"type":"project"}, {"type":"group","groupId":N} or {"type":"instance"}' },
);

/** Where runners are registered. */
export type RunnerScope = z.infer<typeof runnerScopeSchema>;
