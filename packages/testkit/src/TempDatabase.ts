import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import * as Core from "@usher/core"

/** The engine the tests run on: `USHER_TEST_ENGINE=pg` for PostgreSQL, else SQLite. */
export const TEST_ENGINE: "sqlite" | "pg" = process.env["USHER_TEST_ENGINE"] === "pg" ? "pg" : "sqlite"

/** The PostgreSQL server the tests may create schemas on (trust authentication on loopback here). */
export const TEST_PG_SERVER = process.env["USHER_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

/**
 * A fresh directory for one test, on the engine the tests run on: a real SQLite file (migrated on
 * first open) in its own temp folder, or a schema of its own on the PostgreSQL server with the
 * temp folder for its mail, keys and checkpoints.
 */
export interface TempDirectory {
  /** the temp folder: the SQLite file's, and the data directory (mail, keys) on both engines */
  readonly dir: string
  /** what `--db` takes: the SQLite file's path, or the PostgreSQL URL */
  readonly path: string
  readonly location: Core.DatabaseLocation
  /** the directory's configuration: its data directory is `dir` on both engines */
  readonly config: Core.CoreConfigShape
  readonly cleanup: () => void
}

/** Runs one statement on the test server (synchronously: temp directories are made in plain functions). */
const onPgServer = (statement: string) => {
  execFileSync("psql", [TEST_PG_SERVER, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement], { stdio: ["ignore", "ignore", "pipe"] })
}

/** The URL of a schema on the test server; commits are not waited for on disk (a test server's setting). */
export const pgSchemaUrl = (schema: string): string => {
  const url = new URL(TEST_PG_SERVER)
  url.searchParams.set("options", `-c search_path=${schema} -c synchronous_commit=off`)
  return url.toString()
}

/**
 * Makes a temp folder with a database inside (or beside it, on PostgreSQL) on the test engine, or
 * on the one given (a copy's SQLite source, say); call `cleanup` when done.
 */
export const makeTempDirectory = (engine: "sqlite" | "pg" = TEST_ENGINE): TempDirectory => {
  const dir = mkdtempSync(join(tmpdir(), "usher-test-"))
  // what a process given USHER_DATA_DIR=dir uses, so the tests' runtimes and spawned processes agree
  const config = (location: Core.DatabaseLocation): Core.CoreConfigShape => Core.configWithDataDir(location, dir)
  if (engine === "pg") {
    const schema = `usher_kit_${Core.newId().replace(/-/g, "").slice(-20)}`
    onPgServer(`CREATE SCHEMA ${schema}`)
    const url = pgSchemaUrl(schema)
    const location: Core.DatabaseLocation = { engine: "pg", url }
    return {
      dir,
      path: url,
      location,
      config: config(location),
      cleanup: () => {
        onPgServer(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
  const path = join(dir, "usher.db")
  const location: Core.DatabaseLocation = { engine: "sqlite", path }
  return { dir, path, location, config: config(location), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A scoped layer over a migrated temp directory on the test engine, removed when the scope closes. */
export const TempDatabaseLive: Layer.Layer<Core.CoreServices> = Layer.unwrapScoped(
  Effect.acquireRelease(Effect.sync(makeTempDirectory), (temp) => Effect.sync(temp.cleanup)).pipe(
    Effect.map((temp) => Layer.orDie(Core.CoreLive(temp.location, temp.config)))
  )
)

/** The e-mail of the provider admin that `initialized` creates. */
export const ADMIN = "admin@acme.test"

/** Runs `init` for an empty temp directory: organization `acme`, provider admin `admin@acme.test`. */
export const initialized = Core.init({ adminEmail: ADMIN, firstName: "Ada", lastName: "Admin", org: "acme", orgName: "Acme" }).pipe(
  Core.as("system", "cli")
)

/** What `USHER_DATABASE_URL` takes for a temp directory: `sqlite:PATH`, or the PostgreSQL URL. */
export const databaseUrl = (temp: TempDirectory): string => temp.location.engine === "pg" ? temp.path : `sqlite:${temp.path}`
