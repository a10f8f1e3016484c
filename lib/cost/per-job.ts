import { HOURS_PER_MONTH, SERVICE_PRICES_USD as P } from './service-prices';

/**
 * What one job asks of the control plane, counted from the flow (README, "How a job gets a
 * machine" and "How a job ends"); durations are guesses no deployment has measured yet, set high.
 */
export const PER_JOB_USAGE = {
  /** Job Hooks GitLab sends: created (acknowledged and dropped), pending, running, success. */
  webhookRequests: 4,
  webhookSecondsEach: 0.05,
  /** Demand (pending), lifecycle (running, success) and EC2 state changes (shutting-down, terminated). */
  queueMessages: 5,
  /** Send, receive, delete: batching only lowers this. */
  sqsRequestsPerMessage: 3,
  /** Scale-up's share of a batch: GitLab job read and runner creation, SSM put, CreateFleet. */
  scaleUpSeconds: 0.5,
  lifecycleInvocations: 4,
  lifecycleSecondsEach: 0.15,
  /** Claim, launched, running, finished. */
  tableWriteUnits: 4,
  tableReadUnits: 4,
  /** The token's SecureString: encrypted once on put, decrypted once by its instance (SSM's own calls are free). */
  kmsRequests: 2,
  /** API access log lines and the Lambdas' log lines of one job. */
  logBytes: 8_000,
} as const;

const LAMBDA_MEMORY_GB = 0.5;

const lambda = (invocations: number, secondsEach: number) =>
  invocations * P.lambdaRequest + invocations * secondsEach * LAMBDA_MEMORY_GB * P.lambdaArmGBSecond;

/**
 * USD the control plane costs per job (API Gateway, Lambda, SQS, DynamoDB, KMS, logs), list prices.
 * With `waf`, the hooks reach a REST API and each is inspected by AWS WAF.
 */
export function controlPlaneUsdPerJob(
  usage: typeof PER_JOB_USAGE = PER_JOB_USAGE,
  front: { readonly waf: boolean } = { waf: false },
): number {
  const perHook = front.waf ? P.restApiRequest + P.wafRequest : P.httpApiRequest;
  return (
    usage.webhookRequests * perHook +
    lambda(usage.webhookRequests, usage.webhookSecondsEach) +
    usage.queueMessages * usage.sqsRequestsPerMessage * P.sqsRequest +
    lambda(1, usage.scaleUpSeconds) +
    lambda(usage.lifecycleInvocations, usage.lifecycleSecondsEach) +
    usage.tableWriteUnits * P.dynamoWriteUnit +
    usage.tableReadUnits * P.dynamoReadUnit +
    usage.kmsRequests * P.kmsRequest +
    (usage.logBytes / 1e9) * P.logIngestGB
  );
}

/** What an instance costs besides its own hourly price: its gp3 root volume and its public IPv4 address. */
export interface InstanceExtrasUSD {
  readonly ebs: number;
  readonly publicIpv4: number;
}

/**
 * EBS (`diskSizeGiB` of gp3, billed per second while the instance exists) and the public IPv4
 * address every runner has (public subnets, no NAT gateway) over `instanceMinutes`.
 */
export function instanceExtrasUsd(instanceMinutes: number, diskSizeGiB: number): InstanceExtrasUSD {
  const hours = instanceMinutes / 60;
  return {
    ebs: (diskSizeGiB * P.gp3GiBMonth * hours) / HOURS_PER_MONTH,
    publicIpv4: hours * P.publicIpv4Hour,
  };
}
