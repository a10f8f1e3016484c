import type { ScaleUpFleet } from '../lambdas/scale-up/ports';
import type { GitlabApi, GitlabNamespaces } from '../lambdas/shared/gitlab/port';
import type { JobLedger } from '../lambdas/shared/job-table/views';
import type { TokenStore } from '../lambdas/shared/token-store';
import { type InMemoryEc2, RequestLimitExceeded } from './in-memory-ec2';
import type { InMemoryGitlab } from './in-memory-gitlab';
import { LATENCY_MS, type VirtualTime } from './virtual-time';

/** The in-memory adapters a simulation runs over. */
export interface InMemoryAdapters {
  readonly ec2: InMemoryEc2;
  readonly gitlab: InMemoryGitlab;
  readonly ledger: JobLedger;
  readonly tokens: TokenStore;
}

/** The ports scale-up takes, each call charged its simulated latency. */
export interface SlowAdapters {
  readonly fleet: ScaleUpFleet;
  readonly gitlab: GitlabApi & GitlabNamespaces;
  readonly tokens: TokenStore;
  readonly ledger: JobLedger;
}

/**
 * The in-memory adapters behind simulated latency: each call takes effect when it arrives and answers
 * {@link LATENCY_MS} later on `vt`.
 * @param launchRequestsAt receives the simulated time of every CreateFleet request, as it is sent.
 * @param failedDescribes DescribeInstances calls that fail with RequestLimitExceeded before they succeed.
 */
export function slowAdapters(
  vt: VirtualTime,
  sim: InMemoryAdapters,
  launchRequestsAt: number[],
  failedDescribes: number,
): SlowAdapters {
  const { ec2, gitlab, ledger, tokens } = sim;
  let describeFaults = failedDescribes;
  const fleet: ScaleUpFleet = {
    launch: (request) => {
      launchRequestsAt.push(vt.clock.now());
      return vt.call(LATENCY_MS.createFleet, () => ec2.launch(request));
    },
    terminate: (ids) => vt.call(LATENCY_MS.terminateInstances, () => ec2.terminate(ids)),
    // CreateTags answers about as fast as TerminateInstances.
    tagProjects: (ids, tag) => vt.call(LATENCY_MS.terminateInstances, () => ec2.tagProjects(ids, tag)),
    live: () =>
      vt.call(LATENCY_MS.describeInstances, async () => {
        if (describeFaults <= 0) return ec2.live();
        describeFaults -= 1;
        throw new RequestLimitExceeded('DescribeInstances');
      }),
  };
  const api: GitlabApi & GitlabNamespaces = {
    getJob: (projectId, jobId) => vt.call(LATENCY_MS.gitlab, () => gitlab.getJob(projectId, jobId)),
    createRunner: (spec) => vt.call(LATENCY_MS.gitlab, () => gitlab.createRunner(spec)),
    deleteRunner: (id) => vt.call(LATENCY_MS.gitlab, () => gitlab.deleteRunner(id)),
    getProject: (id) => vt.call(LATENCY_MS.gitlab, () => gitlab.getProject(id)),
    getGroup: (id) => vt.call(LATENCY_MS.gitlab, () => gitlab.getGroup(id)),
  };
  const store: TokenStore = {
    put: (instanceId, token) => vt.call(LATENCY_MS.ssmPut, () => tokens.put(instanceId, token)),
    delete: (instanceId) => vt.call(LATENCY_MS.ssmDelete, () => tokens.delete(instanceId)),
  };
  const jobs: JobLedger = {
    claim: (jobId, projectId) => vt.call(LATENCY_MS.ledger, () => ledger.claim(jobId, projectId)),
    release: (jobId) => vt.call(LATENCY_MS.ledger, () => ledger.release(jobId)),
    recordLaunch: (jobId, record) => vt.call(LATENCY_MS.ledger, () => ledger.recordLaunch(jobId, record)),
    recordSkip: (jobId, reason) => vt.call(LATENCY_MS.ledger, () => ledger.recordSkip(jobId, reason)),
  };
  return { fleet, gitlab: api, tokens: store, ledger: jobs };
}
