import { runnerDescription } from '../lambdas/shared/gitlab/port';
import type { InMemoryEc2 } from './in-memory-ec2';
import type { InMemoryGitlab } from './in-memory-gitlab';
import type { InMemoryLedger } from './in-memory-job-views';
import type { InMemoryTokenStore } from './in-memory-stores';

/**
 * Every job launched, on its own instance, with its own runner named after that job and that
 * runner's token stored for that instance; nothing else running, registered or stored.
 * @returns the number of jobs served exactly once.
 * @throws naming the first problems when any job is not.
 */
export function checkEveryJobServedOnce(
  jobIds: readonly number[],
  ec2: InMemoryEc2,
  gitlab: InMemoryGitlab,
  ledger: InMemoryLedger,
  tokens: InMemoryTokenStore,
): number {
  const problems: string[] = [];
  const instances = new Set<string>();
  for (const jobId of jobIds) {
    const launch = ledger.items.get(jobId)?.launch;
    const runner = launch === undefined ? undefined : gitlab.runners.get(launch.runnerId);
    if (launch === undefined) problems.push(`job ${jobId}: not launched`);
    else if (instances.has(launch.instanceId)) problems.push(`job ${jobId}: shares ${launch.instanceId}`);
    else if (ec2.instances.get(launch.instanceId)?.state !== 'running')
      problems.push(`job ${jobId}: ${launch.instanceId} is not running`);
    else if (runner?.description !== runnerDescription(jobId))
      problems.push(`job ${jobId}: no runner for ${launch.instanceId}`);
    else if (tokens.tokens.get(launch.instanceId) !== runner.token)
      problems.push(`job ${jobId}: no token for ${launch.instanceId}`);
    if (launch !== undefined) instances.add(launch.instanceId);
  }
  const extra = [
    [ec2.running().length, 'instances running'],
    [gitlab.runners.size, 'runners registered'],
    [tokens.tokens.size, 'tokens stored'],
  ] as const;
  for (const [count, what] of extra)
    if (count !== jobIds.length) problems.push(`${count} ${what} for ${jobIds.length} jobs`);
  if (problems.length > 0)
    throw new Error(
      `not every job got exactly one instance, runner and token: ${problems.slice(0, 5).join('; ')}`,
    );
  return jobIds.length;
}
