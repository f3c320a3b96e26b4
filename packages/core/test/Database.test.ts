import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import * as Core from "../src/index.js"
import { failsWith, makeTempDirectory } from "./support.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("Database", () => {
  it.effect("parseUrl reads postgres:// URLs, sqlite:PATH or a bare path; a URL without host or database, and empty paths, are DatabaseUrlInvalid", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Core.parseUrl("sqlite:/var/lib/usher/usher.db"), { engine: "sqlite", path: "/var/lib/usher/usher.db" })
      assert.deepStrictEqual(yield* Core.parseUrl("data/usher.db"), { engine: "sqlite", path: resolve("data/usher.db") })
      assert.deepStrictEqual(yield* Core.parseUrl("sqlite::memory:"), { engine: "sqlite", path: ":memory:" })
      assert.deepStrictEqual(yield* Core.parseUrl("postgres://db/usher"), { engine: "pg", url: "postgres://db/usher" })
      assert.deepStrictEqual(yield* Core.parseUrl("postgresql://u:secret@db:5433/usher?sslmode=require"), { engine: "pg", url: "postgresql://u:secret@db:5433/usher?sslmode=require" })
      const noDb = yield* failsWith(Core.parseUrl("postgres://u:secret@db:5432"), "DatabaseUrlInvalid")
      assert.include(noDb.message, "no database name")
      assert.notInclude(noDb.message, "secret", "the password is never shown")
      assert.strictEqual(Core.describeLocation({ engine: "pg", url: "postgres://u:secret@db/usher" }), "postgres://u:***@db/usher")
      assert.strictEqual((yield* failsWith(Core.parseUrl("sqlite:"), "DatabaseUrlInvalid")).url, "sqlite:")
    }))

  it.effect("locationFromEnv: USHER_DATABASE_URL first, else usher.db under USHER_DATA_DIR", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* Core.locationFromEnv.pipe(withEnv({ USHER_DATABASE_URL: "sqlite:/srv/u.db", USHER_DATA_DIR: "/elsewhere" })),
        { engine: "sqlite", path: "/srv/u.db" }
      )
      assert.deepStrictEqual(yield* Core.locationFromEnv.pipe(withEnv({ USHER_DATA_DIR: "/srv/usher" })), { engine: "sqlite", path: join("/srv/usher", "usher.db") })
      assert.strictEqual((yield* failsWith(Core.locationFromEnv.pipe(withEnv({ USHER_DATABASE_URL: "postgresql://x" })), "DatabaseUrlInvalid")).url, "postgresql://x")
      assert.deepStrictEqual(
        yield* Core.locationFromEnv.pipe(withEnv({ USHER_DATABASE_URL: "postgres://db/usher", USHER_PG_POOL: "4" })),
        { engine: "pg", url: "postgres://db/usher", pool: 4 }
      )
    }))

  it.live("opens SQLite with WAL, synchronous=FULL, foreign keys and a busy timeout, migrated once", () =>
    Effect.gen(function*() {
      const temp = makeTempDirectory()
      const open = Core.CoreLive({ engine: "sqlite", path: join(temp.dir, "nested", "usher.db") })
      const inspect = Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [journal] = yield* sql<{ journalMode: string }>`PRAGMA journal_mode`
        const [sync] = yield* sql<{ synchronous: number }>`PRAGMA synchronous`
        const [fk] = yield* sql<{ foreignKeys: number }>`PRAGMA foreign_keys`
        const [busy] = yield* sql<{ timeout: number }>`PRAGMA busy_timeout`
        const roles = yield* sql<{ name: string }>`SELECT name FROM roles ORDER BY name`
        const location = yield* Core.Database
        return { journal: journal?.journalMode, sync: sync?.synchronous, fk: fk?.foreignKeys, busy: busy?.timeout, roles: roles.map((r) => r.name), location }
      })
      const first = yield* inspect.pipe(Effect.provide(open))
      assert.deepStrictEqual(first, {
        journal: "wal", sync: 2, fk: 1, busy: 5000,
        roles: ["approver", "auditor", "org-admin", "provider-admin", "user-manager"],
        location: { engine: "sqlite", path: join(temp.dir, "nested", "usher.db") }
      })
      // reopening the same file runs no migration twice
      const second = yield* inspect.pipe(Effect.provide(Layer.fresh(open)))
      assert.deepStrictEqual(second.roles, first.roles)
      temp.cleanup()
    }))

  it.live("foreign keys are enforced", () =>
    Effect.gen(function*() {
      const temp = makeTempDirectory()
      const exit = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        return yield* Effect.exit(sql`INSERT INTO memberships (user_id, org_id, joined_at) VALUES ('nobody', 'nowhere', 'now')`)
      }).pipe(Effect.provide(Core.CoreLive({ engine: "sqlite", path: temp.path })))
      assert.strictEqual(exit._tag, "Failure")
      temp.cleanup()
    }))

  it.live("a file that is not a database, or a path that cannot be made, is DatabaseUnavailable naming the path", () =>
    Effect.gen(function*() {
      const temp = makeTempDirectory()
      writeFileSync(temp.path, "this is a text file, not a directory database, and it is long enough to have a header".repeat(4))
      const open = (path: string) => Effect.flip(Effect.provide(SqlClient.SqlClient, Core.CoreLive({ engine: "sqlite", path })))
      const garbage = yield* open(temp.path)
      assert.strictEqual(garbage._tag, "DatabaseUnavailable")
      assert.strictEqual(garbage.path, temp.path)
      assert.include(garbage.message, "file is not a database")
      const underFile = yield* open(join(temp.path, "inner", "usher.db"))
      assert.strictEqual(underFile._tag, "DatabaseUnavailable")
      temp.cleanup()
    }))
})
