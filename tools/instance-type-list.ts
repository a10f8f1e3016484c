/** The dated list of EC2 instance types Spotlab validates pools against (lib/config/ec2-instance-types.json). */
export interface InstanceTypeList {
  /** Day the list was made, `YYYY-MM-DD`. */
  readonly updated: string;
  /** Where it came from. */
  readonly source: string;
  readonly arm64: readonly string[];
  readonly x86_64: readonly string[];
}

/** The JSON text of `list`: sorted, one type per line, so a refresh reads as a small diff. */
export function formatInstanceTypeList(list: InstanceTypeList): string {
  const sorted = {
    updated: list.updated,
    source: list.source,
    arm64: [...new Set(list.arm64)].sort(),
    x86_64: [...new Set(list.x86_64)].sort(),
  };
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
