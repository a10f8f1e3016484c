import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nagFindings } from '../support/nag';
import { propDocProblems } from '../support/prop-docs';
import { shipped, synth } from '../support/template';

/**
 * The published package as a host app meets it: `npm run build:lib`, `npm pack`, the tarball
 * installed into a fresh folder outside the repository with the peers from the registry (npm's
 * cache makes it quick), and a plain JavaScript CDK app that synthesises a stack with an existing
 * VPC and an alarm topic. Slow (a minute or more): `npm run test:package`, which `npm test` runs.
 */
const repo = process.cwd();
const consumer = mkdtempSync(join(tmpdir(), 'spotlab-consumer-'));
const outdir = join(consumer, 'cdk.out');
const versionOf = (name: string) =>
  z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8'))).version;
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let template: Template;

beforeAll(() => {
  run('npm', ['run', '--silent', 'build:lib'], repo);
  const tarball = run('npm', ['pack', './dist', '--silent', '--pack-destination', consumer], repo)
    .trim()
    .split('\n')
    .at(-1);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'host-app', private: true, type: 'module' }),
  );
  // TypeScript and Node's types too, at the repository's versions: a typed host app is checked.
  const peers = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'typescript', '@types/node'].map(
    (name) => `${name}@${versionOf(name)}`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, ...peers], consumer);
  copyFileSync(join(repo, 'test/package/consumer-app.mjs'), join(consumer, 'app.mjs'));
  const context = z
    .object({ context: z.record(z.string(), z.unknown()) })
    .parse(JSON.parse(readFileSync('cdk.json', 'utf8')));
  writeFileSync(join(consumer, 'context.json'), JSON.stringify(context.context));
  const { stackName: _stackName, network: _network, ...settings } = shipped;
  writeFileSync(join(consumer, 'settings.json'), JSON.stringify(settings));
  run(process.execPath, ['app.mjs', outdir, 'context.json', 'settings.json'], consumer);
  template = Template.fromJSON(JSON.parse(readFileSync(join(outdir, 'Platform.template.json'), 'utf8')));
}, 600_000);

/**
 * Runs the host's TypeScript on one file of test/package/typed-host, strict and with the
 * libraries' declarations checked too (`skipLibCheck` off), as a careful host app would.
 */
function typecheck(file: string): { ok: boolean; output: string } {
  copyFileSync(join(repo, 'test/package/typed-host', file), join(consumer, file));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      // aws-cdk-lib's declarations name `Disposable`.
      lib: ['ES2023', 'ESNext.Disposable'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: [file],
  };
  writeFileSync(join(consumer, `tsconfig.${file}.json`), JSON.stringify(tsconfig));
  const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    run(process.execPath, [tsc, '-p', `tsconfig.${file}.json`], consumer);
    return { ok: true, output: '' };
  } catch (error) {
    const output = z.object({ stdout: z.string() }).parse(error).stdout;
    return { ok: false, output };
  }
}

/** How many resources of each type a template has. */
function typeCounts(resources: Record<string, { Type: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { Type } of Object.values(resources)) counts.set(Type, (counts.get(Type) ?? 0) + 1);
  return counts;
}

describe('the packed library in a host CDK app', () => {
  it('installs from its tarball with aws-cdk-lib and constructs as peers, and nothing of the repository', () => {
    const installed = readdirSync(join(consumer, 'node_modules', 'spotlab')).sort();

    expect(installed).toEqual(['README.md', 'index.js', 'lambda-bundles', 'lib', 'package.json', 'types']);
  });

  it('synthesises the shipped app’s resources, less the VPC and the alarm topic the host brings', () => {
    const ours = typeCounts(synth(shipped).template.toJSON().Resources);
    const theirs = typeCounts(template.toJSON().Resources);
    const missing = Object.fromEntries(
      [...ours].map(([type, n]) => [type, n - (theirs.get(type) ?? 0)]).filter(([, n]) => n !== 0),
    );

    expect(missing).toEqual({
      'AWS::EC2::VPC': 1,
      'AWS::EC2::Subnet': 3,
      'AWS::EC2::RouteTable': 3,
      'AWS::EC2::SubnetRouteTableAssociation': 3,
      'AWS::EC2::Route': 3,
      'AWS::EC2::InternetGateway': 1,
      'AWS::EC2::VPCGatewayAttachment': 1,
      'AWS::EC2::FlowLog': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::KMS::Key': 1,
    });
  });

  it('has no cdk-nag AwsSolutions finding, as the shipped app has none', () => {
    expect(nagFindings(outdir)).toEqual([]);
  });

  it('declares every prop with its TSDoc and @default, as a user’s editor reads the installed types', () => {
    const pkg = join(consumer, 'node_modules', 'spotlab');

    expect(propDocProblems(join(pkg, 'types', 'lib', 'index.d.ts'), 'SpotlabRunnersProps', pkg)).toEqual([]);
  }, 60_000);

  it('type-checks a TypeScript host app against the installed types, declarations included', () => {
    expect(typecheck('app.ts')).toEqual({ ok: true, output: '' });
  }, 120_000);

  it('makes a wrong prop a compile error in the host app, naming where it is', () => {
    const { ok, output } = typecheck('wrong-props.ts');

    expect(ok).toBe(false);
    expect(output).toMatch(/wrong-props\.ts\(\d+,\d+\): error TS2322: Type '30' is not assignable/);
  }, 120_000);

  it('deploys the pre-built Lambda bundles from the package, not bundled at synth', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const assets = readdirSync(outdir).filter((entry) => entry.startsWith('asset.'));

    expect(functions.filter((fn) => fn.Properties.Handler === 'index.handler')).toHaveLength(4);
    expect(assets.filter((asset) => readdirSync(join(outdir, asset)).includes('index.mjs'))).toHaveLength(4);
  });
});
