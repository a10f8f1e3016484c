import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Runtime of every Spotlab Lambda (arm64, see the constructs). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/**
 * How every Lambda is bundled, shared by the constructs and `bench/` so the benchmark measures the
 * artefact that is deployed. The syntax target stays at node22, the oldest runtime Spotlab
 * supports, so the same bundle also loads on the Node 20 of a developer machine.
 */
export const ESBUILD_SETTINGS = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  minify: true,
  mainFields: ['module', 'main'],
  // Lambda hands credentials over in environment variables; see lambdas/shared/lambda-credentials.ts.
  alias: {
    '@aws-sdk/credential-provider-node': fileURLToPath(
      new URL('../lambdas/shared/lambda-credentials.ts', import.meta.url),
    ),
  },
  // A few CommonJS dependencies call require() on Node built-ins; ESM output has no require.
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;

/** Path of a Lambda's entry file, `lambdas/<name>/handler.ts`. */
export function lambdaEntry(name: string): string {
  return fileURLToPath(new URL(`../lambdas/${name}/handler.ts`, import.meta.url));
}

/**
 * Folder of a Lambda's pre-built bundle (`index.mjs`), which only the published package has
 * (`dist/lambda-bundles/<name>`, made by `npm run build:lib`); in the repository, none.
 */
export function prebuiltLambda(name: string): string | undefined {
  const folder = fileURLToPath(new URL(`../lambda-bundles/${name}`, import.meta.url));
  return existsSync(`${folder}/index.mjs`) ? folder : undefined;
}

/** esbuild options that build a Lambda exactly as `cdk synth` does, for tests and benchmarks. */
export function lambdaBuildOptions(name: string): BuildOptions {
  return {
    ...ESBUILD_SETTINGS,
    mainFields: [...ESBUILD_SETTINGS.mainFields],
    banner: { js: ESBUILD_SETTINGS.banner },
    entryPoints: [lambdaEntry(name)],
    bundle: true,
    metafile: true,
    logLevel: 'silent',
  };
}

/** {@link ESBUILD_SETTINGS} in the form `NodejsFunction` takes. */
export function lambdaBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: ESBUILD_SETTINGS.target,
    minify: ESBUILD_SETTINGS.minify,
    mainFields: [...ESBUILD_SETTINGS.mainFields],
    sourceMap: false,
    // esbuild's size report of every bundle is noise in `cdk synth`; warnings and errors still show.
    logLevel: LogLevel.WARNING,
    // Bundle the AWS SDK instead of using the runtime's copy: pinned versions, and tree-shaken
    // code loads faster than the runtime's full packages.
    externalModules: [],
    banner: ESBUILD_SETTINGS.banner,
    esbuildArgs: Object.fromEntries(
      Object.entries(ESBUILD_SETTINGS.alias).map(([from, to]) => [`--alias:${from}`, to]),
    ),
  };
}
