import { LATENCY_MS } from '../virtual-time';
import type { World } from './world';

/** Milliseconds a call of `method` takes, before jitter. */
export type Latencies = (method: string) => number;

/** Every method of a port takes `ms`. */
export const flat =
  (ms: number): Latencies =>
  () =>
    ms;

/** GitLab.com's REST API, every call. */
export const GITLAB: Latencies = flat(LATENCY_MS.gitlab);

/** EC2 as scale-up, the lifecycle and the reaper call it. */
export const EC2: Latencies = (method) =>
  method === 'launch'
    ? LATENCY_MS.createFleet
    : method === 'terminate'
      ? LATENCY_MS.terminateInstances
      : LATENCY_MS.describeInstances;

/** SSM token parameters: puts, deletes and the reaper's listing. */
export const SSM: Latencies = (method) => (method === 'list' ? LATENCY_MS.ssmList : LATENCY_MS.ssmPut);

/** The job table: one item per call, but the reaper's scan. */
export const TABLE: Latencies = (method) => (method === 'scan' ? LATENCY_MS.ledgerScan : LATENCY_MS.ledger);

/** SQS SendMessage. */
export const SQS: Latencies = flat(LATENCY_MS.sqsSend);

/**
 * `port` as a Lambda reaches it over the network when the scenario models latency: each call takes
 * effect when it arrives and answers `latencies(method)` ± 50% later (a draw of the world's own
 * latency stream), so invocations in flight at once interleave at every await. Else `port` itself.
 */
export function slowed<T extends object>(world: World, port: T, latencies: Latencies): T {
  if (!world.lambda.latency) return port;
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        const ms = Math.round(latencies(key) * (0.5 + world.rng.latency.next()));
        return world.scheduler.call(ms, async (): Promise<unknown> => Reflect.apply(value, target, args));
      };
    },
  });
}
