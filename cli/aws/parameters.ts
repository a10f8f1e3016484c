import { DescribeParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';

const pageSchema = z.looseObject({
  Parameters: z.array(z.looseObject({ Name: z.string(), Type: z.string() })).optional(),
  NextToken: z.string().optional(),
});

/**
 * The type (`String`, `StringList`, `SecureString`) of each of `names` that exists, by name.
 * `DescribeParameters` reads metadata only: no value is decrypted or fetched.
 */
export async function parameterTypes(
  ssm: SSMClient,
  names: readonly string[],
): Promise<ReadonlyMap<string, string>> {
  const types = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = pageSchema.parse(
      await ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [...names] }],
          NextToken,
        }),
      ),
    );
    for (const p of page.Parameters ?? []) types.set(p.Name, p.Type);
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return types;
}
