import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  CfnTable,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  JOB_TABLE_INSTANCE_INDEX,
  JOB_TABLE_INSTANCE_KEY,
  JOB_TABLE_KEY,
  JOB_TABLE_LAUNCH_INDEX,
  JOB_TABLE_LAUNCH_KEY,
  JOB_TABLE_LAUNCH_PROJECTION,
  JOB_TABLE_OPEN_INDEX,
  JOB_TABLE_OPEN_KEY,
  JOB_TABLE_OPEN_PROJECTION,
  JOB_TABLE_TTL_ATTRIBUTE,
} from '../../lambdas/shared/job-table/keys';

/**
 * The job table: one item per GitLab job id, expiring after a week, the exactly-once gate and
 * state machine of Spotlab (`lambdas/shared/job-table/`). Each consumer gets its own grant, for the
 * calls its view of the table makes. The grants name the table and its indexes instead of using
 * `Table.grant`, which would add `<table>/index/*`.
 */
export class JobTable extends Construct {
  /** The DynamoDB table. */
  readonly table: ITable;
  private readonly cfnTable: CfnTable | undefined;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const table = new Table(this, 'Table', {
      partitionKey: { name: JOB_TABLE_KEY, type: AttributeType.NUMBER },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: JOB_TABLE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Short-lived dedupe state; EC2 tags and GitLab stay the truth the reaper reconciles with.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // EC2 events name instances, not jobs: the lifecycle consumer finds the job through this.
    table.addGlobalSecondaryIndex({
      indexName: JOB_TABLE_INSTANCE_INDEX,
      partitionKey: { name: JOB_TABLE_INSTANCE_KEY, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // A spot warning or state change for an instance whose job's `running` webhook GitLab dropped
    // names no job above; the runner the launch registered there leads to it (or to its cleanup).
    table.addGlobalSecondaryIndex({
      indexName: JOB_TABLE_LAUNCH_INDEX,
      partitionKey: { name: JOB_TABLE_LAUNCH_KEY, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...JOB_TABLE_LAUNCH_PROJECTION],
    });
    // The reaper's sweep reads only the items it still has to act on (`needsReaper`): writes set
    // the key while an item is open and remove it once it is cleaned up, so finished jobs drop out
    // and a sweep's reads follow what is alive, not the week of history. It projects only what a
    // sweep reads.
    table.addGlobalSecondaryIndex({
      indexName: JOB_TABLE_OPEN_INDEX,
      partitionKey: { name: JOB_TABLE_OPEN_KEY, type: AttributeType.NUMBER },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...JOB_TABLE_OPEN_PROJECTION],
    });
    this.table = table;
    const cfn = table.node.defaultChild;
    this.cfnTable = cfn instanceof CfnTable ? cfn : undefined;
  }

  /**
   * Pins the table's CloudFormation logical id. A changed logical id makes CloudFormation replace
   * the table, dropping every item (and with them the exactly-once gate) on upgrade.
   */
  keepLogicalId(logicalId: string): void {
    this.cfnTable?.overrideLogicalId(logicalId);
  }

  /** Scale-up's ledger: conditional claims, launches, skips and releases; no reads, no index. */
  grantLedger(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  /**
   * The warm registry (`warm-registry.ts`): one item per pool with warm capacity, read consistent
   * and changed by conditional updates, by scale-up (claims) and the reaper (the rest).
   */
  grantWarmRegistry(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  /** The lifecycle's journal: consistent reads, conditional writes, and queries of both indexes. */
  grantJournal(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    }).combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:Query'],
        resourceArns: [JOB_TABLE_INSTANCE_INDEX, JOB_TABLE_LAUNCH_INDEX].map(
          (index) => `${this.table.tableArn}/index/${index}`,
        ),
      }),
    );
  }

  /**
   * The reaper's sweep: queries of the open index, reads of pending jobs' states by key, and
   * conditional marks. No Scan: a sweep never reads the table's history.
   */
  grantSweep(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    }).combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:Query'],
        resourceArns: [`${this.table.tableArn}/index/${JOB_TABLE_OPEN_INDEX}`],
      }),
    );
  }
}
