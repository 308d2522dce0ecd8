import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests of the pure parts and of the servers against real clients, and
// the boot tests that start QEMU for real. One test file at a time: the machine has 2 cores and
// a TCG boot wants both.
export default defineConfig({
  test: {
    fileParallelism: false,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'boot',
          include: ['test/boot/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
