import { Reactivity } from "@effect/experimental"
import { Migrator, SqlClient, Statement } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Cause, Config, Context, Data, Effect, Layer, Option, String } from "effect"
import { chmodSync, existsSync, mkdirSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join, resolve } from "node:path"
import migration0001 from "./migrations/0001_directory.js"
import migration0002 from "./migrations/0002_access.js"
import migration0003 from "./migrations/0003_slack.js"
import migration0004 from "./migrations/0004_views.js"
import migration0005 from "./migrations/0005_audit.js"
import migration0006 from "./migrations/0006_four_eyes.js"
import migration0007 from "./migrations/0007_sign_in_locks.js"
import migration0008 from "./migrations/0008_outbox_links.js"
import migration0010 from "./migrations/0010_ssh_keys.js"

/** Where the directory lives, resolved from `--db`, `USHER_DATABASE_URL` or `USHER_DATA_DIR`. */
export interface DatabaseLocation {
  readonly engine: "sqlite"
  readonly path: string
}

/** A database URL that usher cannot open. */
export class DatabaseUrlInvalid extends Data.TaggedError("DatabaseUrlInvalid")<{ readonly url: string; readonly reason: string }> {
  override get message() {
    return `Cannot use database ${this.url}: ${this.reason}`
  }
}

/** The database file could not be opened or migrated (missing folder rights, not a database, …). */
export class DatabaseUnavailable extends Data.TaggedError("DatabaseUnavailable")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `Cannot open the directory's database ${this.path}: ${this.reason}`
  }
}

/** Parses `sqlite:PATH` (or a bare path). */
export const parseUrl = (url: string): Effect.Effect<DatabaseLocation, DatabaseUrlInvalid> => {
  if (/^postgres(ql)?:\/\//.test(url)) {
    return Effect.fail(new DatabaseUrlInvalid({ url, reason: "the PostgreSQL engine is not available in this version; use sqlite:PATH" }))
  }
  const path = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url
  return path.length === 0
    ? Effect.fail(new DatabaseUrlInvalid({ url, reason: "no file path given" }))
    : Effect.succeed({ engine: "sqlite", path: path === ":memory:" ? path : resolve(path) })
}

/** The default location: `$USHER_DATABASE_URL`, else `usher.db` under `$USHER_DATA_DIR` (default `~/.local/share/usher`). */
export const locationFromEnv = Effect.gen(function*() {
  const url = yield* Config.option(Config.string("USHER_DATABASE_URL"))
  if (Option.isSome(url) && url.value.length > 0) return yield* parseUrl(url.value)
  const dataDir = yield* Config.string("USHER_DATA_DIR").pipe(
    Config.withDefault(join(homedir(), ".local", "share", "usher"))
  )
  return { engine: "sqlite", path: join(resolve(dataDir), "usher.db") } satisfies DatabaseLocation
})

/** The opened database's location, for front-ends that show it. */
export class Database extends Context.Tag("@usher/core/Database")<Database, DatabaseLocation>() {}

const migrations = Migrator.make({})({
  loader: Migrator.fromRecord({ "0001_directory": migration0001, "0002_access": migration0002, "0003_slack": migration0003, "0004_views": migration0004, "0005_audit": migration0005, "0006_four_eyes": migration0006, "0007_sign_in_locks": migration0007, "0008_outbox_links": migration0008, "0010_ssh_keys": migration0010 })
})

/** Whoever can read the directory's file reads every account: the file and its WAL are the owner's alone (0600). */
const restrictFiles = (path: string) => {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600)
  }
}

/**
 * The SQLite engine: WAL, `synchronous=FULL`, foreign keys, a busy timeout, and every
 * transaction `BEGIN IMMEDIATE` so a read-then-write never fails with SQLITE_BUSY under another
 * process's write. Migrations run before the layer is ready.
 */
export const layerSqlite = (location: DatabaseLocation): Layer.Layer<SqlClient.SqlClient | Database, DatabaseUnavailable> =>
  Layer.scopedContext(Effect.gen(function*() {
    // a data directory usher makes is the owner's alone; an existing folder is left as it is
    if (location.path !== ":memory:") mkdirSync(dirname(location.path), { recursive: true, mode: 0o700 })
    const base = yield* SqliteClient.make({ filename: location.path })
    yield* base.unsafe("PRAGMA busy_timeout = 5000")
    yield* base.unsafe("PRAGMA synchronous = FULL")
    yield* base.unsafe("PRAGMA foreign_keys = ON")
    const sql = yield* SqlClient.make({
      acquirer: base.reserve,
      transactionAcquirer: base.reserve,
      compiler: Statement.makeCompilerSqlite(String.camelToSnake),
      transformRows: Statement.defaultTransforms(String.snakeToCamel).array,
      beginTransaction: "BEGIN IMMEDIATE",
      spanAttributes: [["db.system.name", "sqlite"]]
    })
    yield* migrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))
    if (location.path !== ":memory:") restrictFiles(location.path)
    return Context.make(SqlClient.SqlClient, sql).pipe(Context.add(Database, location))
  }).pipe(
    Effect.catchAllCause((cause) => {
      const error = Cause.squash(cause) as { message?: unknown; cause?: { message?: unknown } }
      const reason = error.cause?.message ?? error.message ?? "unknown error"
      return Effect.fail(new DatabaseUnavailable({ path: location.path, reason: `${reason}` }))
    })
  )).pipe(Layer.provide(Reactivity.layer))
