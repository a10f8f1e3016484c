// A TypeScript host app, type-checked by pack.test.ts against the installed package's types
// (never run): its props are typed, its editor shows their TSDoc.
import { App, Stack } from 'aws-cdk-lib';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SpotlabRunners, type SpotlabRunnersProps } from 'spotlab';

const app = new App();
const stack = new Stack(app, 'Platform');
const props: SpotlabRunnersProps = {
  vpc: new Vpc(stack, 'Vpc', { natGateways: 0 }),
  alarmTopic: new Topic(stack, 'Alarms'),
  gitlab: { url: 'https://gitlab.com', webhookSecretParameter: '/ci/hook', apiTokenParameter: '/ci/api' },
  pools: [
    { name: 'arm', architecture: 'arm64', maxInstances: 5, tags: ['spotlab'], instanceTypes: ['m7g.large'] },
  ],
  maxInstances: 5,
  maxSpendPerHourUsd: 2,
  webhook: { waf: { requestsPerIp: 1000, windowSeconds: 60 } },
};
const ci = new SpotlabRunners(stack, 'Ci', props);
export const url: string = ci.webhookUrl;
