import {
  type LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { StackOutput } from '../../lib/stack-outputs';
import { OperatorError } from '../errors';
import { type DeployedStack, requireOutput } from './stack';

const mappingSchema = z.looseObject({ UUID: z.string(), State: z.string() });
const listSchema = z.looseObject({
  EventSourceMappings: z.array(mappingSchema).optional(),
  NextMarker: z.string().optional(),
});

/**
 * The scale-up Lambda's SQS event source mapping on the demand queue. Its `State` is one of
 * `Creating`, `Enabling`, `Enabled`, `Disabling`, `Disabled`, `Updating`, `Deleting`.
 */
export interface LaunchSwitch {
  readonly uuid: string;
  readonly state: string;
}

/** Whether a mapping in `state` launches (or is about to). */
export function isLaunching(state: string): boolean {
  return state !== 'Disabled' && state !== 'Disabling';
}

/**
 * The launch switch of a deployed stack, found through its outputs.
 * @throws StackOutputMissingError when the stack predates them; OperatorError when the mapping is gone.
 */
export function findStackLaunchSwitch(lambda: LambdaClient, stack: DeployedStack) {
  return findLaunchSwitch(
    lambda,
    requireOutput(stack, StackOutput.scaleUpFunctionName),
    requireOutput(stack, StackOutput.demandQueueArn),
  );
}

/**
 * Finds the mapping from the demand queue to the scale-up function (`ListEventSourceMappings`
 * filtered by both, every page).
 * @throws OperatorError when there is none: the stack was changed outside CloudFormation.
 */
export async function findLaunchSwitch(
  lambda: LambdaClient,
  functionName: string,
  demandQueueArn: string,
): Promise<LaunchSwitch> {
  let Marker: string | undefined;
  do {
    const page = listSchema.parse(
      await lambda.send(
        new ListEventSourceMappingsCommand({
          FunctionName: functionName,
          EventSourceArn: demandQueueArn,
          Marker,
        }),
      ),
    );
    const [mapping] = page.EventSourceMappings ?? [];
    if (mapping !== undefined) return { uuid: mapping.UUID, state: mapping.State };
    Marker = page.NextMarker;
  } while (Marker !== undefined);
  throw new OperatorError(
    `the scale-up function ${functionName} has no event source mapping on the demand queue`,
    'Run `npx cdk deploy` to restore it.',
  );
}

/**
 * Enables or disables the mapping. Lambda applies it asynchronously (`Enabling`/`Disabling` for a
 * few seconds); setting the state it already has is accepted and changes nothing.
 * @returns the state Lambda reports after the call.
 */
export async function setLaunching(lambda: LambdaClient, uuid: string, enabled: boolean): Promise<string> {
  const output = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
  return mappingSchema.parse(output).State;
}
