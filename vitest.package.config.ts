import { defineConfig } from 'vitest/config';

/** The packed-library test alone (`npm run test:package`): it builds, packs and installs, slowly. */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    globalSetup: ['test/support/scratch-tmpdir.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
