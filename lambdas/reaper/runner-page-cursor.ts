/**
 * Where the runner listing resumes. A sweep reads at most `maxPagesPerSweep` pages and the next
 * one goes on from there, wrapping to page 1 after the last, so every runner the token sees is
 * reconciled however long the list. Kept in the module scope of a warm Lambda; a cold start
 * begins again at page 1, which only delays the runners of later pages.
 */
export class RunnerPageCursor {
  private next = 1;

  /** The page the next sweep reads first. */
  get start(): number {
    return this.next;
  }

  /** The page after the last one read, or `undefined` after the last page: page 1 next time. */
  resumeAt(page: number | undefined): void {
    this.next = page ?? 1;
  }
}
