import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The AWS clients a command uses, made once and passed to the adapters. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly dynamo: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
}

/**
 * Clients on the operator's credentials (the SDK's default provider chain: environment, shared
 * config and SSO profiles, instance or container role). Without `region`, the SDK's chain picks
 * it (`AWS_REGION`, the profile's region).
 */
export function createAwsClients(region: string | undefined): AwsClients {
  // Standard retries with the SDK's backoff; an operator waits a few seconds rather than failing.
  const config = { maxAttempts: 4, ...(region === undefined ? {} : { region }) };
  return {
    cloudFormation: new CloudFormationClient(config),
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    dynamo: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    lambda: new LambdaClient(config),
  };
}
