import { defineConfig } from "vitest/config"

/**
 * The use-case suites again, on PostgreSQL (`pnpm test:pg`): every file whose tests open their
 * directory through `withDatabase` gets a fresh schema on the server `USHER_TEST_PG_URL` names
 * (default postgres://postgres@127.0.0.1:5432/postgres). Files about SQLite itself, pure domain
 * code, or their own SQLite processes are left to the SQLite run.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [
      "test/Domain/**", "test/Audit/Replay.test.ts", "test/Views/**", "test/Database.test.ts", "test/FileModes.test.ts",
      "test/ImportCrash.test.ts", "test/ImportCsv.test.ts", "test/Passwords.test.ts", "test/ReachProperty.test.ts", "test/Types.test.ts",
      "test/AuditVerify.test.ts", "test/DatabaseCopy.test.ts", "test/PgRestart.test.ts"
    ],
    // tests hash as many passwords at once as libuv's pool runs (4), not one core fewer than the
    // machine has as a server does: no rule depends on it, the suite's time does
    env: { USHER_TEST_ENGINE: "pg", USHER_HASH_THREADS: "4" },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
