/**
 * Refreshes lib/config/ec2-instance-types.json, the dated list of EC2 instance types (with their
 * architecture) that `cdk synth` checks every pool against.
 *
 *   npm run instance-types:refresh              # DescribeInstanceTypes in the current Region (AWS credentials)
 *   npm run instance-types:refresh -- --from-sdk  # offline: the AWS SDK's InstanceType enum
 *
 * DescribeInstanceTypes lists the types offered in one Region, with `ProcessorInfo.
 * SupportedArchitectures`: the types found there are added (or corrected), the others kept, since
 * another Region may offer them. `--from-sdk` seeds the list without credentials from the names the
 * installed @aws-sdk/client-ec2 knows, with the architecture its name implies. Mac types are left
 * out: they run only on Dedicated Hosts, which CreateFleet does not launch on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  _InstanceType,
  DescribeInstanceTypesCommand,
  EC2Client,
  paginateDescribeInstanceTypes,
} from '@aws-sdk/client-ec2';
import { architectureOfInstanceType } from '../lambdas/shared/instance-types';
import { formatInstanceTypeList, type InstanceTypeList } from './instance-type-list';

const FILE = new URL('../lib/config/ec2-instance-types.json', import.meta.url);
const today = new Date().toISOString().slice(0, 10);
const isMac = (type: string): boolean => type.startsWith('mac');

function fromSdk(): InstanceTypeList {
  const types = Object.values(_InstanceType).filter((type) => !isMac(type));
  const arch = (type: string) => architectureOfInstanceType(type) ?? 'x86_64';
  const version = JSON.parse(
    readFileSync(new URL('../node_modules/@aws-sdk/client-ec2/package.json', import.meta.url), 'utf8'),
  ).version;
  return {
    updated: today,
    source: `@aws-sdk/client-ec2 ${version} InstanceType enum; architecture from the type name`,
    arm64: types.filter((type) => arch(type) === 'arm64'),
    x86_64: types.filter((type) => arch(type) === 'x86_64'),
  };
}

async function fromRegion(current: InstanceTypeList): Promise<InstanceTypeList> {
  const ec2 = new EC2Client({});
  const found = new Map<string, 'arm64' | 'x86_64'>();
  for await (const page of paginateDescribeInstanceTypes({ client: ec2 }, {})) {
    for (const info of page.InstanceTypes ?? []) {
      const arch = info.ProcessorInfo?.SupportedArchitectures?.find((a) => a === 'arm64' || a === 'x86_64');
      if (info.InstanceType !== undefined && arch !== undefined && !isMac(info.InstanceType))
        found.set(info.InstanceType, arch);
    }
  }
  const keep = (type: string) => !found.has(type);
  const region = await ec2.config.region();
  return {
    updated: today,
    source: `DescribeInstanceTypes in ${region}, merged into the list of ${current.updated}`,
    arm64: [...current.arm64.filter(keep), ...[...found].filter(([, a]) => a === 'arm64').map(([t]) => t)],
    x86_64: [...current.x86_64.filter(keep), ...[...found].filter(([, a]) => a === 'x86_64').map(([t]) => t)],
  };
}

// Referenced so the bundler-free import above stays explicit about which command the paginator sends.
void DescribeInstanceTypesCommand;
const current: InstanceTypeList = JSON.parse(readFileSync(FILE, 'utf8'));
const next = process.argv.includes('--from-sdk') ? fromSdk() : await fromRegion(current);
writeFileSync(FILE, formatInstanceTypeList(next));
process.stdout.write(`${next.arm64.length} arm64 and ${next.x86_64.length} x86_64 types (${next.source})\n`);
