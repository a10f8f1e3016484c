import { RequestRefusedError } from './errors';

/** The host an `X-Gitlab-Instance` value names: GitLab sends its URL (`https://gitlab.com`). */
function hostOf(value: string): string {
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    // Not a URL: a bare host name, as early GitLab versions of the header sent.
    return value.trim().toLowerCase();
  }
}

/**
 * Refuses a hook that says it comes from another GitLab than the one Spotlab serves. GitLab 15.5+
 * sends `X-Gitlab-Instance`; a hook without it (older GitLab) passes, the token having already
 * proved it knows the secret. A holder of the secret who points another GitLab at Spotlab causes
 * no launch: the 403 shows in that GitLab's webhook log, and GitLab pauses a failing hook.
 * @throws RequestRefusedError `other_gitlab`.
 */
export function verifyGitlabInstance(header: string | undefined, servedHost: string): void {
  if (header === undefined || header === '') return;
  if (hostOf(header) !== servedHost.toLowerCase()) throw new RequestRefusedError('other_gitlab');
}
