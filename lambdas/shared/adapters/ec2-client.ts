import { EC2Client } from '@aws-sdk/client-ec2';
import { SDK_CLIENT_CONFIG } from '../sdk-config';

/** The one EC2 client of a Lambda environment. */
export function createEc2Client(): EC2Client {
  return new EC2Client(SDK_CLIENT_CONFIG);
}
