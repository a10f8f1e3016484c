import type { RunnerScope } from '../shared/runner-scope';

/**
 * Which projects may cause launches: the configuration's `gitlab.allowedProjects` and
 * `gitlab.allowedNamespaces`. Neither set admits every project; either set admits a project it
 * names (the two lists add up).
 */
export interface AdmissionPolicy {
  /** GitLab project ids. */
  readonly allowedProjects?: readonly number[];
  /** Namespace full paths (`acme/platform`): their projects and their subgroups' projects. */
  readonly allowedNamespaces?: readonly string[];
}

/** Why a job's demand was refused; the `reason` of the `DemandRefused` metric and of the skip. */
export type Refusal =
  /** The allow-lists do not name the project or a namespace above it. */
  | 'project_not_allowed'
  /** Group scope: the project is not in the group or one of its subgroups. */
  | 'outside_group'
  /** GitLab refused (403/404) to create a runner for the job's project or group. */
  | 'runner_refused';

/** What the allow-lists say from the project id alone. */
export type ListVerdict = 'allowed' | 'refused' | 'by_namespace';

/**
 * The allow-lists' verdict on a project id: `by_namespace` when only the project's path (one
 * `GET /projects/:id`) can tell.
 */
export function listVerdict(projectId: number, policy: AdmissionPolicy): ListVerdict {
  const { allowedProjects, allowedNamespaces } = policy;
  if (allowedProjects === undefined && allowedNamespaces === undefined) return 'allowed';
  if (allowedProjects?.includes(projectId) === true) return 'allowed';
  return allowedNamespaces === undefined ? 'refused' : 'by_namespace';
}

/** Whether admitting the project needs where it lives: group scope, or a namespace allow-list. */
export function locationNeeded(verdict: ListVerdict, scope: RunnerScope): boolean {
  return verdict === 'by_namespace' || scope.type === 'group';
}

/**
 * Whether `pathWithNamespace` (a project's `acme/platform/app`) lies in `namespace` or one of its
 * subgroups. A segment boundary: `acme/plat` does not contain `acme/platform/app`. GitLab treats
 * paths case-insensitively (a route is unique whatever its case), so the comparison does too.
 */
export function inNamespace(pathWithNamespace: string, namespace: string): boolean {
  const prefix = `${namespace.replace(/^\/+|\/+$/g, '').toLowerCase()}/`;
  return prefix !== '/' && pathWithNamespace.toLowerCase().startsWith(prefix);
}

/**
 * Judges a located project: by the namespace allow-list when the ids alone did not admit it, and,
 * for group scope, by membership of the runners' group (`groupFullPath`): a group runner never
 * takes another group's job, so an instance launched for one would idle out, and be relaunched.
 * @returns the refusal, or undefined to admit.
 */
export function judgeLocation(
  pathWithNamespace: string,
  verdict: ListVerdict,
  policy: AdmissionPolicy,
  groupFullPath: string | undefined,
): Refusal | undefined {
  if (verdict === 'refused') return 'project_not_allowed';
  if (
    verdict === 'by_namespace' &&
    !(policy.allowedNamespaces ?? []).some((namespace) => inNamespace(pathWithNamespace, namespace))
  )
    return 'project_not_allowed';
  if (groupFullPath !== undefined && !inNamespace(pathWithNamespace, groupFullPath)) return 'outside_group';
  return undefined;
}

/**
 * What one runner registration is judged by: GitLab decides per project for project scope, per
 * group for group scope, and once for instance scope.
 */
export function runnerScopeKey(scope: RunnerScope, projectId: number): string {
  if (scope.type === 'project') return `project:${projectId}`;
  return scope.type === 'group' ? `group:${scope.groupId}` : 'instance';
}
