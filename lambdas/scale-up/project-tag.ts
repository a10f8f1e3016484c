/**
 * The `spotlab:project-id` tag. One CreateFleet serves a launch group's jobs, which may come from
 * several projects, and EC2 gives every instance of one call the same tags: the tag cannot say
 * which instance is whose. It lists each project with its number of the call's jobs instead
 * (`380:3,412`, a bare id meaning one), most first, and an instance counts towards each project by
 * its share of the call (3/4 and 1/4 here): summed over a project's launches, what it holds.
 */

// EC2 tag values hold at most 256 characters.
const MAX_TAG_VALUE = 256;

/** The tag value for a launch whose jobs belong to `projectIds` (one entry per job). */
export function encodeProjectTag(projectIds: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const id of projectIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const entries = [...counts].sort(([a, m], [b, n]) => n - m || a - b);
  let joined = '';
  for (const [id, count] of entries) {
    const entry = count === 1 ? String(id) : `${id}:${count}`;
    const next = joined === '' ? entry : `${joined},${entry}`;
    // The projects left out are those with the fewest jobs of the call; the others' shares grow.
    if (next.length > MAX_TAG_VALUE) break;
    joined = next;
  }
  return joined;
}

/**
 * Each project's share of one instance, read from its tag value; empty for a missing or unreadable
 * tag (an instance that counts towards no project, though still towards every other cap).
 */
export function projectShares(tag: string | undefined): ReadonlyMap<number, number> {
  const counts = new Map<number, number>();
  for (const entry of (tag ?? '').split(',')) {
    const match = /^(\d{1,19})(?::(\d{1,6}))?$/.exec(entry.trim());
    if (match === null) continue;
    const id = Number(match[1]);
    counts.set(id, (counts.get(id) ?? 0) + Number(match[2] ?? 1));
  }
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  return new Map([...counts].map(([id, n]) => [id, n / total]));
}
