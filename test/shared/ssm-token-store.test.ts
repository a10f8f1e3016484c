import {
  AddTagsToResourceCommand,
  ParameterAlreadyExists,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ssmTokenStore } from '../../lambdas/shared/adapters/ssm-token-store';

const ssm = mockClient(SSMClient);
const PREFIX = 'arn:aws:ec2:eu-west-1:123456789012:instance/';
const NAME = '/spotlab/Spotlab/runner-token/i-0123456789abcdef0';
const OWNER = { Key: 'spotlab:instance-arn', Value: `${PREFIX}i-0123456789abcdef0` };

beforeEach(() => ssm.reset());

describe('ssmTokenStore', () => {
  it("creates the token parameter tagged with its instance's ARN in one call", async () => {
    ssm.on(PutParameterCommand).resolves({});

    await ssmTokenStore(new SSMClient({}), 'Spotlab', PREFIX).put('i-0123456789abcdef0', 'glrt-x');

    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ Name: NAME, Type: 'SecureString', Tags: [OWNER] }),
    ]);
    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input.Overwrite).toBeUndefined();
  });

  it('overwrites and re-tags the parameter when a retried provisioning finds it already there', async () => {
    ssm
      .on(PutParameterCommand, { Overwrite: undefined })
      .rejects(new ParameterAlreadyExists({ message: 'exists', $metadata: {} }));
    ssm.on(PutParameterCommand, { Overwrite: true }).resolves({});
    ssm.on(AddTagsToResourceCommand).resolves({});

    await ssmTokenStore(new SSMClient({}), 'Spotlab', PREFIX).put('i-0123456789abcdef0', 'glrt-x');

    const overwrite = ssm.commandCalls(PutParameterCommand)[1]?.args[0].input;
    expect(overwrite).toEqual(expect.objectContaining({ Name: NAME, Overwrite: true }));
    expect(overwrite?.Tags).toBeUndefined();
    expect(ssm.commandCalls(AddTagsToResourceCommand)[0]?.args[0].input).toEqual({
      ResourceType: 'Parameter',
      ResourceId: NAME,
      Tags: [OWNER],
    });
  });

  it('refuses to write a token it cannot tag with its owner', async () => {
    const put = ssmTokenStore(new SSMClient({}), 'Spotlab').put('i-0123456789abcdef0', 'glrt-x');

    await expect(put).rejects.toThrow('instance ARN prefix');
    expect(ssm.calls()).toEqual([]);
  });
});
