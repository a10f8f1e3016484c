import * as z from 'zod/mini';

const positiveInt = z.int().check(z.positive());

/** Where Spotlab registers its runners: the job's project, one group, or the whole instance. */
export const runnerScopeSchema = z.union([
  z.object({ type: z.literal('project') }),
  z.object({ type: z.literal('group'), groupId: positiveInt }),
  z.object({ type: z.literal('instance') }),
]);

/** Where runners are registered. */
export type RunnerScope = z.infer<typeof runnerScopeSchema>;
