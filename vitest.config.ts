import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds, packs and installs the library: minutes, run by `npm run test:package`.
    exclude: ['test/package/**', 'node_modules/**'],
    // One scratch temp folder for the run, removed at its end (see the file).
    globalSetup: ['test/support/scratch-tmpdir.ts'],
    // CDK synth bundles Lambdas with esbuild; a cold bundle on two cores takes seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
