import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { instanceArn, RUNNER_TOKEN_OWNER_TAG, runnerTokenParameter } from '../naming';
import type { TokenStore } from '../token-store';

/**
 * The production {@link TokenStore}: one SecureString per instance, named after it and tagged with
 * its ARN, which only that instance may read (once) and delete: the instance role's policy allows
 * a parameter whose owner tag equals the caller's `ec2:SourceInstanceARN`. The token never goes
 * into user data, tags or logs.
 *
 * @param instanceArnPrefix `arn:<partition>:ec2:<region>:<account>:instance/`; needed only by
 *   `put` (the reaper and the lifecycle consumer only delete).
 */
export function ssmTokenStore(ssm: SSMClient, stackName: string, instanceArnPrefix?: string): TokenStore {
  return {
    async put(instanceId, token) {
      if (instanceArnPrefix === undefined) {
        throw new Error('ssmTokenStore: put needs the instance ARN prefix its owner tag is made of');
      }
      const Name = runnerTokenParameter(stackName, instanceId);
      const owner = { Key: RUNNER_TOKEN_OWNER_TAG, Value: instanceArn(instanceArnPrefix, instanceId) };
      const parameter = {
        Name,
        Value: token,
        Type: 'SecureString',
        Description: `GitLab runner token of ${instanceId}; deleted by the instance when read`,
      } as const;
      try {
        // SSM refuses Tags together with Overwrite, so the first write creates the parameter with
        // its owner tag in one call: it never exists untagged, when no instance could read it.
        await ssm.send(new PutParameterCommand({ ...parameter, Tags: [owner] }));
      } catch (error) {
        if (!(error instanceof ParameterAlreadyExists)) throw error;
        // A retried provisioning of the same instance writes the same parameter; re-tagging is
        // idempotent and covers a parameter an older release wrote without the tag.
        await ssm.send(new PutParameterCommand({ ...parameter, Overwrite: true }));
        await ssm.send(
          new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: Name, Tags: [owner] }),
        );
      }
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
