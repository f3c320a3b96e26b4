import { Reactivity } from "@effect/experimental"
import { Migrator, SqlClient, Statement } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqliteClient } from "@effect/sql-sqlite-node"
import Pg from "pg"
import { Cause, Config, Context, Data, Effect, Layer, Option, Redacted, Schedule, String } from "effect"
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
import migration0009 from "./migrations/0009_engine_rowid.js"
import migration0010 from "./migrations/0010_ssh_keys.js"
import migration0011 from "./migrations/0011_web.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"
import migration0012 from "./migrations/0012_identity_links.js"
import migration0013 from "./migrations/0013_api_tokens.js"
import migration0014 from "./migrations/0014_scim.js"
import migration0015 from "./migrations/0015_policies.js"
import migration0016 from "./migrations/0016_modified.js"
import migration0017 from "./migrations/0017_slack_notices.js"
import migration0018 from "./migrations/0018_search.js"

/**
 * Where the directory lives, resolved from `--db`, `USHER_DATABASE_URL` or `USHER_DATA_DIR`: an
 * embedded SQLite file, or a PostgreSQL database shared by several processes.
 */
export type DatabaseLocation =
  | { readonly engine: "sqlite"; readonly path: string }
  | {
    readonly engine: "pg"
    /** the connection URL, password included: never shown (see `describeLocation`) */
    readonly url: string
    /** connections in the pool (`USHER_PG_POOL`, default 10) */
    readonly pool?: number
  }

/** A location as people may see it: the file's path, or the URL without its password. */
export const describeLocation = (location: DatabaseLocation): string => {
  if (location.engine === "sqlite") return location.path
  try {
    const url = new URL(location.url)
    if (url.password !== "") url.password = "***"
    return url.toString()
  } catch {
    return "postgres://(unparsable URL)"
  }
}

/** The name a location gives its files beside the data directory (the SQLite file's, or the PostgreSQL database's and schema's). */
export const locationName = (location: DatabaseLocation): string => {
  if (location.engine === "sqlite") return location.path
  try {
    const url = new URL(location.url)
    // directories in several schemas of one database (`options=-c search_path=…`) keep files of their own
    const schema = /search_path=([A-Za-z0-9_]+)/.exec(url.searchParams.get("options") ?? "")?.[1]
    return `${url.pathname.replace(/^\//, "") || "usher"}${schema === undefined ? "" : `.${schema}`}.pg`
  } catch {
    return "usher.pg"
  }
}

/** A database URL that usher cannot open. */
export class DatabaseUrlInvalid extends Data.TaggedError("DatabaseUrlInvalid")<{ readonly url: string; readonly reason: string }> {
  static readonly httpStatus = 503 satisfies HttpStatus
  override get message() {
    return `Cannot use database ${this.url}: ${this.reason}`
  }
}

/** The database file could not be opened or migrated (missing folder rights, not a database, …). */
export class DatabaseUnavailable extends Data.TaggedError("DatabaseUnavailable")<{ readonly path: string; readonly reason: string }> {
  static readonly httpStatus = 503 satisfies HttpStatus
  override get message() {
    return `Cannot open the directory's database ${this.path}: ${this.reason}`
  }
}

/** Parses `postgres://user[:pass]@host:port/db[?sslmode=…]`, `sqlite:PATH` or a bare path. */
export const parseUrl = (url: string): Effect.Effect<DatabaseLocation, DatabaseUrlInvalid> => {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const safe = describeLocation({ engine: "pg", url })
    try {
      const parsed = new URL(url)
      if (parsed.hostname === "" && !parsed.searchParams.has("host")) return Effect.fail(new DatabaseUrlInvalid({ url: safe, reason: "no host given" }))
      if (parsed.pathname.replace(/^\//, "") === "") return Effect.fail(new DatabaseUrlInvalid({ url: safe, reason: "no database name given (postgres://host/DATABASE)" }))
    } catch {
      return Effect.fail(new DatabaseUrlInvalid({ url: safe, reason: "not a URL" }))
    }
    return Effect.succeed({ engine: "pg", url })
  }
  const path = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url
  return path.length === 0
    ? Effect.fail(new DatabaseUrlInvalid({ url, reason: "no file path given" }))
    : Effect.succeed({ engine: "sqlite", path: path === ":memory:" ? path : resolve(path) })
}

/** The default location: `$USHER_DATABASE_URL`, else `usher.db` under `$USHER_DATA_DIR` (default `~/.local/share/usher`). */
export const locationFromEnv = Effect.gen(function*() {
  const url = yield* Config.option(Config.string("USHER_DATABASE_URL"))
  if (Option.isSome(url) && url.value.length > 0) {
    const location = yield* parseUrl(url.value)
    if (location.engine !== "pg") return location
    const pool = yield* Config.option(Config.integer("USHER_PG_POOL"))
    return Option.isSome(pool) && pool.value > 0 ? { ...location, pool: pool.value } : location
  }
  const dataDir = yield* Config.string("USHER_DATA_DIR").pipe(
    Config.withDefault(join(homedir(), ".local", "share", "usher"))
  )
  return { engine: "sqlite", path: join(resolve(dataDir), "usher.db") } satisfies DatabaseLocation
})

/** The opened database's location, for front-ends that show it. */
export class Database extends Context.Tag("@usher/core/Database")<Database, DatabaseLocation>() {}

const migrations = Migrator.make({})({
  loader: Migrator.fromRecord({ "0001_directory": migration0001, "0002_access": migration0002, "0003_slack": migration0003, "0004_views": migration0004, "0005_audit": migration0005, "0006_four_eyes": migration0006, "0007_sign_in_locks": migration0007, "0008_outbox_links": migration0008, "0009_engine_rowid": migration0009, "0010_ssh_keys": migration0010, "0011_web": migration0011, "0012_identity_links": migration0012, "0013_api_tokens": migration0013, "0014_scim": migration0014, "0015_policies": migration0015, "0016_modified": migration0016, "0017_slack_notices": migration0017, "0018_search": migration0018 })
})

/** Whoever can read the directory's file reads every account: the file and its WAL are the owner's alone (0600). */
const restrictFiles = (path: string) => {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600)
  }
}

/** What a failure says when the write lock was held past the busy timeout while opening (the transaction never began). */
const BUSY_AT_OPEN = /SQLITE_BUSY|database is locked|no transaction is active/

/**
 * The SQLite engine: WAL, `synchronous=FULL`, foreign keys, a busy timeout, and every
 * transaction `BEGIN IMMEDIATE` so a read-then-write never fails with SQLITE_BUSY under another
 * process's write. Migrations run before the layer is ready.
 */
export const layerSqlite = (location: Extract<DatabaseLocation, { readonly engine: "sqlite" }>): Layer.Layer<SqlClient.SqlClient | Database, DatabaseUnavailable> =>
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
    // another connection may hold the write lock past the busy timeout while this one opens (in
    // one process, the busy wait even keeps the holder from finishing): the migrator's transaction
    // then never began, and is tried again after a pause, a few times
    yield* migrations.pipe(
      Effect.provideService(SqlClient.SqlClient, sql),
      Effect.sandbox,
      Effect.retry({ while: (cause) => BUSY_AT_OPEN.test(Cause.pretty(cause)), schedule: Schedule.exponential("50 millis").pipe(Schedule.intersect(Schedule.recurs(5))) }),
      Effect.unsandbox
    )
    if (location.path !== ":memory:") restrictFiles(location.path)
    return Context.make(SqlClient.SqlClient, sql).pipe(Context.add(Database, location))
  }).pipe(
    Effect.catchAllCause((cause) => {
      const error = Cause.squash(cause) as { message?: unknown; cause?: { message?: unknown } }
      const reason = error.cause?.message ?? error.message ?? "unknown error"
      return Effect.fail(new DatabaseUnavailable({ path: location.path, reason: `${reason}` }))
    })
  )).pipe(Layer.provide(Reactivity.layer))

/** Where the data directory defaults to when the database is not a file: `~/.local/share/usher`. */
export const DEFAULT_DATA_DIR = join(homedir(), ".local", "share", "usher")

/**
 * The PostgreSQL engine (`@effect/sql-pg`): a pool of `pool` connections (default 10), bigint and
 * numeric results as numbers (counts), the same name transforms as SQLite, and the same
 * migrations, which the migrator runs once under a table lock however many processes start at
 * once. No session state is kept across statements, so PgBouncer in transaction mode works.
 * Write transactions are serialized by `internal/tx.ts` (an advisory transaction lock).
 */
export const layerPg = (location: Extract<DatabaseLocation, { readonly engine: "pg" }>): Layer.Layer<SqlClient.SqlClient | Database, DatabaseUnavailable> =>
  Layer.scopedContext(Effect.gen(function*() {
    const sql = yield* PgClient.make({
      url: Redacted.make(location.url),
      maxConnections: location.pool ?? 10,
      transformQueryNames: String.camelToSnake,
      transformResultNames: String.snakeToCamel,
      types: {
        getTypeParser: (oid: number, format?: "text" | "binary") =>
          oid === 20 || oid === 1700 ? (value: string) => Number(value) : Pg.types.getTypeParser(oid, format as "text")
      } as Pg.CustomTypesConfig
    })
    yield* migrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))
    return Context.make(SqlClient.SqlClient, sql as SqlClient.SqlClient).pipe(Context.add(Database, location), Context.add(PgClient.PgClient, sql))
  }).pipe(
    Effect.catchAllCause((cause) => {
      const error = Cause.squash(cause) as { message?: unknown; cause?: { message?: unknown } }
      const reason = error.cause?.message ?? error.message ?? "unknown error"
      return Effect.fail(new DatabaseUnavailable({ path: describeLocation(location), reason: `${reason}` }))
    })
  )).pipe(Layer.provide(Reactivity.layer))

/** The engine a location names. */
export const layerDatabase = (location: DatabaseLocation): Layer.Layer<SqlClient.SqlClient | Database, DatabaseUnavailable> =>
  location.engine === "pg" ? layerPg(location) : layerSqlite(location)
