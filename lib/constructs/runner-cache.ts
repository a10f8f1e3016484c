import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of {@link RunnerCache}. */
export interface RunnerCacheProps {
  /**
   * Days after which a cache object is deleted, whether or not jobs still use it.
   * @default 14
   */
  readonly expireAfterDays?: number;
  /**
   * What deleting the stack does with the bucket. `retain` keeps it and its objects; the lifecycle
   * rule goes on expiring them, so a kept bucket is empty, and costs nothing, within
   * `expireAfterDays`. `destroy` empties it first (CDK's auto-delete custom resource) and deletes it.
   * @default 'retain'
   */
  readonly removal?: 'retain' | 'destroy';
}

/**
 * The S3 bucket behind GitLab Runner's distributed cache. Every VM is new, so without it no job
 * would ever hit a cache. Only the runner instance role can use it (see `RunnerLaunchTemplates`).
 */
export class RunnerCache extends Construct {
  /** The cache bucket. */
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: RunnerCacheProps = {}) {
    super(scope, id);
    const expireAfterDays = props.expireAfterDays ?? 14;
    const destroy = props.removal === 'destroy';
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [
        {
          id: 'expire-cache',
          expiration: Duration.days(expireAfterDays),
          // Large caches upload in parts; parts of an interrupted upload (a reclaimed spot VM)
          // would otherwise be stored and billed forever.
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // CloudFormation cannot delete a bucket that still holds objects: "delete only when empty"
      // would leave `cdk destroy` failed (DELETE_FAILED) after any job wrote a cache. So either
      // keep the bucket, or empty it with CDK's auto-delete custom resource.
      removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds disposable build caches that expire after a few days; no bucket policy ' +
        'grants access beyond the TLS-only rule, and only the runner instance role may read or ' +
        'write it. Server access logs would record every cache request of every job with no ' +
        'consumer; CloudTrail S3 data events can be enabled account-wide where an audit trail is required.',
    });
  }
}
