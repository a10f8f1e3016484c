import type { GitlabGroup, GitlabNamespaces, GitlabProject } from '../shared/gitlab/port';
import { keyedCachedLoader } from '../shared/ttl-cache';

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
   * Whether GitLab refused (403/404) to register a runner in `key` (see `runnerScopeKey`) lately:
   * the rest of a burst from such a project is refused without asking GitLab once per job.
   */
  refusesRunners(key: string): boolean;
  /** Remembers that GitLab refused a runner registration in `key`. */
  noteRefused(key: string): void;
}

/** How long each answer is trusted. */
export interface MemoTtls {
  /**
   * Where a project or group lives. A project moved out of the runners' group keeps launching for
   * at most this long. @default 10 minutes
   */
  readonly locationMs: number;
  /** A refusal; short, so a permission granted afterwards takes effect soon. @default 2 minutes */
  readonly refusedMs: number;
}

const DEFAULT_TTLS: MemoTtls = { locationMs: 10 * 60_000, refusedMs: 2 * 60_000 };
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
  // Refusals by key, with when they expire; oldest first, so the bound drops the oldest.
  const refusals = new Map<string, number>();
  return {
    project,
    group,
    refusesRunners(key) {
      const expiresAt = refusals.get(key);
      if (expiresAt === undefined) return false;
      if (now() < expiresAt) return true;
      refusals.delete(key);
      return false;
    },
    noteRefused(key) {
      refusals.delete(key);
      refusals.set(key, now() + ttls.refusedMs);
      for (const oldest of refusals.keys()) {
        if (refusals.size <= MAX_ENTRIES) break;
        refusals.delete(oldest);
      }
    },
  };
}
