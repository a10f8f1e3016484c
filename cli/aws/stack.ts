import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import type { StackOutput } from '../../lib/stack-outputs';
import { StackNotFoundError, StackOutputMissingError } from '../errors';

const describeStacksSchema = z.object({
  Stacks: z
    .array(
      z.looseObject({
        StackName: z.string(),
        StackStatus: z.string(),
        Outputs: z
          .array(z.looseObject({ OutputKey: z.string().optional(), OutputValue: z.string().optional() }))
          .optional(),
      }),
    )
    .min(1),
});

/** The deployed stack as CloudFormation describes it. */
export interface DeployedStack {
  readonly name: string;
  /** E.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`, `UPDATE_IN_PROGRESS`. */
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * `DescribeStacks` for `stackName`, outputs by key.
 * @throws StackNotFoundError when CloudFormation knows no such stack in this account and Region.
 */
export async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<DeployedStack> {
  let output: unknown;
  try {
    output = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError, not a 404.
    if (error instanceof Error && /does not exist/.test(error.message))
      throw new StackNotFoundError(
        `stack ${stackName} is not deployed in this account and Region`,
        'Deploy it (`npx cdk deploy`), or pass the --stack and --region it was deployed with.',
        { cause: error },
      );
    throw error;
  }
  const parsed = describeStacksSchema.parse(output);
  const [stack] = parsed.Stacks;
  if (stack === undefined) throw new Error('unreachable: schema requires a stack');
  const outputs: Record<string, string> = {};
  for (const o of stack.Outputs ?? [])
    if (o.OutputKey !== undefined && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  return { name: stack.StackName, status: stack.StackStatus, outputs };
}

/** The stack outputs a command needs, by name. */
export type OutputName = (typeof StackOutput)[keyof typeof StackOutput];

/**
 * The value of output `name`.
 * @throws StackOutputMissingError when the stack was deployed before the output existed.
 */
export function requireOutput(stack: DeployedStack, name: OutputName): string {
  const value = stack.outputs[name];
  if (value === undefined)
    throw new StackOutputMissingError(
      `stack ${stack.name} has no ${name} output`,
      'It was deployed by an older Spotlab: run `npx cdk deploy` with this version.',
    );
  return value;
}

/** A status CloudFormation reports for a stack that is up and usable. */
export function isStableStatus(status: string): boolean {
  return /_COMPLETE$/.test(status) && !/^(DELETE|ROLLBACK)_|REVIEW_IN_PROGRESS/.test(status);
}
