/**
 * Client settings every Spotlab Lambda uses: bounded retries with adaptive client-side rate
 * limiting (backs off on throttling instead of hammering an API's token bucket) and timeouts well
 * below the functions' own, so a hung connection fails fast and typed instead of timing out.
 */
export const SDK_CLIENT_CONFIG = {
  maxAttempts: 3,
  retryMode: 'adaptive',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
} as const;
