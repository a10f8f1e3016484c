import { defineConfig } from 'vitest/config';

/**
 * `npm run test:live`: deploys a throwaway stack and runs a real pipeline (test/live). Files end
 * in `.live.ts`, so the unit run (`vitest.config.ts`, `*.test.ts`) never picks them up.
 */
export default defineConfig({
  test: {
    include: ['test/live/**/*.live.ts'],
    // One stack, one pipeline: the steps run in order, one file at a time.
    fileParallelism: false,
    testTimeout: 45 * 60_000,
    hookTimeout: 45 * 60_000,
  },
});
