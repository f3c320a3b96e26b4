import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { ADMIN, initialized, makeTempDirectory, TempDatabaseLive } from "../src/index.js"

describe("TempDatabase", () => {
  it.live("opens a migrated SQLite file in WAL mode with foreign keys on, and init makes the fixture admin", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [mode] = yield* sql<{ journalMode: string }>`PRAGMA journal_mode`
      assert.strictEqual(mode?.journalMode, "wal")
      const [fk] = yield* sql<{ foreignKeys: number }>`PRAGMA foreign_keys`
      assert.strictEqual(fk?.foreignKeys, 1)
      const [sync] = yield* sql<{ synchronous: number }>`PRAGMA synchronous`
      assert.strictEqual(sync?.synchronous, 2, "synchronous = FULL")
      const { admin } = yield* initialized
      assert.strictEqual(admin.email, ADMIN)
      const users = yield* Core.listUsers().pipe(Core.as(admin.id, "cli"))
      assert.deepStrictEqual(users.map((u) => u.email), [ADMIN])
    }).pipe(Effect.provide(TempDatabaseLive)))

  it("cleanup removes the temp folder", () => {
    const temp = makeTempDirectory()
    assert.isTrue(existsSync(temp.dir))
    temp.cleanup()
    assert.isFalse(existsSync(temp.dir))
  })
})
