import { z } from 'zod';
import { defineCommand } from '../command';
import { collectStatus } from '../status/collect';
import { renderStatus } from '../status/render';
import { buildStatusReport } from '../status/report';

/** `spotlab status`: pools, instances, Spotlab's GitLab runners, jobs waiting, spend now. */
export const statusCommand = defineCommand({
  name: 'status',
  help: `Usage: spotlab status [options]

Shows each pool's running instances against its cap; every instance of the stack (age, state, spot
or on-demand, the job it runs); Spotlab's runners in GitLab; the jobs waiting in the demand queue
and the dead-letter queues; and the spend per hour now, priced at on-demand rates as the spend cap
is. Exit code 1 when a part could not be read (it is named), 0 otherwise.`,
  options: {},
  schema: z.object({}),
  async run(context, { common }, io) {
    const report = buildStatusReport(context.config, await collectStatus(context), context.now());
    io.stdout(common.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
    return report.problems.length > 0 ? 1 : 0;
  },
});
