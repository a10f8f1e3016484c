import { GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ssmTokenStore } from '../../shared/adapters/ssm-token-store';
import { runnerTokenPrefix } from '../../shared/naming';
import type { TokenParameter, TokenParameters } from '../ports';

/**
 * The production {@link TokenParameters}: the stack's runner token parameters by path, names and
 * dates only (`WithDecryption: false`: the reaper needs no token and its role holds no KMS
 * decrypt), and deletion through the token store scale-up writes with.
 */
export function ssmTokenParameters(ssm: SSMClient, stackName: string): TokenParameters {
  const prefix = `${runnerTokenPrefix(stackName)}/`;
  const store = ssmTokenStore(ssm, stackName);
  return {
    async list(): Promise<readonly TokenParameter[]> {
      const found: TokenParameter[] = [];
      let NextToken: string | undefined;
      do {
        // GetParametersByPath returns at most 10 parameters per call.
        const page = await ssm.send(
          new GetParametersByPathCommand({
            Path: runnerTokenPrefix(stackName),
            Recursive: false,
            WithDecryption: false,
            MaxResults: 10,
            NextToken,
          }),
        );
        for (const parameter of page.Parameters ?? []) {
          const name = parameter.Name;
          if (name === undefined || !name.startsWith(prefix) || parameter.LastModifiedDate === undefined)
            continue;
          found.push({
            instanceId: name.slice(prefix.length),
            lastModifiedMs: parameter.LastModifiedDate.getTime(),
          });
        }
        NextToken = page.NextToken;
      } while (NextToken !== undefined);
      return found;
    },
    delete: (instanceId) => store.delete(instanceId),
  };
}
