import { needsReaper, type OpenFacts } from '../lambdas/shared/job-table/states';
import { instanceOf, type MemoryJobItem } from './in-memory-job-item';
import { InMemoryJournal, InMemoryLedger, InMemorySweepView } from './in-memory-job-views';

/**
 * The in-memory job table: one map, as the one DynamoDB table, seen through the three views the
 * Lambdas use (`ledger`, `journal`, `sweep`), so the races between scale-up's claims, the
 * lifecycle's records and the reaper's marks play out as they would in DynamoDB. The two indexes
 * are kept as maps too: a lookup costs what the instance's jobs cost, not the table's size.
 */
export class InMemoryJobTable {
  readonly items = new Map<number, MemoryJobItem>();
  readonly ledger: InMemoryLedger;
  readonly journal: InMemoryJournal;
  readonly sweep: InMemorySweepView;
  // An index entry may be stale (the item moved or was deleted): lookups check and drop it.
  private readonly byInstance = new Map<string, Set<number>>();
  private readonly byLaunchInstance = new Map<string, Set<number>>();
  // When each job id entered the map: lookups answer in the map's order, as a walk of it did.
  private readonly entered = new Map<number, number>();
  private entries = 0;
  // The open set (`needsReaper`), as the sparse `open` index: a sweep costs what is alive.
  private readonly openIds = new Set<number>();

  constructor(readonly now: () => number = Date.now) {
    this.ledger = new InMemoryLedger(this);
    this.journal = new InMemoryJournal(this);
    this.sweep = new InMemorySweepView(this);
  }

  /** Epoch seconds now. */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Stores `item` as job `jobId`'s and indexes what it names. */
  put(jobId: number, item: MemoryJobItem): void {
    if (!this.items.has(jobId)) this.entered.set(jobId, this.entries++);
    this.items.set(jobId, item);
    this.index(jobId, item);
  }

  /** Indexes what `item` names now; call after setting its `launch` or `placement`. */
  index(jobId: number, item: MemoryJobItem): void {
    const instanceId = instanceOf(item);
    if (instanceId !== undefined) add(this.byInstance, instanceId, jobId);
    if (item.launch !== undefined) add(this.byLaunchInstance, item.launch.instanceId, jobId);
    this.settle(jobId);
  }

  /**
   * Puts job `jobId` into the open set or takes it out, as its item is now: call after every write
   * that changes what `needsReaper` reads (the DynamoDB adapters do it in the write itself).
   */
  settle(jobId: number): void {
    const item = this.items.get(jobId);
    if (item !== undefined && needsReaper(openFacts(item))) this.openIds.add(jobId);
    else this.openIds.delete(jobId);
  }

  /** The open items, in the order the table's map holds them (a walk of it answered so). */
  openItems(): [number, MemoryJobItem][] {
    const found: [number, MemoryJobItem][] = [];
    for (const jobId of this.openIds) {
      const item = this.items.get(jobId);
      // A test may delete an item behind the views' back: drop what is no longer open.
      if (item !== undefined && needsReaper(openFacts(item))) found.push([jobId, item]);
      else this.openIds.delete(jobId);
    }
    const order = (jobId: number) => this.entered.get(jobId) ?? 0;
    return found.sort(([a], [b]) => order(a) - order(b));
  }

  /** The items that name `instanceId` (the instance index). */
  onInstance(instanceId: string): [number, MemoryJobItem][] {
    return this.lookup(this.byInstance, instanceId, (item) => instanceOf(item) === instanceId);
  }

  /** The items whose launch was on `instanceId` (the launch index). */
  launchedOn(instanceId: string): [number, MemoryJobItem][] {
    return this.lookup(this.byLaunchInstance, instanceId, (item) => item.launch?.instanceId === instanceId);
  }

  private lookup(
    index: Map<string, Set<number>>,
    key: string,
    matches: (item: MemoryJobItem) => boolean,
  ): [number, MemoryJobItem][] {
    const jobIds = index.get(key);
    if (jobIds === undefined) return [];
    const found: [number, MemoryJobItem][] = [];
    for (const jobId of jobIds) {
      const item = this.items.get(jobId);
      if (item !== undefined && matches(item)) found.push([jobId, item]);
      else jobIds.delete(jobId);
    }
    if (jobIds.size === 0) index.delete(key);
    const order = (jobId: number) => this.entered.get(jobId) ?? 0;
    return found.sort(([a], [b]) => order(a) - order(b));
  }
}

function add(index: Map<string, Set<number>>, key: string, jobId: number): void {
  const jobIds = index.get(key);
  if (jobIds === undefined) index.set(key, new Set([jobId]));
  else jobIds.add(jobId);
}

function openFacts(item: MemoryJobItem): OpenFacts {
  return {
    instanceId: instanceOf(item),
    cleanedUp: item.cleanedUp === true,
    launchInstanceId: item.launch?.instanceId,
    launchCleanedUp: item.launchCleanedUp === true,
  };
}
