import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Core from "@usher/core"

/** What `activeUser` needs: who, where, and the access to grant through the use cases. */
export interface FixtureUser {
  readonly email: string
  readonly firstName?: string
  readonly lastName?: string
  /** organization to join (default acme) */
  readonly org?: string
  /** roles granted (through `grantRole`, as system) at `scope`, default the organization */
  readonly roles?: ReadonlyArray<string>
  readonly scope?: string
}

/**
 * An active user who signed in already, for tests that need actors and bystanders. The account
 * row and membership are written directly, only to skip `createUser`'s scrypt hash (~0.3 s each);
 * roles go through the use cases. Setup only: any failure is a defect. It writes no audit row
 * (a fixture, not a use case), but tells listening processes of the change as core does.
 */
export const activeUser = (input: FixtureUser) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const orgSlug = input.org ?? "acme"
    const [org] = yield* sql<{ id: string }>`SELECT id FROM organizations WHERE slug = ${orgSlug}`
    if (org === undefined) return yield* Effect.dieMessage(`no organization ${orgSlug}`)
    const firstName = input.firstName ?? input.email.split("@")[0]!
    const lastName = input.lastName ?? "Tester"
    const id = Core.newId<Core.UserId>()
    const at = new Date().toISOString()
    yield* sql.withTransaction(Effect.gen(function*() {
      // as core's write transactions do: other processes (a dashboard's live refresh) hear of it on PostgreSQL
      yield* sql.onDialectOrElse({ pg: () => Effect.asVoid(sql`SELECT pg_notify(${Core.CHANGES_CHANNEL}, current_schema())`), orElse: () => Effect.void })
      yield* sql`INSERT INTO users ${
        sql.insert({
          id, email: input.email, firstName, lastName, kind: "member", status: "active", createdAt: at, registeredAt: at, mustChangePassword: 0,
          search: [firstName, lastName, input.email].join(" ").toLowerCase()
        })
      }`
      yield* sql`INSERT INTO memberships (user_id, org_id, joined_at) VALUES (${id}, ${org.id}, ${at})`
    }))
    for (const role of input.roles ?? []) {
      yield* Core.grantRole({ role, to: { user: input.email }, scope: input.scope ?? `org:${orgSlug}` }).pipe(Core.as("system", "cli"))
    }
    return (yield* Core.showUser(id).pipe(Core.as("system", "cli"))).user
  }).pipe(Effect.orDie)
