import { defineConfig } from "vitest/config"

/**
 * The CLI, dashboard, SSH and serve suites again on PostgreSQL (`pnpm test:pg`): each temp
 * directory is a schema of its own on the server `USHER_TEST_PG_URL` names (default
 * postgres://postgres@127.0.0.1:5432/postgres). Files that never open a directory (argument
 * parsing, layout, the keymap, error wording) run on SQLite only.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: [
      "test/app/Keymap.test.ts", "test/app/layers.test.ts", "test/app/layout.test.ts", "test/bin/**",
      "test/cli/Arguments.test.ts", "test/cli/FormatError.test.ts"
    ],
    // tests hash as many passwords at once as libuv's pool runs (4), not one core fewer than the
    // machine has as a server does: no rule depends on it, the suite's time does
    env: { USHER_TEST_ENGINE: "pg", USHER_HASH_THREADS: "4" },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
