/**
 * List prices (USD, us-east-1, before any free tier) of the AWS services Spotlab's control plane
 * uses, as far as the idle-cost and per-job estimates need them. Where each figure was read, and
 * when, is in docs/cost.md ("Prices and their sources"); figures not confirmed there say so.
 */
export const SERVICE_PRICES_USD = {
  /** CloudWatch: one standard-resolution (period ≥ 60 s) alarm metric for a month. */
  alarmMetricMonth: 0.1,
  /** CloudWatch: one dashboard for a month (the first 3 of an account are free, up to 50 metrics each). */
  dashboardMonth: 3,
  /** CloudWatch: one custom metric (one name + dimension set) for a month, first 10,000 tier; billed by the hour it is sent. */
  customMetricMonth: 0.3,
  /** CloudWatch Logs: one GB ingested (standard class). */
  logIngestGB: 0.5,
  /** CloudWatch Logs: one GB stored for a month. */
  logStorageGBMonth: 0.03,
  /** KMS: one customer managed key for a month (each automatic rotation adds a backing key). */
  kmsKeyMonth: 1,
  /** KMS: one request (symmetric), after the 20,000 free requests a month. */
  kmsRequest: 0.03 / 10_000,
  /** Lambda: one request. */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda: one GB-second on arm64 (every Spotlab function runs on arm64). */
  lambdaArmGBSecond: 0.0000133334,
  /** EventBridge Scheduler: one invocation, after 14 million free a month. */
  schedulerInvocation: 1 / 1_000_000,
  /** SQS standard queue: one request (send, receive, delete, empty receive alike), after 1 million free. */
  sqsRequest: 0.4 / 1_000_000,
  /** DynamoDB on-demand: one read request unit (since the November 2024 price cut). */
  dynamoReadUnit: 0.125 / 1_000_000,
  /** DynamoDB on-demand: one write request unit (since the November 2024 price cut). */
  dynamoWriteUnit: 0.625 / 1_000_000,
  /** API Gateway HTTP API: one request (first 300 million a month). */
  httpApiRequest: 1 / 1_000_000,
  /** API Gateway REST API: one request (first 333 million a month); the front door with `webhook.waf`. */
  restApiRequest: 3.5 / 1_000_000,
  /** AWS WAF: one web ACL for a month. */
  wafWebAclMonth: 5,
  /** AWS WAF: one rule of a web ACL for a month. */
  wafRuleMonth: 1,
  /** AWS WAF: one request inspected. */
  wafRequest: 0.6 / 1_000_000,
  /** EC2: one public IPv4 address for an hour (in use or not, since 1 February 2024). */
  publicIpv4Hour: 0.005,
  /** EBS gp3: one GiB for a month, at the included 3,000 IOPS and 125 MiB/s. */
  gp3GiBMonth: 0.08,
} as const;

/** Hours in the month AWS bills by (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
