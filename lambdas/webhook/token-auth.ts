import { createHash, timingSafeEqual } from 'node:crypto';
import { RequestRefusedError } from './errors';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `X-Gitlab-Token`, which GitLab sends as the plaintext shared secret. Both sides are hashed
 * first so the comparison takes the same time whatever the length or content of the guess, and a
 * missing header does the same work as a wrong one.
 * @throws RequestRefusedError `missing_token` or `bad_token`.
 */
export function verifyGitlabToken(provided: string | undefined, expected: string): void {
  const matches = timingSafeEqual(digest(provided ?? ''), digest(expected));
  if (provided === undefined || provided.length === 0) throw new RequestRefusedError('missing_token');
  if (!matches) throw new RequestRefusedError('bad_token');
}
