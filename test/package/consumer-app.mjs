// A host CDK app as a platform team writes it: its own VPC and alarm topic, Spotlab beside them.
// Run by pack.test.ts from a temporary folder where only the packed tarball is installed.
import { readFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SpotlabRunners } from 'spotlab';

const [outdir, contextFile, settingsFile] = process.argv.slice(2);
const app = new App({ outdir, context: JSON.parse(readFileSync(contextFile, 'utf8')) });
const stack = new Stack(app, 'Platform');
const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  publicSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  publicSubnetRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
});
const alarmTopic = Topic.fromTopicArn(stack, 'Alarms', 'arn:aws:sns:eu-west-1:123456789012:platform-alarms');
new SpotlabRunners(stack, 'Ci', { ...JSON.parse(readFileSync(settingsFile, 'utf8')), vpc, alarmTopic });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
