import type { TokenStore } from '../lambdas/shared/token-store';

/**
 * DynamoDB's throttling error as the SDK throws it once its own retries are spent: the request
 * was refused, so nothing was written.
 */
export class ProvisionedThroughputExceeded extends Error {
  override readonly name = 'ProvisionedThroughputExceededException';
  constructor() {
    super('ProvisionedThroughputExceededException');
  }
}

/** SSM's throttling error (its API's per-account rate) once the SDK's retries are spent. */
export class SsmThrottled extends Error {
  override readonly name = 'ThrottlingException';
  constructor() {
    super('ThrottlingException');
  }
}

/**
 * Asked before every call of an in-memory store: true fails that call as throttled, before it
 * reads or writes anything (a simulation's fault rate). Never, by default.
 */
export type ThrottleHook = () => boolean;

/** The in-memory {@link TokenStore}. */
export class InMemoryTokenStore implements TokenStore {
  readonly tokens = new Map<string, string>();
  /** When each token was last written, in epoch milliseconds (SSM's LastModifiedDate). */
  readonly writtenAt = new Map<string, number>();
  failPuts = 0;
  /** Puts and deletes (Spotlab's; a VM reads and deletes `tokens` itself) ask it first. */
  throttled: ThrottleHook = () => false;

  constructor(private readonly now: () => number = Date.now) {}

  async put(instanceId: string, token: string): Promise<void> {
    if (this.failPuts > 0) {
      this.failPuts -= 1;
      throw new SsmThrottled();
    }
    if (this.throttled()) throw new SsmThrottled();
    this.tokens.set(instanceId, token);
    this.writtenAt.set(instanceId, this.now());
  }

  async delete(instanceId: string): Promise<void> {
    if (this.throttled()) throw new SsmThrottled();
    this.tokens.delete(instanceId);
    this.writtenAt.delete(instanceId);
  }
}
