import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CDK synth bundles Lambdas with esbuild; a cold bundle on two cores takes seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
