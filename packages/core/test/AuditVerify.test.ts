import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Core from "../src/index.js"
import { backfillLegacyScopes } from "../src/migrations/0005_audit.js"
import { activeUser, ADMIN, asUser, dropAuditGuards, initialized, makeTempDirectory, system } from "./support.js"

/**
 * A directory on disk opened and closed once per phase, as separate CLI runs would: closing the
 * core layer signs the audit head, so each phase after the first sees the checkpoints of the
 * ones before it.
 */
const onDisk = Effect.acquireRelease(Effect.sync(makeTempDirectory), (temp) => Effect.sync(temp.cleanup)).pipe(
  Effect.map((temp) => {
    const location: Core.DatabaseLocation = { engine: "sqlite", path: temp.path }
    const run = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Effect.provide(effect, Layer.orDie(Core.CoreLive(location)))
    return { ...temp, run }
  })
)

const verify = Core.verifyAudit.pipe(system)

const kinds = (v: Core.AuditVerification) => v.problems.map((p) => p.kind)

/** A realistic history: organizations, groups, roles, people created, invited, imported, moved, granted, revoked, suspended, deleted. */
const history = (dir: string) =>
  Effect.gen(function*() {
    yield* initialized
    yield* Core.setSetting("audit.checkpoint-every", "5").pipe(system)
    yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(system)
    yield* Core.createApp("acme/expenses").pipe(asUser(ADMIN))
    yield* Core.createRole({ name: "payer", permissions: ["expenses.approve"] }).pipe(asUser(ADMIN))
    yield* Core.createGroup({ name: "finance" }).pipe(asUser(ADMIN))
    yield* Core.createGroup({ name: "ops", org: "beta" }).pipe(asUser(ADMIN))
    yield* Core.grantRole({ role: "payer", to: { group: "finance" }, scope: "app:acme/expenses" }).pipe(asUser(ADMIN))
    yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
    yield* Core.createUser({ email: "pat@acme.test", firstName: "Pat", lastName: "Doe", roles: ["auditor"], groups: ["finance"] }).pipe(asUser(ADMIN))
    yield* Core.createUser({ email: "carol@beta.test", firstName: "Carol", lastName: "Beta", org: "beta", groups: ["ops"] }).pipe(asUser(ADMIN))
    yield* Core.addOrgMembers("acme", ["carol@beta.test"]).pipe(asUser(ADMIN))
    yield* Core.addGroupMembers("finance", ["carol@beta.test"]).pipe(asUser(ADMIN))
    yield* Core.grantRole({ role: "user-manager", to: { user: "carol@beta.test" }, scope: "org:acme", expiresAt: "2999-01-01T00:00:00.000Z" }).pipe(asUser(ADMIN))
    yield* Core.updateUser("pat@acme.test", { email: "patricia@acme.test", position: "Lead" }).pipe(asUser(ADMIN))
    yield* Core.removeGroupMembers("finance", ["patricia@acme.test"]).pipe(asUser(ADMIN))
    yield* Core.revokeRole({ role: "auditor", from: { user: "patricia@acme.test" }, scope: "org:acme" }).pipe(asUser(ADMIN))
    yield* Core.removeOrgMembers("acme", ["carol@beta.test"]).pipe(asUser(ADMIN))
    yield* Core.suspendUser("patricia@acme.test", { reason: "on leave" }).pipe(asUser(ADMIN))
    yield* Core.reactivateUser("patricia@acme.test").pipe(asUser(ADMIN))
    const invited = yield* Core.inviteUser({ email: "ivy@acme.test", firstName: "Ivy", lastName: "New", roles: ["auditor"], link: true }).pipe(asUser(ADMIN))
    yield* Core.acceptInvitation({ token: invited.link!, password: "a long enough password" }).pipe(system)
    yield* Core.inviteUser({ email: "gone@acme.test", link: true }).pipe(asUser(ADMIN))
    yield* Core.cancelInvitation("gone@acme.test").pipe(asUser(ADMIN))
    const csv = join(dir, "people.csv")
    writeFileSync(csv, "email,firstName,lastName,roles,groups\nimp1@acme.test,Imp,One,auditor,finance\nimp2@acme.test,Imp,Two,,\n")
    assert.strictEqual((yield* Core.importUsers({ file: csv, mode: "create" }).pipe(asUser(ADMIN))).created, 2)
    assert.strictEqual((yield* Core.importUsers({ file: csv, mode: "create" }).pipe(asUser(ADMIN))).created, 0, "a second run changes nothing")
    yield* Core.seedUsers(30).pipe(asUser(ADMIN))
    const { approval } = yield* Core.deleteUser("imp2@acme.test", { reason: "left" }).pipe(asUser(ADMIN))
    assert.isTrue((yield* Core.approveRequest(approval.id).pipe(asUser("apo@acme.test"))).executed, "the deletion ran")
    yield* Core.deleteGroup("ops", "beta").pipe(asUser(ADMIN))
  })

describe("audit verify", () => {
  it.live("a directory after a realistic history verifies: chain, checkpoints and state agree (no false alarm)", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      yield* directory.run(history(directory.dir))
      const result = yield* directory.run(verify)
      assert.deepStrictEqual(result.problems, [])
      assert.isTrue(result.ok)
      assert.isTrue(result.checkpoints.count >= 10, `checkpoints every 5 events and at exit: ${result.checkpoints.count}`)
      assert.strictEqual(result.checkpoints.valid, result.checkpoints.count)
      assert.deepStrictEqual([result.checkpoints.latest?.seq, result.checkpoints.newerEvents], [result.events, 0], "the exit signed the head")
      // the key is the owner's alone, beside the database
      const key = join(directory.dir, "audit-signing.key")
      assert.strictEqual(statSync(key).mode & 0o777, 0o600)
      assert.isTrue(existsSync(join(directory.dir, "audit-checkpoints.jsonl")))
    })), 60_000)

  it.live("init creates the signing key, and a later run's events are counted as newer than the last checkpoint until it exits", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      yield* directory.run(Effect.gen(function*() {
        yield* initialized
        assert.isTrue(existsSync(join(directory.dir, "audit-signing.key")), "made by the first commit, init's")
      }))
      const checked = yield* directory.run(Effect.gen(function*() {
        yield* Core.createGroup({ name: "finance" }).pipe(asUser(ADMIN))
        return yield* verify
      }))
      assert.isTrue(checked.ok)
      assert.deepStrictEqual([checked.checkpoints.count, checked.checkpoints.latest?.seq, checked.checkpoints.newerEvents], [1, 1, 1])
      const after = yield* directory.run(verify)
      assert.deepStrictEqual([after.checkpoints.count, after.checkpoints.latest?.seq, after.checkpoints.newerEvents], [2, 2, 0])
    })))

  it.live("two databases in one folder keep their own checkpoint files (one key signs both)", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      const other: Core.DatabaseLocation = { engine: "sqlite", path: join(directory.dir, "other.db") }
      const inOther = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Effect.provide(effect, Layer.orDie(Core.CoreLive(other)))
      yield* directory.run(initialized)
      yield* inOther(initialized)
      yield* inOther(Core.createGroup({ name: "finance" }).pipe(asUser(ADMIN)))
      assert.isTrue(existsSync(join(directory.dir, "other.audit-checkpoints.jsonl")))
      const first = yield* directory.run(verify)
      const second = yield* inOther(verify)
      assert.deepStrictEqual([first.ok, first.checkpoints.count, second.ok, second.checkpoints.count], [true, 1, true, 2])
    })))

  it.live("an event edited, with the chain and head recomputed behind it, is caught by the checkpoint", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      yield* directory.run(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "pat@acme.test" })
        yield* Core.updateUser("pat@acme.test", { position: "Lead" }).pipe(asUser(ADMIN))
        yield* Core.createGroup({ name: "finance" }).pipe(asUser(ADMIN))
      }))
      const forged = yield* directory.run(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* dropAuditGuards
        const [edited] = yield* sql<{ seq: number }>`SELECT seq FROM audit_events WHERE action = 'user.update'`
        yield* sql`UPDATE audit_events SET details = ${Core.AuditLog.canonicalJson({ position: { from: null, to: "CEO" } })} WHERE seq = ${edited!.seq}`
        // rechain everything from the edited event on, and the head, as a forger with the file would
        const rows = yield* sql<Record<string, unknown>>`SELECT * FROM audit_events ORDER BY seq`
        let prev = Core.AuditLog.GENESIS
        for (const row of rows) {
          const event = {
            seq: Number(row["seq"]), at: row["at"] as string, actor: row["actor"] as string, via: row["via"] as Core.AuditLog.Via,
            action: row["action"] as string, target: row["target"] as string | null, details: JSON.parse(row["details"] as string),
            reason: row["reason"] as string | null, approvalId: row["approvalId"] as string | null,
            scopes: row["scopes"] === null ? undefined : JSON.parse(row["scopes"] as string) as Array<string>, prevHash: prev
          }
          prev = Core.AuditLog.hashEvent(event)
          yield* sql`UPDATE audit_events SET prev_hash = ${event.prevHash}, hash = ${prev} WHERE seq = ${event.seq}`
        }
        yield* sql`UPDATE audit_head SET hash = ${prev}`
        return (yield* sql<{ details: string }>`SELECT details FROM audit_events WHERE seq = ${edited!.seq}`)[0]!.details
      }))
      assert.include(forged, "CEO")
      const result = yield* directory.run(verify)
      assert.isFalse(result.ok)
      assert.notInclude(kinds(result), "chain", "the chain itself was made consistent")
      assert.include(kinds(result), "checkpoint")
      assert.include(result.problems.find((p) => p.kind === "checkpoint")!.message, "rewritten")
    })))

  it.live("the newest events dropped and the head moved back are caught by the checkpoint", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      yield* directory.run(Effect.gen(function*() {
        yield* initialized
        yield* Core.createGroup({ name: "finance" }).pipe(asUser(ADMIN))
        yield* Core.createGroup({ name: "ops" }).pipe(asUser(ADMIN))
        yield* Core.createGroup({ name: "sales" }).pipe(asUser(ADMIN))
      }))
      yield* directory.run(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* dropAuditGuards
        yield* sql`DELETE FROM audit_events WHERE seq > 2`
        const [last] = yield* sql<{ hash: string }>`SELECT hash FROM audit_events WHERE seq = 2`
        yield* sql`UPDATE audit_head SET seq = 2, hash = ${last!.hash}`
      }))
      const result = yield* directory.run(verify)
      assert.isFalse(result.ok)
      assert.deepStrictEqual(kinds(result), ["checkpoint"], "chain and head agree, groups are not state the log must explain")
      assert.include(result.problems[0]!.message, "the log ends at event 2")
    })))

  it.live("a provider-admin grant inserted straight into grants is reported by table and id; so are other rows the log does not explain", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      const result = yield* directory.run(Effect.gen(function*() {
        yield* initialized
        const mallory = yield* activeUser({ email: "mallory@acme.test" })
        const sql = yield* SqlClient.SqlClient
        const [role] = yield* sql<{ id: string }>`SELECT id FROM roles WHERE name = 'provider-admin'`
        yield* sql`INSERT INTO grants ${
          sql.insert({ id: "forged-grant", principalType: "user", principalId: mallory.id, roleId: role!.id, scope: "provider", grantedBy: "system", grantedAt: new Date().toISOString() })
        }`
        yield* sql`UPDATE users SET email = 'admin2@acme.test' WHERE id = ${mallory.id}`
        yield* sql`UPDATE roles SET permissions = '["users.read","orgs.manage"]' WHERE name = 'auditor'`
        return { verification: yield* verify, mallory }
      }))
      const v = result.verification
      assert.isFalse(v.ok)
      const state = v.problems.filter((p) => p.kind === "state").map((p) => [p.table, p.id])
      assert.deepStrictEqual(state.slice(0, 2), [["users", result.mallory.id], ["grants", "forged-grant"]])
      assert.strictEqual(state[2]![0], "roles")
      assert.include(v.problems.find((p) => p.id === "forged-grant")!.message, "provider-admin@provider")
    })))

  it.live("a checkpoint with a bad signature, or a forged line, is reported", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      yield* directory.run(initialized)
      const file = join(directory.dir, "audit-checkpoints.jsonl")
      const [line] = readFileSync(file, "utf8").trim().split("\n")
      const checkpoint = JSON.parse(line!) as { seq: number; hash: string; at: string; sig: string }
      writeFileSync(file, `${JSON.stringify({ ...checkpoint, at: "2020-01-01T00:00:00.000Z" })}\nnot json\n`, { flag: "a" })
      const result = yield* directory.run(verify)
      assert.isFalse(result.ok)
      assert.deepStrictEqual(result.problems.map((p) => p.message.includes("valid signature") || p.message.includes("not a checkpoint")), [true, true])
      assert.deepStrictEqual([result.checkpoints.count, result.checkpoints.valid], [3, 1])
    })))
})

describe("audit scoped by organization", () => {
  it.live("after `orgs add acme carol@beta`, acme's admin reading carol's history sees acme's events, not beta's", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      yield* directory.run(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
        yield* Core.createGroup({ name: "ops", org: "beta" }).pipe(system)
        const carol = yield* Core.createUser({ email: "carol@beta.test", firstName: "Carol", lastName: "Beta", org: "beta", groups: ["ops"] }).pipe(system)
        yield* Core.grantRole({ role: "auditor", to: { user: "carol@beta.test" }, scope: "org:beta" }).pipe(system)
        yield* Core.addOrgMembers("acme", ["carol@beta.test"]).pipe(system)
        yield* Core.updateUser("carol@beta.test", { position: "Lead" }).pipe(asUser(ADMIN))
        const seen = yield* Core.listAudit({ userId: carol.user.id }).pipe(asUser("olga@acme.test"))
        assert.deepStrictEqual(seen.map((e) => e.action), ["user.update", "org.member.add"])
        assert.deepStrictEqual(seen.map((e) => e.scopes), [["org:acme", "org:beta"], ["org:acme"]])
        // the dashboard's activity view answers alike
        const page = yield* Core.auditPage({ user: carol.user.id }).pipe(asUser("olga@acme.test"))
        assert.deepStrictEqual(page.map((e) => e.action), ["user.update", "org.member.add"])
        // the provider admin reads all of it
        const all = yield* Core.listAudit({ userId: carol.user.id }).pipe(asUser(ADMIN))
        assert.deepStrictEqual(all.map((e) => e.action), ["user.update", "org.member.add", "role.grant", "group.member.add", "user.create"])
        // acme's admin reading the log without --user sees nothing of beta's either
        const log = yield* Core.listAudit({ limit: 100 }).pipe(asUser("olga@acme.test"))
        assert.isTrue(log.every((e) => e.scopes?.includes("org:acme")), JSON.stringify(log.map((e) => [e.action, e.scopes])))
      }))
    })))

  it.live("events written before scoping get their scopes from the upgrade: acme's admin does not read carol's older beta events either", () =>
    Effect.scoped(Effect.gen(function*() {
      const directory = yield* onDisk
      yield* directory.run(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
        const carol = yield* Core.createUser({ email: "carol@beta.test", firstName: "Carol", lastName: "Beta", org: "beta" }).pipe(system)
        // an event as the previous version wrote it: no scopes, hashed without them
        const sql = yield* SqlClient.SqlClient
        const [head] = yield* sql<{ seq: number; hash: string }>`SELECT seq, hash FROM audit_head`
        const event = {
          seq: Number(head!.seq) + 1, at: new Date().toISOString(), actor: "system", via: "cli" as const, action: "session.revoke",
          target: carol.user.id, details: { email: "carol@beta.test", session: "all", revoked: 2 }, reason: null, approvalId: null, prevHash: head!.hash
        }
        const hash = Core.AuditLog.hashEvent(event)
        yield* sql`INSERT INTO audit_events ${sql.insert({ ...event, details: Core.AuditLog.canonicalJson(event.details), hash })}`
        yield* sql`UPDATE audit_head SET seq = ${event.seq}, hash = ${hash}`
        yield* backfillLegacyScopes
        const [row] = yield* sql<{ scopes: string | null; legacyScopes: string }>`SELECT scopes, legacy_scopes FROM audit_events WHERE seq = ${event.seq}`
        assert.deepStrictEqual([row!.scopes, JSON.parse(row!.legacyScopes)], [null, ["org:beta"]])
        yield* Core.addOrgMembers("acme", ["carol@beta.test"]).pipe(system)
        const seen = yield* Core.listAudit({ userId: carol.user.id }).pipe(asUser("olga@acme.test"))
        assert.deepStrictEqual(seen.map((e) => e.action), ["org.member.add"])
        yield* activeUser({ email: "bea@beta.test", org: "beta", roles: ["org-admin"] })
        const beta = yield* Core.listAudit({ userId: carol.user.id }).pipe(asUser("bea@beta.test"))
        assert.include(beta.map((e) => e.action), "session.revoke", "beta's admin still reads beta's older events")
        assert.isTrue((yield* verify).ok, "the older event still verifies, its hash never covered scopes")
      }))
    })))
})
