import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TagKey } from '../../lambdas/shared/naming';
import type { SpotlabConfig } from '../config/schema';

/** The budget's configuration (present when the file has a `budget` key). */
export type BudgetConfig = NonNullable<SpotlabConfig['budget']>;

/**
 * The Budgets cost filter on Spotlab's cost-allocation tag: `user:<key>$<value>`. Budgets see
 * the tag only once it is activated in Billing (see docs/observability.md).
 */
export function costAllocationFilter(stackName: string): string {
  return `user:${TagKey.stack}$${stackName}`;
}

/**
 * A monthly cost budget over everything tagged with this stack's name, notifying `topic` when
 * actual spend passes each `alertPercentages` and forecast spend each `forecastPercentages`.
 */
export function createBudget(
  scope: Construct,
  stackName: string,
  budget: Readonly<BudgetConfig>,
  topic: ITopic,
): CfnBudget {
  const notification = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
    notification: {
      notificationType,
      comparisonOperator: 'GREATER_THAN',
      threshold,
      thresholdType: 'PERCENTAGE',
    },
    subscribers: [{ subscriptionType: 'SNS', address: topic.topicArn }],
  });
  return new CfnBudget(scope, 'Budget', {
    budget: {
      // Budget names are unique per account and may not hold ':' (the stack name never does).
      budgetName: `${stackName}-monthly`,
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      budgetLimit: { amount: budget.monthlyUsd, unit: 'USD' },
      costFilters: { TagKeyValue: [costAllocationFilter(stackName)] },
    },
    notificationsWithSubscribers: [
      ...budget.alertPercentages.map((percent) => notification('ACTUAL', percent)),
      ...budget.forecastPercentages.map((percent) => notification('FORECASTED', percent)),
    ],
  });
}
