import { z } from 'zod';

/** Thresholds of the alarms (see docs/observability.md). */
export const alarmsSchema = z.strictObject({
  /**
   * Estimated spend per hour above this share of `maxSpendPerHourUsd` alarms.
   * @default 80
   */
  spendPercentOfCap: z.number().min(1).max(100).default(80),
  /**
   * Running instances at this share of the global `maxInstances` alarm.
   * @default 90
   */
  instancesPercentOfCap: z.number().min(1).max(100).default(90),
  /**
   * p95 of the time jobs queue in GitLab before a Spotlab runner takes them, per pool, over 15 minutes.
   * @default 300
   */
  jobWaitP95Seconds: z.number().int().min(30).max(86_400).default(300),
  /**
   * p95 of runner VM start-up (kernel boot to the runner asking for its job), all pools, over 15 minutes.
   * @default 120
   */
  startupP95Seconds: z.number().int().min(5).max(3600).default(120),
  /**
   * Refused webhook requests (4xx) in 5 minutes that make a burst.
   * @default 10
   */
  refusedWebhooksPer5Minutes: z.number().int().min(1).max(1_000_000).default(10),
  /**
   * Errors of one Spotlab Lambda in 5 minutes.
   * @default 1
   */
  lambdaErrorsPer5Minutes: z.number().int().min(1).max(1_000_000).default(1),
  /**
   * Throttled invocations of one Spotlab Lambda in 5 minutes.
   * @default 1
   */
  lambdaThrottlesPer5Minutes: z.number().int().min(1).max(1_000_000).default(1),
});

const budgetPercentages = z.array(z.number().positive().max(1000));

/** An AWS Budget on Spotlab's cost-allocation tag; notifications go to the alarm topic. */
export const budgetSchema = z
  .strictObject({
    /** The month's budget in USD. */
    monthlyUsd: z.number().positive().max(10_000_000),
    /**
     * Actual spend at these percentages of `monthlyUsd` notifies.
     * @default [80, 100]
     */
    alertPercentages: budgetPercentages.default([80, 100]),
    /**
     * Forecast spend for the month at these percentages of `monthlyUsd` notifies.
     * @default [100]
     */
    forecastPercentages: budgetPercentages.default([100]),
  })
  .superRefine((budget, ctx) => {
    // AWS Budgets takes at most ten notifications per budget and refuses two identical ones.
    if (budget.alertPercentages.length + budget.forecastPercentages.length > 10) {
      ctx.addIssue({
        code: 'custom',
        path: ['alertPercentages'],
        message: 'alertPercentages and forecastPercentages hold at most 10 values together',
      });
    }
    for (const key of ['alertPercentages', 'forecastPercentages'] as const) {
      budget[key].forEach((percent, index) => {
        if (budget[key].indexOf(percent) !== index)
          ctx.addIssue({ code: 'custom', path: [key, index], message: `repeats ${percent}` });
      });
    }
  });
