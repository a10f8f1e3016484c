import type { GitlabGroup, GitlabNamespaces, GitlabProject } from '../shared/gitlab/port';
import { keyedCachedLoader } from '../shared/ttl-cache';

/** Whether GitLab lets Spotlab register a runner in a scope (see `runnerScopeKey`). */
export type RunnerVerdict = 'accepted' | 'refused';

/**
 * What a warm scale-up Lambda remembers of GitLab's answers, so a burst of one project's jobs costs
 * one lookup, not one per job. Made once per execution environment (the handler's module scope).
 */
export interface GitlabMemo {
  /** `GET /projects/:id`, cached. */
  project(projectId: number): Promise<GitlabProject>;
  /** `GET /groups/:id`, cached. */
  group(groupId: number): Promise<GitlabGroup>;
  /**
   * GitLab's verdict on registering a runner in `key`: remembered while fresh, else `probe`d, one
   * probe per key at a time (concurrent callers share it). A probe that fails is not remembered.
   */
  runnerVerdict(key: string, probe: () => Promise<RunnerVerdict>): Promise<RunnerVerdict>;
  /** Remembers a verdict learnt on the way (a real registration accepted or refused). */
  noteRunner(key: string, verdict: RunnerVerdict): void;
  /**
   * Probe runners whose deletion failed, to delete again in a later batch: nothing else would (the
   * reaper knows only runners named after an instance). Takes them off the list.
   */
  takeLeftoverProbes(): number[];
  /** Adds a probe runner whose deletion failed. */
  leaveProbe(runnerId: number): void;
}

/** How long each answer is trusted. */
export interface MemoTtls {
  /**
   * Where a project or group lives. A project moved out of the runners' group keeps launching for
   * at most this long. @default 10 minutes
   */
  readonly locationMs: number;
  /** A runner registration GitLab accepted; every accepted real registration renews it. @default 10 minutes */
  readonly acceptedMs: number;
  /** A refusal; short, so a permission granted afterwards takes effect soon. @default 2 minutes */
  readonly refusedMs: number;
}

const DEFAULT_TTLS: MemoTtls = { locationMs: 10 * 60_000, acceptedMs: 10 * 60_000, refusedMs: 2 * 60_000 };
// Bounds the memory a stream of distinct (hostile) project ids can take in a warm Lambda.
const MAX_ENTRIES = 10_000;

/** A {@link GitlabMemo} over `gitlab`. */
export function gitlabMemo(
  gitlab: GitlabNamespaces,
  now: () => number = Date.now,
  ttls: MemoTtls = DEFAULT_TTLS,
): GitlabMemo {
  const project = keyedCachedLoader((id: number) => gitlab.getProject(id), ttls.locationMs, now, MAX_ENTRIES);
  const group = keyedCachedLoader((id: number) => gitlab.getGroup(id), ttls.locationMs, now, MAX_ENTRIES);
  const verdicts = new Map<string, { verdict: Promise<RunnerVerdict>; expiresAt: number }>();
  const leftovers = new Set<number>();
  const expiry = (verdict: RunnerVerdict) =>
    now() + (verdict === 'accepted' ? ttls.acceptedMs : ttls.refusedMs);
  const remember = (key: string, entry: { verdict: Promise<RunnerVerdict>; expiresAt: number }) => {
    verdicts.delete(key);
    verdicts.set(key, entry);
    for (const oldest of verdicts.keys()) {
      if (verdicts.size <= MAX_ENTRIES) break;
      verdicts.delete(oldest);
    }
  };
  return {
    project,
    group,
    runnerVerdict(key, probe) {
      const hit = verdicts.get(key);
      if (hit !== undefined && now() < hit.expiresAt) return hit.verdict;
      // In flight until the probe answers; then fresh for the verdict's own TTL.
      const entry = { verdict: probe(), expiresAt: Number.POSITIVE_INFINITY };
      remember(key, entry);
      entry.verdict.then(
        (verdict) => {
          entry.expiresAt = expiry(verdict);
        },
        () => {
          if (verdicts.get(key) === entry) verdicts.delete(key);
        },
      );
      return entry.verdict;
    },
    noteRunner(key, verdict) {
      remember(key, { verdict: Promise.resolve(verdict), expiresAt: expiry(verdict) });
    },
    takeLeftoverProbes() {
      const taken = [...leftovers];
      leftovers.clear();
      return taken;
    },
    leaveProbe(runnerId) {
      leftovers.add(runnerId);
    },
  };
}
