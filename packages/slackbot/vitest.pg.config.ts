import { defineConfig } from "vitest/config"

/**
 * The bot's suites again on PostgreSQL (`pnpm test:pg`): each temp directory is a schema of its
 * own on the server `USHER_TEST_PG_URL` names (default postgres://postgres@127.0.0.1:5432/postgres).
 * Files that never open a directory (parsing, blocks, the manifest, error wording, the Socket Mode
 * transport) run on SQLite only.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: ["test/parse/**", "test/blocks.test.ts", "test/errors.test.ts", "test/manifest.test.ts", "test/socket.test.ts"],
    // tests hash as many passwords at once as libuv's pool runs (4), not one core fewer than the
    // machine has as a server does: no rule depends on it, the suite's time does
    env: { USHER_TEST_ENGINE: "pg", USHER_HASH_THREADS: "4" },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
