import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Data, Effect, Exit } from "effect"
import fc from "fast-check"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, initialized, makeTempDirectory, system } from "./support.js"

/**
 * Reach and delegation as one invariant (issue part A): an attacker — any account of a random
 * directory — runs random sequences of the mutating use cases, as themselves and as every account
 * they come to control: one whose e-mail they set (its reset link then reaches them), one whose
 * invitation or reset link they were handed. After every step, what all those accounts hold
 * together (invitations counted as accepted) is within what the attacker held at the start.
 *
 * Each sequence runs inside one transaction that is rolled back afterwards, over one migrated
 * directory, so that ten thousand of them fit in the test run.
 */

const SCOPES = ["provider", "org:acme", "org:beta", "app:acme/crm"] as const
const ROLES = ["org-admin", "user-manager", "auditor", "approver", "crm-user", "provider-admin"] as const
const USERS = ["u0@acme.test", "u1@acme.test", "u2@acme.test", "u3@acme.test", "u4@acme.test"] as const
/** u3 and u4 belong to beta as well */
const IN_BETA = new Set(["u3@acme.test", "u4@acme.test"])
const GROUPS = ["acme/g0", "acme/g1", "beta/g2"] as const
const SEQUENCES = 10_000

class Rollback extends Data.TaggedError("Rollback")<{ readonly steps: number }> {}

const grantSpec = fc.record({
  role: fc.constantFrom(...ROLES),
  scope: fc.constantFrom(...SCOPES)
}).filter((g) => g.role !== "provider-admin" || g.scope === "provider")
const directory = fc.record({
  users: fc.tuple(...USERS.map(() => fc.array(grantSpec, { maxLength: 2 }))),
  groups: fc.tuple(...GROUPS.map(() => fc.array(grantSpec, { maxLength: 1 }))),
  members: fc.tuple(...GROUPS.map(() => fc.subarray([...USERS], { maxLength: 2 }))),
  /** a pending invitation of someone else, carrying a strong role */
  invited: fc.option(grantSpec, { nil: undefined }),
  attacker: fc.nat({ max: USERS.length - 1 })
})

/** Someone in the directory, as an operation names them. */
const target = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<string>(...USERS, ADMIN) },
  { weight: 1, arbitrary: fc.constant("pending@acme.test") },
  { weight: 1, arbitrary: fc.nat({ max: 2 }).map((n) => `new${n}@acme.test`) }
)
const principal = fc.oneof(target.map((user) => ({ user })), fc.constantFrom(...GROUPS).map((group) => ({ group })))

type Op =
  | { readonly kind: "grant" | "revoke"; readonly role: string; readonly scope: string; readonly to: { readonly user: string } | { readonly group: string } }
  | { readonly kind: "join" | "leave"; readonly group: string; readonly user: string }
  | { readonly kind: "email"; readonly user: string }
  | { readonly kind: "invite"; readonly n: number; readonly roles: ReadonlyArray<string>; readonly scope: string; readonly group: string | undefined }
  | { readonly kind: "resend" | "cancel" | "suspend" | "reactivate" | "unlock" | "reset" | "sessions" | "delete" | "orgAdd" | "orgRemove" | "accept"; readonly user: string }
  | { readonly kind: "decide"; readonly approve: boolean }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom("grant" as const, "revoke" as const), role: fc.constantFrom<string>(...ROLES), scope: fc.constantFrom<string>(...SCOPES), to: principal }),
  fc.record({ kind: fc.constantFrom("join" as const, "leave" as const), group: fc.constantFrom<string>(...GROUPS), user: target }),
  fc.record({ kind: fc.constant("email" as const), user: target }),
  fc.record({
    kind: fc.constant("invite" as const),
    n: fc.nat({ max: 2 }),
    roles: fc.subarray([...ROLES], { maxLength: 2 }),
    scope: fc.constantFrom<string>(...SCOPES),
    group: fc.option(fc.constantFrom<string>(...GROUPS), { nil: undefined })
  }),
  fc.record({
    kind: fc.constantFrom(
      "resend" as const, "cancel" as const, "suspend" as const, "reactivate" as const, "unlock" as const, "reset" as const,
      "sessions" as const, "delete" as const, "orgAdd" as const, "orgRemove" as const, "accept" as const
    ),
    user: target
  }),
  fc.record({ kind: fc.constant("decide" as const), approve: fc.boolean() })
)

/** Runs an effect inside a transaction that is always rolled back. */
const rolledBack = <E, R>(effect: Effect.Effect<number, E, R>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(Effect.flatMap(effect, (steps) => Effect.fail(new Rollback({ steps }))))).pipe(
      Effect.catchIf((e): e is Rollback => e instanceof Rollback, (r) => Effect.succeed(r.steps))
    )

const tally = { steps: 0, applied: 0, controlled: 0 }

describe("Reach: the property (issue part A)", () => {
  it("no sequence of use cases lets an actor obtain, as themselves or through accounts they come to control, a permission they did not hold", async () => {
    const temp = makeTempDirectory()
    const runtime = Core.makeCoreRuntime({ engine: "sqlite", path: temp.path })
    try {
      const ids = await runtime.runPromise(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* Core.createApp("acme/crm").pipe(system)
        yield* Core.createRole({ name: "crm-user", permissions: ["crm.use"] }).pipe(system)
        for (const group of GROUPS) {
          const [org, name] = group.split("/") as [string, string]
          yield* Core.createGroup({ name, org }).pipe(system)
        }
        const users = new Map<string, string>()
        for (const email of USERS) {
          users.set(email, (yield* activeUser({ email })).id)
          if (IN_BETA.has(email)) yield* Core.addOrgMembers("beta", [email]).pipe(system)
        }
        const sql = yield* SqlClient.SqlClient
        const roles = new Map((yield* sql<{ id: string; name: string }>`SELECT id, name FROM roles`).map((r) => [r.name, r.id]))
        const groups = new Map((yield* sql<{ id: string; name: string; slug: string }>`
          SELECT ug.id, ug.name, o.slug FROM user_groups ug JOIN organizations o ON o.id = ug.org_id`).map((g) => [`${g.slug}/${g.name}`, g.id]))
        return { users, roles, groups }
      }).pipe(Effect.orDie))

      await fc.assert(fc.asyncProperty(directory, fc.array(op, { minLength: 1, maxLength: 6 }), (dir, ops) =>
        runtime.runPromise(rolledBack(Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const at = new Date().toISOString()
          const fits = (email: string, scope: string) => scope === "provider" || scope.includes("acme") || IN_BETA.has(email)
          const grant = (type: "user" | "group", id: string, role: string, scope: string) =>
            sql`INSERT INTO grants (id, principal_type, principal_id, role_id, scope, granted_by, granted_at)
                VALUES (${Core.newId()}, ${type}, ${id}, ${ids.roles.get(role)!}, ${scope}, 'system', ${at}) ON CONFLICT DO NOTHING`
          for (const [i, email] of USERS.entries()) {
            for (const g of dir.users[i]!) if (fits(email, g.scope)) yield* grant("user", ids.users.get(email)!, g.role, g.scope)
          }
          for (const [i, group] of GROUPS.entries()) {
            const org = group.split("/")[0]!
            for (const g of dir.groups[i]!) if (g.scope === "provider" || g.scope.includes(org)) yield* grant("group", ids.groups.get(group)!, g.role, g.scope)
            for (const email of dir.members[i]!) {
              if (org === "beta" && !IN_BETA.has(email)) continue
              yield* sql`INSERT INTO group_members (group_id, user_id, added_at, added_by) VALUES (${ids.groups.get(group)!}, ${ids.users.get(email)!}, ${at}, 'system')`
            }
          }
          if (dir.invited !== undefined) {
            yield* Core.inviteUser({ email: "pending@acme.test", roles: [dir.invited.role], scope: dir.invited.scope, link: true }).pipe(system, Effect.ignore)
          }

          const attacker = ids.users.get(USERS[dir.attacker]!)!
          const subjectOf = (id: string) => Effect.map(Core.Jobs.loadSubject(id).pipe(Core.Jobs.asSystem("cli")), (s) => ({ ...s, active: true }))
          const now = new Date()
          const start = yield* subjectOf(attacker)
          const held = new Map(SCOPES.map((s) => [s, Core.Permissions.effective(start, s as Core.Scope.Scope, now)]))
          /** the accounts the attacker acts through: their own, and those they came to control */
          const controlled = new Set<string>([attacker])
          const idOf = (email: string) =>
            Effect.map(sql<{ id: string }>`SELECT id FROM users WHERE email = ${email} AND status <> 'deleted'`, (rows) => rows[0]?.id)
          let evil = 0
          let steps = 0

          for (const o of ops) {
            steps++
            tally.steps++
            // each step is taken by one of the accounts the attacker controls (an active one)
            const actors = [...controlled]
            const actor = actors[steps % actors.length]!
            const as = Core.as(actor as Core.UserId, "cli")
            const run = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.exit(effect.pipe(as))
            let exit: Exit.Exit<unknown, unknown>
            switch (o.kind) {
              case "grant":
                exit = yield* run(Core.grantRole({ role: o.role, to: o.to, scope: o.scope }))
                break
              case "revoke":
                exit = yield* run(Core.revokeRole({ role: o.role, from: o.to, scope: o.scope }))
                break
              case "join":
                exit = yield* run(Core.addGroupMembers(o.group, [o.user]))
                break
              case "leave":
                exit = yield* run(Core.removeGroupMembers(o.group, [o.user]))
                break
              case "email": {
                const id = yield* idOf(o.user)
                const mine = `x${evil++}@evil.test`
                exit = yield* run(Core.updateUser(o.user, { email: mine }))
                // the attacker reads mail at that address: a reset link for it reaches them
                if (Exit.isSuccess(exit) && id !== undefined) controlled.add(id)
                break
              }
              case "invite": {
                const email = `new${o.n}@acme.test`
                exit = yield* run(Core.inviteUser({ email, roles: o.roles, scope: o.scope, ...(o.group === undefined ? {} : { groups: [o.group] }), link: true }))
                if (Exit.isSuccess(exit)) controlled.add((yield* idOf(email))!)
                break
              }
              case "resend": {
                const id = yield* idOf(o.user)
                exit = yield* run(Core.resendInvitation(o.user, { link: true }))
                if (Exit.isSuccess(exit) && id !== undefined) controlled.add(id)
                break
              }
              case "cancel":
                exit = yield* run(Core.cancelInvitation(o.user))
                break
              case "suspend":
                exit = yield* run(Core.suspendUser(o.user))
                break
              case "reactivate":
                exit = yield* run(Core.reactivateUser(o.user))
                break
              case "unlock":
                exit = yield* run(Core.unlockUser(o.user))
                break
              case "reset":
                // the link goes to the account's address: the attacker's only for accounts they control already
                exit = yield* run(Core.requestPasswordReset(o.user))
                break
              case "sessions":
                exit = yield* run(Core.revokeSessions(o.user))
                break
              case "delete":
                exit = yield* run(Core.deleteUser(o.user, { reason: "property" }))
                break
              case "orgAdd":
                exit = yield* run(Core.addOrgMembers("beta", [o.user]))
                break
              case "orgRemove":
                exit = yield* run(Core.removeOrgMembers("acme", [o.user], { reason: "property" }))
                break
              case "accept": {
                // an account the attacker controls signs up (as accepting its link would: it becomes active)
                const id = yield* idOf(o.user)
                exit = Exit.void
                if (id !== undefined && controlled.has(id)) yield* sql`UPDATE users SET status = 'active', registered_at = ${at} WHERE id = ${id} AND status = 'invited'`
                break
              }
              case "decide": {
                const [pending] = yield* Core.listApprovals({ status: "pending" }).pipe(as, Effect.orDie)
                exit = pending === undefined
                  ? Exit.void
                  : o.approve ? yield* run(Core.approveRequest(pending.id)) : yield* run(Core.denyRequest(pending.id, { reason: "property" }))
                break
              }
            }
            if (Exit.isSuccess(exit)) tally.applied++
            else {
              // a refusal is a typed error, never a defect
              assert.isTrue(exit._tag === "Failure" && exit.cause._tag === "Fail", `${JSON.stringify(o)} died: ${String(exit.cause)}`)
            }

            // the invariant, after every step
            for (const id of controlled) {
              const exists = yield* sql<{ status: string }>`SELECT status FROM users WHERE id = ${id}`
              if (exists[0] === undefined || exists[0].status === "deleted") continue
              const subject = yield* subjectOf(id)
              for (const scope of SCOPES) {
                const had = held.get(scope)!
                const mayDefine = had.has("roles.manage")
                for (const p of Core.Permissions.effective(subject, scope as Core.Scope.Scope, now).keys()) {
                  assert.isTrue(
                    had.has(p) || (mayDefine && !Core.Permissions.isCatalog(p)),
                    `after ${JSON.stringify(ops.slice(0, steps))}: the attacker ${USERS[dir.attacker]} reaches ${p} at ${scope} through ${id}`
                  )
                }
              }
            }
          }
          tally.controlled += controlled.size - 1
          return steps
        })).pipe(Effect.orDie)).then(() => undefined)), { numRuns: SEQUENCES, endOnFailure: true })
    } finally {
      await runtime.dispose()
      temp.cleanup()
    }
    assert.isAbove(tally.applied, SEQUENCES / 10, "many steps went through")
    assert.isAbove(tally.controlled, SEQUENCES / 100, "attackers came to control other accounts")
  }, 600_000)
})
