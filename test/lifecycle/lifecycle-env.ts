/**
 * The lifecycle function's environment as the stack sets it (Lambda adds AWS_REGION). Its own
 * module so a test's `vi.hoisted` block can import it before the handler reads it.
 */
export const LIFECYCLE_ENV = {
  STACK_NAME: 'Spotlab',
  POWERTOOLS_METRICS_NAMESPACE: 'Spotlab',
  JOB_TABLE_NAME: 'jobs',
  INTERRUPTION_TABLE_NAME: 'interruptions',
  DEMAND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand',
  GITLAB_URL: 'https://gitlab.example.com',
  GITLAB_TOKEN_PARAMETER: '/spotlab/gitlab-api-token',
};
