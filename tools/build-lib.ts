/**
 * Builds the publishable construct library into dist/ (`npm run build:lib`, then
 * `npm pack ./dist`): the construct bundled as one ES module, its type declarations, the four
 * Lambdas pre-built with the settings `cdk synth` uses, the bootstrap scripts, and a package.json
 * whose only dependencies are what the construct needs at synth time.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { z } from 'zod';
import { lambdaBuildOptions } from '../lib/bundling';

const root = process.cwd();
const dist = join(root, 'dist');
const LAMBDAS = ['webhook', 'scale-up', 'lifecycle', 'reaper'];
/** Resolved at the host app: the peers, and the construct's own runtime dependencies. */
const PEERS = ['aws-cdk-lib', 'constructs'];
const RUNTIME = ['zod', 'jsonc-parser'];

/**
 * `new URL(file, import.meta.url)` in a module of lib/ points next to that module; bundled, the
 * module is dist/index.js. Each such base becomes the module's own place under dist/, where its
 * files (the bootstrap scripts, the Lambda bundles) are copied.
 */
const moduleUrls: Plugin = {
  name: 'module-urls',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[/\\]lib[/\\].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const own = `./${relative(root, args.path).replace(/\\/g, '/').replace(/\.ts$/, '.js')}`;
      const contents = source.replaceAll(
        ', import.meta.url)',
        `, new URL(${JSON.stringify(own)}, import.meta.url))`,
      );
      return { contents, loader: 'ts' };
    });
  },
};

const manifestSchema = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  license: z.string(),
  dependencies: z.record(z.string(), z.string()),
});

async function main(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: ['lib/index.ts'],
    outfile: join(dist, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...PEERS, ...RUNTIME],
    plugins: [moduleUrls],
    logLevel: 'warning',
  });
  for (const name of LAMBDAS) {
    const { metafile: _metafile, ...options } = lambdaBuildOptions(name);
    await build({
      ...options,
      outfile: join(dist, 'lambda-bundles', name, 'index.mjs'),
      logLevel: 'warning',
    });
  }
  const scripts = join(dist, 'lib', 'bootstrap');
  mkdirSync(scripts, { recursive: true });
  for (const file of readdirSync('lib/bootstrap').filter((f) => f.endsWith('.sh')))
    cpSync(join('lib/bootstrap', file), join(scripts, file));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.lib.json'], {
    stdio: 'inherit',
  });
  for (const file of readdirSync(join(dist, 'types'), { recursive: true, encoding: 'utf8' }))
    if (file.endsWith('.d.ts')) withExtensions(join(dist, 'types', file));
  cpSync('README.md', join(dist, 'README.md'));
  writeFileSync(join(dist, 'package.json'), `${JSON.stringify(manifest(), null, 2)}\n`);
}

/**
 * The repository imports without extensions (bundler resolution); a host app that resolves the
 * Node way (`moduleResolution: nodenext`) needs `./x.js` in declarations, or its types go missing.
 */
function withExtensions(file: string): void {
  const text = readFileSync(file, 'utf8').replace(
    /(from |import\()(['"])(\.{1,2}\/[^'"]+)\2/g,
    (whole, lead: string, quote: string, specifier: string) => {
      const target = join(dirname(file), specifier);
      if (existsSync(`${target}.d.ts`)) return `${lead}${quote}${specifier}.js${quote}`;
      if (existsSync(join(target, 'index.d.ts'))) return `${lead}${quote}${specifier}/index.js${quote}`;
      return whole;
    },
  );
  writeFileSync(file, text);
}

/** The library's package.json, from the repository's: same name, version and pinned ranges. */
function manifest(): Record<string, unknown> {
  const repo = manifestSchema.parse(JSON.parse(readFileSync('package.json', 'utf8')));
  const pick = (names: string[]) => Object.fromEntries(names.map((name) => [name, repo.dependencies[name]]));
  const types = './types/lib/index.d.ts';
  return {
    name: repo.name,
    version: repo.version,
    description: repo.description,
    license: repo.license,
    type: 'module',
    // require() of an ES module without a flag: Node 20.19 and 22.12 onwards.
    engines: { node: '>=20.19' },
    exports: { '.': { types, default: './index.js' } },
    types,
    files: ['index.js', 'types', 'lambda-bundles', 'lib'],
    dependencies: pick(RUNTIME),
    peerDependencies: pick(PEERS),
  };
}

await main();
process.stdout.write(`library built in ${relative(root, dist)}/\n`);
