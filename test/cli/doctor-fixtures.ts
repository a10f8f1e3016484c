import { DescribeInstanceTypeOfferingsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { doctorCommand } from '../../cli/commands/doctor';
import {
  aws,
  type GitlabAnswer,
  gitlabStub,
  mappingIs,
  type Outcome,
  parametersAre,
  run,
  stackDeployed,
  WEBHOOK_URL,
} from './harness';

/** The token GitLab describes on a healthy setup. */
export const TOKEN = {
  id: 1,
  name: 'spotlab',
  scopes: ['api', 'create_runner', 'manage_runner'],
  active: true,
  revoked: false,
  expires_at: '2027-06-01',
};
/** Project 42's webhook on a healthy setup. */
export const HOOK = {
  id: 7,
  url: WEBHOOK_URL,
  job_events: true,
  push_events: false,
  enable_ssl_verification: true,
  alert_status: 'executable',
  token_present: true,
  signing_token_present: false,
};
/** Both parameters the shipped configuration names, as SecureStrings. */
export const SECURE = {
  '/spotlab/webhook-secret': 'SecureString',
  '/spotlab/gitlab-api-token': 'SecureString',
};

/** The zones of the stack's two subnets (the harness's SubnetIds output). */
export const ZONES = ['eu-west-1a', 'eu-west-1b'];

/**
 * The subnets lie in {@link ZONES}; EC2 offers each type asked for in the zones `offered` gives
 * (default: every zone), as DescribeInstanceTypeOfferings answers a filter by instance type.
 */
export function offeringsAre(offered: Record<string, string[]> = {}): void {
  aws.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-0aaa1111', AvailabilityZone: 'eu-west-1a' },
      { SubnetId: 'subnet-0bbb2222', AvailabilityZone: 'eu-west-1b' },
    ],
  });
  aws.ec2
    .on(DescribeInstanceTypeOfferingsCommand)
    .callsFake((input: { Filters?: { Values?: string[] }[] }) => ({
      InstanceTypeOfferings: (input.Filters?.[0]?.Values ?? []).flatMap((type) =>
        (offered[type] ?? ZONES).map((Location) => ({
          InstanceType: type,
          LocationType: 'availability-zone',
          Location,
        })),
      ),
    }));
}

/**
 * The AWS side of a healthy setup: the stack deployed, launching enabled, both parameters
 * SecureStrings, every pool's types offered in the subnets' zones.
 */
export function healthyStack(): void {
  stackDeployed();
  mappingIs('Enabled');
  parametersAre(SECURE);
  offeringsAre();
}

/** GitLab with the token and project 42's hooks as given. */
export function gitlab(token: GitlabAnswer = { body: TOKEN }, hooks: GitlabAnswer = { body: [HOOK] }) {
  return gitlabStub({ '/personal_access_tokens/self': token, '/projects/42/hooks': hooks });
}

/** Runs doctor for project 42 with `stub` as GitLab. */
export async function doctor(
  args: string[] = [],
  stub = gitlab(),
  env: Record<string, string> = {},
): Promise<Outcome> {
  return run(doctorCommand, ['--project', '42', ...args], { fetch: stub.fetch, env });
}

/** The check `id` of a `--json` run. */
export function checkOf(outcome: Outcome, id: string) {
  const report: { checks: { id: string; status: string; detail: string; fix?: string }[] } = JSON.parse(
    outcome.stdout,
  );
  return report.checks.find((c) => c.id === id);
}
