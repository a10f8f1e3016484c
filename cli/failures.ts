import { explainAwsError } from './errors';
import { explainNetworkError, type NetworkContext } from './network-errors';

/**
 * Turns a failure into the error that says what to do: a connection failure into a
 * {@link NetworkError} naming the endpoint (checked first, so a network outage is never reported
 * as missing permissions or credentials), then the SDK's setup failures (see
 * {@link explainAwsError}); anything else is returned as is.
 */
export function explainFailure(error: unknown, network: NetworkContext = {}): unknown {
  return explainNetworkError(error, network) ?? explainAwsError(error);
}

/** Runs `work`, returning its failure (explained, see {@link explainFailure}) instead of throwing it. */
export async function settle<T>(work: () => Promise<T>, network: NetworkContext = {}): Promise<T | Error> {
  try {
    return await work();
  } catch (failure) {
    const error = explainFailure(failure, network);
    return error instanceof Error ? error : new Error(String(error));
  }
}
