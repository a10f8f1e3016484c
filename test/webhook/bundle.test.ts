import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaBuildOptions } from '../../lib/bundling';

let inputs: string[];

beforeAll(async () => {
  const result = await build({ ...lambdaBuildOptions('webhook'), write: false });
  // Files that contribute bytes to the output; metafile.inputs also lists tree-shaken files.
  inputs = Object.values(result.metafile?.outputs ?? {}).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, contribution]) => contribution.bytesInOutput > 0)
      .map(([file]) => file),
  );
});

describe('webhook Lambda bundle (built as cdk synth builds it)', () => {
  it('contains no EC2 client and no code of the other Lambdas: the webhook only enqueues', () => {
    expect(inputs.some((file) => file.includes('@aws-sdk/client-sqs'))).toBe(true);
    expect(inputs.filter((file) => file.includes('@aws-sdk/client-ec2'))).toEqual([]);
    expect(inputs.filter((file) => /lambdas\/(scale-up|reaper|lifecycle)\//.test(file))).toEqual([]);
  });

  it('leaves out the Node credential chain, which Lambda never needs', () => {
    expect(inputs.filter((file) => /credential-provider-(node|ini|sso)/.test(file))).toEqual([]);
  });

  it('uses the small zod/mini build, not all of zod', () => {
    expect(inputs.filter((file) => /zod\/v4\/(classic|locales\/(?!en))/.test(file))).toEqual([]);
  });
});
