/**
 * Job states, in the order a job moves through them; a job never moves back, except that the
 * reaper marks a launched job `lost` when its instance vanished before the job ran, which lets a
 * later delivery claim it again.
 */
export type JobState = 'claimed' | 'launched' | 'skipped' | 'lost';
