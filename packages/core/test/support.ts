import { SqlClient } from "@effect/sql"
import { assert } from "@effect/vitest"
import { Cause, Clock, Effect, Either, Exit, Layer, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Pg from "pg"
import { record } from "../src/Audit.js"
import * as Core from "../src/index.js"
import { findUser } from "../src/internal/lookup.js"
import { transaction } from "../src/internal/tx.js"
import { changeStatus } from "../src/Users/Lifecycle.js"
import { searchText } from "../src/Users/UsersRepo.js"

/** The e-mail of the provider admin that `initialized` creates. */
export const ADMIN = "admin@acme.test"

/** A temp folder holding one SQLite file; `cleanup` removes it. */
export const makeTempDirectory = () => {
  const dir = mkdtempSync(join(tmpdir(), "usher-core-test-"))
  const path = join(dir, "usher.db")
  return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The engine the tests run on: `USHER_TEST_ENGINE=pg` for PostgreSQL, else SQLite. */
export const ENGINE: "sqlite" | "pg" = process.env["USHER_TEST_ENGINE"] === "pg" ? "pg" : "sqlite"
/** A PostgreSQL server the tests may create databases on (trust authentication on loopback here). */
const PG_SERVER = process.env["USHER_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

const adminQuery = (text: string) =>
  Effect.promise(async () => {
    const client = new Pg.Client({ connectionString: PG_SERVER })
    await client.connect()
    try {
      await client.query(text)
    } finally {
      await client.end()
    }
  })

/**
 * A fresh, empty PostgreSQL schema of its own (and a temp folder for its mail and keys), dropped
 * when the scope closes. A schema per test, not a database: creating and dropping databases costs
 * the server a checkpoint each. Commits are not waited for on disk (a test server's setting).
 */
export const tempPgDatabase = Effect.acquireRelease(
  Effect.gen(function*() {
    const temp = makeTempDirectory()
    const name = `usher_test_${Core.newId().replace(/-/g, "").slice(-20)}`
    yield* adminQuery(`CREATE SCHEMA ${name}`)
    const url = new URL(PG_SERVER)
    url.searchParams.set("options", `-c search_path=${name} -c synchronous_commit=off`)
    return { ...temp, name, location: { engine: "pg", url: url.toString() } as Core.DatabaseLocation }
  }),
  (db) => Effect.andThen(adminQuery(`DROP SCHEMA IF EXISTS ${db.name} CASCADE`), Effect.sync(db.cleanup))
)

/**
 * A fresh, migrated-on-open directory on the engine the tests run on, for tests that open it from
 * several processes: its location (a SQLite file, or a PostgreSQL schema) and a temp folder.
 */
export const tempDirectoryOnEngine = (prefix: string) =>
  ENGINE === "pg"
    ? Effect.map(tempPgDatabase, (db) => ({ dir: db.dir, location: db.location }))
    : Effect.acquireRelease(
      Effect.sync(() => {
        const dir = mkdtempSync(join(tmpdir(), prefix))
        return { dir, location: { engine: "sqlite", path: join(dir, "usher.db") } as Core.DatabaseLocation }
      }),
      (d) => Effect.sync(() => rmSync(d.dir, { recursive: true, force: true }))
    )

/** The configuration of a temp directory: its mail, keys and checkpoints in the temp folder. */
export const tempConfig = (location: Core.DatabaseLocation, dir: string): Core.CoreConfigShape => ({
  ...Core.defaultConfig(location),
  dataDir: dir,
  auditKeyFile: join(dir, "audit-signing.key"),
  auditCheckpoints: join(dir, "audit-checkpoints.jsonl")
})

/** A fresh, migrated database per build of the layer (a SQLite file, or a PostgreSQL database), removed when its scope closes. */
export const TempDatabaseLive: Layer.Layer<Core.CoreServices> = Layer.unwrapScoped(
  ENGINE === "pg"
    ? Effect.map(tempPgDatabase, (db) => Layer.orDie(Core.CoreLive(db.location, tempConfig(db.location, db.dir))))
    : Effect.acquireRelease(Effect.sync(makeTempDirectory), (temp) => Effect.sync(temp.cleanup)).pipe(
      Effect.map((temp) => Layer.orDie(Core.CoreLive({ engine: "sqlite", path: temp.path })))
    )
)

/** Runs an effect against its own fresh temp database. */
export const withDatabase = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, TempDatabaseLive)

/** Acts as the `system` actor (holds every catalog permission). */
export const system = Core.as("system", "cli")

/** Acts as the user with that e-mail. */
export const asUser = (email: string) => Core.asUser(email, "cli")

/** `init` of an empty directory as `system`: organization `acme`, active provider admin `admin@acme.test`. */
export const initialized = Core.init({ adminEmail: ADMIN, firstName: "Ada", lastName: "Admin", org: "acme", orgName: "Acme" }).pipe(
  system,
  Effect.orDie
)

/** What `activeUser` needs: who, where, and the access to grant through the use cases. */
export interface FixtureUser {
  readonly email: string
  readonly firstName?: string
  readonly lastName?: string
  readonly phone?: string
  /** organization to join (default acme) */
  readonly org?: string
  /** roles granted (through `grantRole`, as system) at `scope`, default the organization */
  readonly roles?: ReadonlyArray<string>
  readonly scope?: string
  /** groups of `org` joined through `addGroupMembers`, as system */
  readonly groups?: ReadonlyArray<string>
}

/**
 * An active user who signed in already, for tests that need actors and bystanders. The account
 * row and membership are written directly (with a `user.create` audit event), only to skip
 * `createUser`'s scrypt hash (~0.3 s each); its roles and groups go through the use cases. Setup only: any failure is a defect.
 */
export const activeUser = (input: FixtureUser) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const orgSlug = input.org ?? "acme"
    const [org] = yield* sql<{ id: string }>`SELECT id FROM organizations WHERE slug = ${orgSlug}`
    if (org === undefined) return yield* Effect.dieMessage(`no organization ${orgSlug}`)
    const profile = {
      email: input.email,
      firstName: input.firstName ?? input.email.split("@")[0]!,
      lastName: input.lastName ?? "Tester",
      phone: input.phone === undefined ? null : Either.getOrThrow(Core.normalizePhone(input.phone))
    }
    const id = Core.newId<Core.UserId>()
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    yield* sql`INSERT INTO users ${
      sql.insert({
        id, ...profile, kind: "member", status: "active", createdAt: at, registeredAt: at, mustChangePassword: 0, search: searchText(profile)
      })
    }`
    yield* sql`INSERT INTO memberships (user_id, org_id, joined_at) VALUES (${id}, ${org.id}, ${at})`
    // the account's event, as `createUser` writes it, so the log explains the rows (`audit verify`)
    yield* record({ action: "user.create", target: id, details: { email: profile.email, org: orgSlug, status: "active" } }).pipe(system)
    for (const role of input.roles ?? []) {
      yield* Core.grantRole({ role, to: { user: input.email }, scope: input.scope ?? `org:${orgSlug}` }).pipe(system)
    }
    for (const group of input.groups ?? []) yield* Core.addGroupMembers(group, [input.email], orgSlug).pipe(system)
    const detail = yield* Core.showUser(id).pipe(system)
    return detail.user
  }).pipe(Effect.orDie)

/** Signs a provisioned user in for the first time (the lifecycle's `firstPasswordChange`), as system. */
export const activate = (ref: string) =>
  transaction(Effect.flatMap(findUser(ref), (user) => changeStatus(user, "firstPasswordChange"))).pipe(system, Effect.orDie)

/** Every row of every table, to show that a failed use case wrote nothing. */
export const snapshot = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tables = yield* sql.onDialectOrElse({
    pg: () => sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    orElse: () => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
  })
  const out: Record<string, ReadonlyArray<unknown>> = {}
  for (const { name } of tables) {
    const rows = yield* sql.unsafe<Record<string, unknown>>(`SELECT * FROM "${name}"`)
    // in a stable order on both engines: by every column's text
    out[name] = [...rows].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0)
  }
  return out
}).pipe(Effect.orDie)

/** The actions of the audit events after `afterSeq`, oldest first. */
export const auditActions = (afterSeq = 0) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ action: string }>`SELECT action FROM audit_events WHERE seq > ${afterSeq} ORDER BY seq`
    return rows.map((r) => r.action)
  }).pipe(Effect.orDie)

/** The sequence number of the newest audit event (0 when none). */
export const auditHead = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ seq: number | null }>`SELECT MAX(seq) AS seq FROM audit_events`
  return Number(row?.seq ?? 0)
}).pipe(Effect.orDie)

/**
 * Runs an effect that must fail with the typed error `tag`, and returns that error.
 * A success, another error or a defect fails the test with what happened instead.
 */
export const failsWith = <A, E extends { readonly _tag: string }, R, const T extends E["_tag"]>(
  effect: Effect.Effect<A, E, R>,
  tag: T
): Effect.Effect<Extract<E, { readonly _tag: T }>, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.dieMessage(`expected ${tag}, but it succeeded with ${JSON.stringify(exit.value)}`)
    const error = Cause.failureOption(exit.cause)
    if (Option.isSome(error) && error.value._tag === tag) return Effect.succeed(error.value as Extract<E, { readonly _tag: T }>)
    // a database failure says what the engine said
    const engine = Cause.squash(exit.cause) as { cause?: { message?: unknown } }
    return Effect.dieMessage(`expected ${tag}, got ${Cause.pretty(exit.cause)}${engine?.cause?.message === undefined ? "" : ` (${String(engine.cause.message)})`}`)
  })

/** Like `failsWith`, and asserts that the database is unchanged afterwards. */
export const failsWithNothingWritten = <A, E extends { readonly _tag: string }, R, const T extends E["_tag"]>(
  effect: Effect.Effect<A, E, R>,
  tag: T
) =>
  Effect.gen(function*() {
    const before = yield* snapshot
    const error = yield* failsWith(effect, tag)
    assert.deepStrictEqual(yield* snapshot, before, `${tag} must leave the database unchanged`)
    return error
  })

/** The grant of a `grantRole` that was carried out at once (a test that expects no approval gate). */
export const granted = <A extends { readonly _tag: string }>(result: A) =>
  result._tag === "ApprovalRequested" ? Effect.dieMessage(`expected a grant, got an approval request`) : Effect.succeed(result as Exclude<A, Core.ApprovalRequested>)

/** What a test compares of `verifyAudit`'s answer: ok, how many events, the problems. */
export const verdict = (v: Core.AuditVerification) => ({ ok: v.ok, events: v.events, problems: v.problems })

/** The messages of `verifyAudit`'s problems, one line. */
export const messages = (v: Core.AuditVerification) => v.problems.map((p) => p.message).join("; ")

/**
 * Steps the audit log's append-only guard aside, as someone with the database file (or the
 * database's owner role) could: the forger the verify tests play.
 */
export const dropAuditGuards = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    pg: () => sql`DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events`,
    orElse: () => Effect.andThen(sql`DROP TRIGGER IF EXISTS audit_events_no_update`, sql`DROP TRIGGER IF EXISTS audit_events_no_delete`)
  })).pipe(Effect.asVoid, Effect.orDie)

/** Makes the database refuse inserts into `table` where `condition` (on `NEW`) holds: a failing disk, for a test. */
export const refuseInserts = (name: string, table: string, condition: string, message: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.onDialectOrElse({
      pg: () =>
        Effect.andThen(
          sql.unsafe(`CREATE FUNCTION ${name}_fn() RETURNS trigger AS $$ BEGIN IF ${condition} THEN RAISE EXCEPTION '${message}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`),
          sql.unsafe(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}_fn()`)
        ),
      orElse: () => sql.unsafe(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} WHEN ${condition} BEGIN SELECT RAISE(ABORT, '${message}'); END`)
    })).pipe(Effect.asVoid, Effect.orDie)

/** Removes what `refuseInserts` made. */
export const allowInserts = (name: string, table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.onDialectOrElse({
      pg: () => sql.unsafe(`DROP TRIGGER ${name} ON ${table}`),
      orElse: () => sql.unsafe(`DROP TRIGGER ${name}`)
    })).pipe(Effect.asVoid, Effect.orDie)

/** acme with an org admin (olga) and an auditor (bob); `other`, a second organization, with its own member (una). */
export const twoOrganizations = Effect.gen(function*() {
  yield* initialized
  yield* Core.createOrg({ slug: "other", name: "Other" }).pipe(system)
  yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
  yield* activeUser({ email: "bob@acme.test", roles: ["auditor"] })
  yield* activeUser({ email: "una@other.test", org: "other" })
})
