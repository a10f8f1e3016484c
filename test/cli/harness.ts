import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  type _InstanceType,
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
  type InstanceStateName,
} from '@aws-sdk/client-ec2';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { parse as parseJsonc } from 'jsonc-parser';
import type { Command } from '../../cli/io';
import { loadConfig } from '../../lib/config/load';
import { configHash, StackOutput } from '../../lib/stack-outputs';

/** Every AWS client the CLI makes, mocked at the SDK's `send`. */
export const aws = {
  cfn: mockClient(CloudFormationClient),
  ec2: mockClient(EC2Client),
  ssm: mockClient(SSMClient),
  dynamo: mockClient(DynamoDBClient),
  sqs: mockClient(SQSClient),
  lambda: mockClient(LambdaClient),
};

/** The clock of every test: 2026-11-23 10:00 UTC. */
export const NOW = Date.parse('2026-11-23T10:00:00Z');
export const CONFIG_FILE = 'spotlab.config.json';
export const WEBHOOK_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhook';
export const DEMAND_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Spotlab-Demand';
export const DEMAND_DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Spotlab-DemandDLQ';
export const LIFECYCLE_DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Spotlab-LifecycleDLQ';
export const MAPPING_UUID = '6f1c2a3b-0000-4000-8000-00000000beef';

/** The outputs a stack deployed from the shipped configuration has. */
export function deployedOutputs(): Record<string, string> {
  return {
    [StackOutput.webhookUrl]: WEBHOOK_URL,
    [StackOutput.configHash]: configHash(loadConfig(CONFIG_FILE)),
    [StackOutput.jobTableName]: 'Spotlab-Jobs',
    [StackOutput.demandQueueUrl]: DEMAND_URL,
    [StackOutput.demandQueueArn]: 'arn:aws:sqs:eu-west-1:123456789012:Spotlab-Demand',
    [StackOutput.demandDeadLetterQueueUrl]: DEMAND_DLQ_URL,
    [StackOutput.lifecycleDeadLetterQueueUrl]: LIFECYCLE_DLQ_URL,
    [StackOutput.scaleUpFunctionName]: 'Spotlab-ScaleUp',
    [StackOutput.subnetIds]: 'subnet-0aaa1111,subnet-0bbb2222',
  };
}

/** DescribeStacks answers the stack with `outputs`. */
export function stackIs(outputs: Record<string, string>, status: StackStatus = 'UPDATE_COMPLETE'): void {
  aws.cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Spotlab',
        StackStatus: status,
        CreationTime: new Date(NOW),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}

/** An instance of the stack as DescribeInstances returns it. */
export function instance(
  id: string,
  pool: string,
  options: {
    type?: _InstanceType;
    state?: InstanceStateName;
    spot?: boolean;
    minutesOld?: number;
    jobTag?: number;
  } = {},
): Instance {
  return {
    InstanceId: id,
    InstanceType: options.type ?? 'm7g.large',
    LaunchTime: new Date(NOW - (options.minutesOld ?? 5) * 60_000),
    State: { Name: options.state ?? 'running' },
    ...(options.spot === false ? {} : { InstanceLifecycle: 'spot' }),
    Tags: [
      { Key: 'spotlab:stack', Value: 'Spotlab' },
      { Key: 'spotlab:pool', Value: pool },
      ...(options.jobTag === undefined ? [] : [{ Key: 'spotlab:job-id', Value: String(options.jobTag) }]),
    ],
  };
}

/** DescribeInstances answers `instances` (one page). */
export function fleetIs(instances: Instance[]): void {
  aws.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: instances }] });
}

/** The job table's `byInstance` index places `jobs` ({instance: [jobId, state]}). */
export function jobsAre(jobs: Record<string, [number, string]>): void {
  aws.dynamo
    .on(QueryCommand)
    .callsFake((input: { ExpressionAttributeValues?: Record<string, { S?: string }> }) => {
      const id = input.ExpressionAttributeValues?.[':instance']?.S ?? '';
      const job = jobs[id];
      return {
        Items:
          job === undefined
            ? []
            : [{ jobId: { N: String(job[0]) }, state: { S: job[1] }, instanceId: { S: id } }],
      };
    });
}

/** Queue depths by URL: [visible, in flight]; queues not named are empty. */
export function queuesAre(depths: Record<string, [number, number]>): void {
  aws.sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl?: string }) => {
    const [visible, inFlight] = depths[input.QueueUrl ?? ''] ?? [0, 0];
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(visible),
        ApproximateNumberOfMessagesNotVisible: String(inFlight),
        ApproximateNumberOfMessagesDelayed: '0',
      },
    };
  });
}

/** The scale-up event source mapping is in `state`. */
export function mappingIs(state: string): void {
  aws.lambda
    .on(ListEventSourceMappingsCommand)
    .resolves({ EventSourceMappings: [{ UUID: MAPPING_UUID, State: state }] });
}

/** SSM holds the named parameters with their types; the API token reads as `glpat-spotlab`. */
export function parametersAre(types: Record<string, string>): void {
  aws.ssm
    .on(DescribeParametersCommand)
    .callsFake((input: { ParameterFilters?: { Values?: string[] }[] }) => ({
      Parameters: (input.ParameterFilters?.[0]?.Values ?? [])
        .filter((name) => types[name] !== undefined)
        .map((name) => ({ Name: name, Type: types[name] })),
    }));
  aws.ssm
    .on(GetParameterCommand)
    .resolves({ Parameter: { Name: '/spotlab/gitlab-api-token', Value: 'glpat-spotlab' } });
}

/** One stubbed GitLab answer. */
export interface GitlabAnswer {
  readonly status?: number;
  readonly body?: unknown;
  readonly nextPage?: number;
}

/**
 * A fetch that answers GitLab API paths (without `/api/v4` and query) from `routes`, 404 for any
 * other, and records every URL and token it was called with.
 */
export function gitlabStub(routes: Record<string, GitlabAnswer | ((url: URL) => GitlabAnswer)>) {
  const calls: { url: URL; token: string | null }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    calls.push({ url, token: new Headers(init?.headers).get('PRIVATE-TOKEN') });
    const route = routes[url.pathname.replace(/^\/api\/v4/, '')];
    const answer =
      typeof route === 'function'
        ? route(url)
        : (route ?? { status: 404, body: { message: '404 Not found' } });
    const headers = new Headers({ 'content-type': 'application/json' });
    if (answer.nextPage !== undefined) headers.set('x-next-page', String(answer.nextPage));
    return new Response(JSON.stringify(answer.body ?? null), { status: answer.status ?? 200, headers });
  };
  return { fetch, calls };
}

/** What a command printed and returned. */
export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` with `args` against the mocks, the fixed clock and `fetch`. */
export async function run(
  command: Command,
  args: string[],
  options: { fetch?: typeof fetch; env?: Record<string, string>; sleep?: (ms: number) => Promise<void> } = {},
): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await command.run(['--region', 'eu-west-1', ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
    fetch: options.fetch ?? gitlabStub({}).fetch,
    now: () => NOW,
    sleep: options.sleep ?? (async () => {}),
  });
  return { code, stdout, stderr };
}

/** Resets every AWS mock. */
export function resetAws(): void {
  for (const mock of Object.values(aws)) mock.reset();
}

/** Where each command's tests start: every AWS mock reset, the stack deployed from the shipped configuration. */
export function stackDeployed(): void {
  resetAws();
  stackIs(deployedOutputs());
}

/** DescribeStacks answers that the stack does not exist, as CloudFormation does. */
export function stackIsMissing(): void {
  const error = new Error('Stack with id Spotlab does not exist');
  error.name = 'ValidationError';
  aws.cfn.on(DescribeStacksCommand).rejects(error);
}

/**
 * Writes a copy of the shipped configuration changed by `change` to a temporary file.
 * @returns its path and the hash a stack deployed from it would output.
 */
export function configVariant(change: (config: Record<string, unknown>) => void): {
  file: string;
  hash: string;
} {
  const parsed: unknown = parseJsonc(readFileSync(CONFIG_FILE, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error('the shipped configuration is not an object');
  const config: Record<string, unknown> = { ...parsed };
  change(config);
  const file = join(mkdtempSync(join(tmpdir(), 'spotlab-cli-')), 'spotlab.config.json');
  writeFileSync(file, JSON.stringify(config));
  return { file, hash: configHash(loadConfig(file)) };
}
