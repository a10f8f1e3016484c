/** Where each instance's runner token waits for the instance to fetch it. */
export interface TokenStore {
  put(instanceId: string, token: string): Promise<void>;
  /** Deleting an absent token succeeds. */
  delete(instanceId: string): Promise<void>;
}
