import {
  DeleteParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { runnerTokenParameter } from '../naming';
import type { TokenStore } from '../token-store';

/**
 * The production {@link TokenStore}: one SecureString per instance, named after it, which only the
 * instance reads (once) and deletes. The token never goes into user data, tags or logs.
 */
export function ssmTokenStore(ssm: SSMClient, stackName: string): TokenStore {
  return {
    async put(instanceId, token) {
      await ssm.send(
        new PutParameterCommand({
          Name: runnerTokenParameter(stackName, instanceId),
          Value: token,
          Type: 'SecureString',
          // A retried provisioning of the same instance writes the same parameter.
          Overwrite: true,
          Description: `GitLab runner token of ${instanceId}; deleted by the instance when read`,
        }),
      );
    },
    async delete(instanceId) {
      try {
        await ssm.send(new DeleteParameterCommand({ Name: runnerTokenParameter(stackName, instanceId) }));
      } catch (error) {
        if (!(error instanceof ParameterNotFound)) throw error;
      }
    },
  };
}
