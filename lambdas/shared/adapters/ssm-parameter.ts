import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { TransientError } from '../errors';
import { SDK_CLIENT_CONFIG } from '../sdk-config';

/** A SecureString could not be read; transient because SSM throttles and blips recover. */
export class ParameterUnavailableError extends TransientError {
  override readonly name = 'ParameterUnavailableError';
  constructor(
    readonly parameterName: string,
    options?: ErrorOptions,
  ) {
    super(`SSM parameter ${parameterName} could not be read`, options);
  }
}

/**
 * Reads a SecureString's decrypted value. The value is a secret: callers must never log it.
 * @throws ParameterUnavailableError when SSM fails or the parameter is empty.
 */
export async function readSecureString(ssm: SSMClient, parameterName: string): Promise<string> {
  let value: string | undefined;
  try {
    const output = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    value = output.Parameter?.Value;
  } catch (error) {
    throw new ParameterUnavailableError(parameterName, { cause: error });
  }
  if (value === undefined || value.length === 0) throw new ParameterUnavailableError(parameterName);
  return value;
}

/** The one SSM client of a Lambda environment. */
export function createSsmClient(): SSMClient {
  return new SSMClient(SDK_CLIENT_CONFIG);
}
