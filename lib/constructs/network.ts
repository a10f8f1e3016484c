import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  type IVpc,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SpotlabConfig } from '../config/schema';

/** Properties of {@link RunnerNetwork}. */
export interface RunnerNetworkProps {
  /** Create a VPC, or use existing subnets (`network` in the configuration). */
  readonly config: Readonly<SpotlabConfig['network']>;
  /**
   * Retention of the VPC flow logs (created VPC only).
   * @default RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: RetentionDays;
  /**
   * A VPC the host app already has, and which of its subnets the runners use; `config` is then
   * not read.
   * @default - as `config` says
   */
  readonly existing?: { readonly vpc: IVpc; readonly subnets?: SubnetSelection };
}

/**
 * The runners' network: the subnets instances launch into and their security group.
 *
 * A created VPC has public subnets only and no NAT gateway, so the network costs nothing at idle;
 * instances take a public address and reach GitLab, registries and the AWS APIs directly. With
 * existing subnets, nothing is looked up at synth (the stack stays environment-agnostic): the ids
 * are used as given and the subnets must route to GitLab and the AWS APIs themselves.
 */
export class RunnerNetwork extends Construct {
  /** The VPC of the runners. */
  readonly vpc: IVpc;
  /** Subnets CreateFleet spreads instances over, one override per subnet. */
  readonly subnetIds: string[];
  /** The runners' security group: no ingress at all, every egress. */
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: RunnerNetworkProps) {
    super(scope, id);
    const { config, existing } = props;
    if (existing !== undefined) {
      this.vpc = existing.vpc;
      this.subnetIds = existing.vpc.selectSubnets(existing.subnets).subnetIds;
    } else if (config.mode === 'create') {
      const vpc = new Vpc(this, 'Vpc', {
        // An environment-agnostic VPC gets two zones from `maxAzs`, whatever is asked; naming the
        // first N zones of the Region keeps the stack agnostic and honours maxAzs (a Region with
        // fewer zones fails the deploy instead of silently shrinking the spread).
        availabilityZones: Array.from({ length: config.maxAzs }, (_, index) => Fn.select(index, Fn.getAzs())),
        natGateways: 0,
        subnetConfiguration: [{ name: 'Runners', subnetType: SubnetType.PUBLIC, cidrMask: 20 }],
        // Nothing is ever attached to the default security group; restricting it would take a
        // deploy-time custom-resource Lambda for no gain.
        restrictDefaultSecurityGroup: false,
      });
      const flowLogs = new LogGroup(this, 'FlowLogs', {
        retention: props.flowLogRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // All traffic, not only rejects: runners execute arbitrary job code, and the accepted flows
      // are what an investigation needs. Flow logs are billed per record, not per byte moved, and
      // an idle VPC writes none.
      vpc.addFlowLog('FlowLog', {
        destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
        trafficType: FlowLogTrafficType.ALL,
      });
      this.vpc = vpc;
      this.subnetIds = vpc.publicSubnets.map((subnet) => subnet.subnetId);
    } else {
      // Only the VPC id is used (by the security group); the subnet ids go to CreateFleet as they
      // are, so the zones stay an unresolved list instead of a lookup.
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: config.vpcId, availabilityZones: Fn.getAzs() });
      this.subnetIds = [...config.subnetIds];
    }
    this.securityGroup = new SecurityGroup(this, 'RunnerSecurityGroup', {
      vpc: this.vpc,
      description: 'Spotlab runners: no inbound traffic; outbound to GitLab, registries and AWS APIs',
      // Jobs reach arbitrary hosts (package mirrors, registries, GitLab), so egress stays open.
      allowAllOutbound: true,
    });
  }
}
