import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** cdk-nag's `validation-report.json`, as far as the tests read it. */
const reportSchema = z.object({
  pluginReports: z.array(
    z.object({
      violations: z
        .array(
          z.object({
            ruleName: z.string(),
            violatingConstructs: z.array(z.object({ constructPath: z.string() })),
          }),
        )
        .default([]),
    }),
  ),
});

/** cdk-nag's findings for the app synthesised into `outdir`, one `rule constructPath` each. */
export function nagFindings(outdir: string): string[] {
  const report = reportSchema.parse(JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')));
  return report.pluginReports.flatMap((r) =>
    r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
  );
}
