import { StackOutput } from '../../lib/stack-outputs';
import { isLaunching, type LaunchSwitch } from '../aws/launching';
import { type DeployedStack, isStableStatus } from '../aws/stack';
import { OperatorError } from '../errors';
import { type Check, check } from './model';

/** The stack exists and is in a usable state. */
export function checkStack(stack: DeployedStack | Error): Check {
  if (stack instanceof Error)
    return check('stack', 'fail', stack.message, stack instanceof OperatorError ? stack.fix : undefined);
  const { name, status } = stack;
  if (status === 'UPDATE_ROLLBACK_COMPLETE')
    return check(
      'stack',
      'warn',
      `stack ${name}: its last update failed and was rolled back; the previous version runs`,
      'Read the stack events in the CloudFormation console, correct the cause and run `npx cdk deploy`.',
    );
  if (isStableStatus(status)) return check('stack', 'ok', `stack ${name} is deployed (${status})`);
  if (status.endsWith('_IN_PROGRESS'))
    return check(
      'stack',
      'fail',
      `stack ${name} is ${status}`,
      'Wait for CloudFormation to finish, then run doctor again.',
    );
  return check(
    'stack',
    'fail',
    `stack ${name} is ${status}: not usable`,
    status === 'ROLLBACK_COMPLETE'
      ? 'Its first deploy failed: read the stack events, delete the stack, correct the cause and deploy again.'
      : 'Read the stack events in the CloudFormation console and run `npx cdk deploy`.',
  );
}

/** The stack was deployed from this configuration: its `ConfigHash` output equals the file's hash. */
export function checkConfigMatches(
  stack: DeployedStack | Error,
  localHash: string,
  configFile: string,
): Check {
  if (stack instanceof Error) return check('config', 'skip', 'needs the deployed stack');
  const deployed = stack.outputs[StackOutput.configHash];
  const deploy = `npx cdk deploy -c config=${configFile}`;
  if (deployed === undefined)
    return check(
      'config',
      'fail',
      `stack ${stack.name} has no ${StackOutput.configHash} output (an older Spotlab)`,
      `Run \`${deploy}\`.`,
    );
  if (deployed !== localHash)
    return check(
      'config',
      'fail',
      `stack ${stack.name} was deployed from another configuration than ${configFile} (hash ${deployed.slice(0, 12)}, file ${localHash.slice(0, 12)})`,
      `See what differs with \`npx cdk diff -c config=${configFile}\`, then run \`${deploy}\` (or pass --config with the file it was deployed from).`,
    );
  return check('config', 'ok', `stack ${stack.name} was deployed from ${configFile} as it is now`);
}

/** What a configured parameter holds, for the messages. */
export interface ConfiguredParameter {
  readonly name: string;
  /** E.g. `webhook secret (gitlab.webhookSecretParameter)`. */
  readonly holds: string;
  /** An example value for the fix. */
  readonly example: string;
}

/** Each parameter exists and is a SecureString: every one holds a secret. */
export function checkParameters(
  parameters: readonly ConfiguredParameter[],
  types: ReadonlyMap<string, string> | Error,
): Check[] {
  return parameters.map((p) => {
    const id = `parameter:${p.name}`;
    if (types instanceof Error)
      return check(
        id,
        'fail',
        `${p.name}: could not be described (${types.message})`,
        types instanceof OperatorError ? types.fix : 'Grant the operator ssm:DescribeParameters.',
      );
    const type = types.get(p.name);
    const put = `aws ssm put-parameter --type SecureString --name ${p.name} --value '${p.example}'`;
    if (type === undefined)
      return check(id, 'fail', `${p.name} (${p.holds}) does not exist`, `Create it: ${put}`);
    if (type !== 'SecureString')
      return check(
        id,
        'fail',
        `${p.name} (${p.holds}) is a ${type}, not a SecureString: its secret is stored unencrypted`,
        `Recreate it encrypted: aws ssm delete-parameter --name ${p.name} && ${put}`,
      );
    return check(id, 'ok', `${p.name} (${p.holds}) is a SecureString`);
  });
}

/** Launching is enabled (a drain left in place stops every launch). */
export function checkLaunching(launchSwitch: LaunchSwitch | Error | undefined): Check {
  if (launchSwitch === undefined) return check('launching', 'skip', 'needs the deployed stack');
  if (launchSwitch instanceof Error)
    return check(
      'launching',
      'fail',
      `launch switch: ${launchSwitch.message}`,
      launchSwitch instanceof OperatorError ? launchSwitch.fix : 'Run `npx cdk deploy`.',
    );
  if (!isLaunching(launchSwitch.state))
    return check(
      'launching',
      'warn',
      `launching is drained (event source mapping ${launchSwitch.state})`,
      'Run `spotlab resume` when the drain is over.',
    );
  return check('launching', 'ok', `launching is enabled (event source mapping ${launchSwitch.state})`);
}
