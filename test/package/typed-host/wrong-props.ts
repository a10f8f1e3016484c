// Props a host app gets wrong: pack.test.ts expects the compiler to name each.
import { App, Stack } from 'aws-cdk-lib';
import { SpotlabRunners } from 'spotlab';

const stack = new Stack(new App(), 'Platform');
new SpotlabRunners(stack, 'Ci', {
  gitlab: { url: 'https://gitlab.com', webhookSecretParameter: '/ci/hook', apiTokenParameter: '/ci/api' },
  pools: [
    { name: 'arm', architecture: 'arm64', maxInstances: 5, tags: ['spotlab'], instanceTypes: ['m7g.large'] },
  ],
  maxInstances: 5,
  maxSpendPerHourUsd: 2,
  webhook: { waf: { windowSeconds: 30 } },
});
