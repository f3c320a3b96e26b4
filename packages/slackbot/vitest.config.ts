import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    // tests hash as many passwords at once as libuv's pool runs (4), not one core fewer than the
    // machine has as a server does: no rule depends on it, the suite's time does
    env: { USHER_HASH_THREADS: "4" },
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
