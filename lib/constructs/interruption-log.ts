import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  INTERRUPTION_LOG_KEY,
  INTERRUPTION_LOG_TTL_ATTRIBUTE,
} from '../../lambdas/shared/interruptions/keys';

/**
 * The interruption log: one small item per pool holding the spot interruptions that hit its jobs
 * in the last two days (`lambdas/shared/interruptions/`). The lifecycle writes it; scale-up reads it
 * to launch a pool on-demand while its interruptions repeat. On-demand billing: no cost at rest.
 */
export class InterruptionLogTable extends Construct {
  /** The DynamoDB table. */
  readonly table: ITable;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: INTERRUPTION_LOG_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: INTERRUPTION_LOG_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Two days of recent interruptions: losing them only delays the next cool-down.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** The lifecycle's notes: consistent reads and conditional puts of a pool's item. */
  grantNote(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  /** Scale-up's read of the pools it launches for. */
  grantRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:BatchGetItem'],
      resourceArns: [this.table.tableArn],
    });
  }
}
