import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'server/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Runs of minutes are not unit tests: `npm run test:long` has them.
    exclude: ['**/node_modules/**', '**/*.long.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
