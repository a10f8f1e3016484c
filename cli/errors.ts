import { PermanentError } from '../lambdas/shared/errors';

/** A flag or argument the command does not accept: exit code 2, with the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something the operator can put right: `message` says what is wrong, `fix` what to do. */
export class OperatorError extends PermanentError {
  override name = 'OperatorError';
  constructor(
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The stack is not deployed in this account and Region (or under this name). */
export class StackNotFoundError extends OperatorError {
  override readonly name = 'StackNotFoundError';
}

/** The deployed stack lacks an output the CLI needs: it predates the CLI. */
export class StackOutputMissingError extends OperatorError {
  override readonly name = 'StackOutputMissingError';
}

/** No Region, no credentials, or the credentials may not call what the command needs. */
export class AwsAccessError extends OperatorError {
  override readonly name = 'AwsAccessError';
  constructor(
    readonly kind: 'region' | 'credentials' | 'denied',
    message: string,
    fix: string,
    options?: ErrorOptions,
  ) {
    super(message, fix, options);
  }

  /** No call can succeed: nothing else is worth trying. */
  get blocksEverything(): boolean {
    return this.kind !== 'denied';
  }
}

/** Neither `GITLAB_TOKEN` nor the configured SSM parameter gave a GitLab token. */
export class GitlabTokenUnavailableError extends OperatorError {
  override readonly name = 'GitlabTokenUnavailableError';
}

/**
 * Turns the SDK's setup failures into errors that say what to do; anything else is returned as is.
 * The SDK reports a missing Region and missing credentials only when a call is sent.
 */
export function explainAwsError(error: unknown, what = 'AWS'): unknown {
  if (!(error instanceof Error)) return error;
  if (/region is missing/i.test(error.message))
    return new AwsAccessError(
      'region',
      `${what}: no AWS Region`,
      'Pass --region, or set AWS_REGION or a profile region.',
      {
        cause: error,
      },
    );
  if (error.name === 'CredentialsProviderError')
    return new AwsAccessError(
      'credentials',
      `${what}: no AWS credentials`,
      'The SDK default chain found none: set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.',
      { cause: error },
    );
  if (/AccessDenied|UnauthorizedOperation|not authorized/i.test(`${error.name} ${error.message}`))
    return new AwsAccessError(
      'denied',
      `${what}: access denied (${error.message})`,
      'Grant the operator the permissions listed in docs/cli.md.',
      { cause: error },
    );
  return error;
}
