import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests of the pure parts and of the servers against real clients, and
// the boot tests that start QEMU for real. One test file at a time: the boot tests already use
// both cores (two boots side by side), and every file checks that nothing was left behind.
export default defineConfig({
  test: {
    fileParallelism: false,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'boot',
          include: ['test/boot/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 3_600_000,
        },
      },
    ],
  },
});
