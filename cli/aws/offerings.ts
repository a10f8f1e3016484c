import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';

const subnetsSchema = z.looseObject({
  Subnets: z.array(z.looseObject({ SubnetId: z.string(), AvailabilityZone: z.string() })).optional(),
});

const offeringsSchema = z.looseObject({
  InstanceTypeOfferings: z
    .array(z.looseObject({ InstanceType: z.string(), Location: z.string() }))
    .optional(),
  NextToken: z.string().optional(),
});

/** `DescribeSubnets` of `subnetIds`: each subnet's Availability Zone, by subnet id. */
export async function subnetZones(
  ec2: EC2Client,
  subnetIds: readonly string[],
): Promise<Map<string, string>> {
  const output = subnetsSchema.parse(
    await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...subnetIds] })),
  );
  return new Map((output.Subnets ?? []).map((s) => [s.SubnetId, s.AvailabilityZone]));
}

/**
 * `DescribeInstanceTypeOfferings` by Availability Zone, filtered by instance type, every page: the
 * zones of this Region that offer each of `types`. A type offered nowhere is absent.
 */
export async function offeredZones(
  ec2: EC2Client,
  types: readonly string[],
): Promise<Map<string, Set<string>>> {
  const zones = new Map<string, Set<string>>();
  let NextToken: string | undefined;
  do {
    const page = offeringsSchema.parse(
      await ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: 'availability-zone',
          Filters: [{ Name: 'instance-type', Values: [...types] }],
          NextToken,
        }),
      ),
    );
    for (const offering of page.InstanceTypeOfferings ?? []) {
      const set = zones.get(offering.InstanceType) ?? new Set<string>();
      set.add(offering.Location);
      zones.set(offering.InstanceType, set);
    }
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return zones;
}
