import { SpotlabError } from '../shared/errors';
import { GitlabAuthError } from '../shared/gitlab/errors';
import type { LifecycleObserver, LifecycleStage } from './observer';

/** What became of a message: handled (acknowledge it) or to be delivered again. */
export type Outcome = 'done' | 'retry';

/**
 * Reports a failed step and decides whether its message comes back. Transient errors (and errors
 * that are not Spotlab's, such as an SDK throttling error) retry; permanent ones are acknowledged,
 * because the same input will fail the same way. A refused GitLab token is permanent but retried:
 * the cleanup it blocks is still owed, so the message waits in the queue, then in the DLQ, for a
 * redrive once the token is fixed.
 */
export function failure(
  stage: LifecycleStage,
  subject: number | string,
  error: unknown,
  observer: LifecycleObserver,
): Outcome {
  if (error instanceof GitlabAuthError) observer.gitlabAuthFailure(error.status);
  observer.failed(stage, subject, error);
  if (error instanceof GitlabAuthError) return 'retry';
  return error instanceof SpotlabError && !error.retryable ? 'done' : 'retry';
}

/** Runs one step, turning a failure into an {@link Outcome}. */
export async function attempt(
  stage: LifecycleStage,
  subject: number | string,
  step: () => Promise<void>,
  observer: LifecycleObserver,
): Promise<Outcome> {
  try {
    await step();
    return 'done';
  } catch (error) {
    return failure(stage, subject, error, observer);
  }
}

/** 'retry' when any step asks for it. */
export function worst(outcomes: readonly Outcome[]): Outcome {
  return outcomes.includes('retry') ? 'retry' : 'done';
}
