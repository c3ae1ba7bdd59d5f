import { defineConfig } from 'vitest/config';

/** The long runs (`npm run test:long`): simulations of a thousand agents, minutes each. */
export default defineConfig({
  test: {
    include: ['src/**/*.long.test.ts'],
    environment: 'node',
    testTimeout: 15 * 60_000,
  },
});
