import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { createHash } from "node:crypto"
import * as Core from "../src/index.js"
import { ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, system, withDatabase, twoOrganizations } from "./support.js"

const jobs = Core.Jobs.asSystem("web")
const authenticate = (secret: string, surface: Core.TokenSurface = "check") => Core.Jobs.authenticateApiToken(secret, surface).pipe(jobs)

const directory = twoOrganizations

describe("API tokens", () => {
  it.live("created for oneself: the secret is shown once, only its hash is stored, the audit row names the token and never the secret", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const head = yield* auditHead
      const { token, secret } = yield* Core.createApiToken({ name: "deploy bot", only: "check", org: "acme" }).pipe(asUser("bob@acme.test"))
      assert.match(secret, /^usher_pat_[A-Za-z0-9_-]{43}$/)
      assert.deepStrictEqual([token.name, token.user, token.only, token.org, token.state, token.expiresAt], ["deploy bot", "bob@acme.test", "check", "acme", "active", null])
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ tokenHash: string }>`SELECT token_hash FROM api_tokens`
      assert.deepStrictEqual(rows.map((r) => r.tokenHash), [createHash("sha256").update(secret).digest("hex")])
      const events = yield* sql<{ action: string; details: string }>`SELECT action, details FROM audit_events WHERE seq > ${head} ORDER BY seq`
      assert.deepStrictEqual(events.map((e) => e.action), ["token.create"])
      assert.include(events[0]!.details, token.id)
      assert.notInclude(JSON.stringify(events), secret.slice("usher_pat_".length))

      const found = yield* authenticate(secret)
      assert.deepStrictEqual([found.id, found.user, found.only], [token.id, "bob@acme.test", "check"])
      assert.isNotNull(found.lastUsedAt)
      const listed = yield* Core.listApiTokens().pipe(asUser("bob@acme.test"))
      assert.deepStrictEqual(listed.map((t) => t.id), [token.id])
      assert.notInclude(JSON.stringify(listed), secret)
    })))

  it.live("bad input is refused with nothing written: no name, an unknown surface, a past or malformed expiry, an unknown organization, the system as owner", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const bob = asUser("bob@acme.test")
      yield* failsWithNothingWritten(Core.createApiToken({ name: "  " }).pipe(bob), "InvalidInput")
      yield* failsWithNothingWritten(Core.createApiToken({ name: "x", only: "everything" }).pipe(bob), "InvalidInput")
      yield* failsWithNothingWritten(Core.createApiToken({ name: "x", expires: "2001-01-01" }).pipe(bob), "InvalidInput")
      yield* failsWithNothingWritten(Core.createApiToken({ name: "x", expires: "next week" }).pipe(bob), "InvalidInput")
      yield* failsWithNothingWritten(Core.createApiToken({ name: "x", org: "nowhere" }).pipe(bob), "OrgNotFound")
      yield* failsWithNothingWritten(Core.createApiToken({ name: "x".repeat(201) }).pipe(bob), "InputTooLong")
      yield* failsWithNothingWritten(Core.createApiToken({ name: "x" }).pipe(system), "ActorUnknown")
    })))

  it.live("a token stops at once when revoked, when its owner is suspended (and again once reactivated); the answer is the same whatever was wrong", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const bob = asUser("bob@acme.test")
      const revoked = yield* Core.createApiToken({ name: "a" }).pipe(bob)
      const suspended = yield* Core.createApiToken({ name: "b" }).pipe(bob)
      yield* Core.revokeApiToken(revoked.token.id).pipe(bob)
      const refused = yield* failsWith(authenticate(revoked.secret), "ApiTokenRejected")
      assert.notInclude(refused.message, revoked.secret)
      yield* authenticate(suspended.secret)
      yield* Core.suspendUser("bob@acme.test").pipe(asUser(ADMIN))
      yield* failsWith(authenticate(suspended.secret), "ApiTokenRejected")
      yield* Core.reactivateUser("bob@acme.test").pipe(asUser(ADMIN))
      yield* authenticate(suspended.secret)
      const unknown = yield* failsWith(authenticate("usher_pat_" + "A".repeat(43)), "ApiTokenRejected")
      const garbage = yield* failsWith(authenticate("Bearer nonsense"), "ApiTokenRejected")
      assert.strictEqual(unknown.message, refused.message)
      assert.strictEqual(garbage.message, refused.message)
      const states = yield* Core.listApiTokens().pipe(bob)
      assert.deepStrictEqual(states.map((t) => [t.name, t.state]).sort(), [["a", "revoked"], ["b", "active"]])
    })))

  it.effect("an expiry is honoured to the second", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2027-03-01T09:00:00Z"))
      yield* directory
      const { secret } = yield* Core.createApiToken({ name: "short", expires: "2027-03-01T10:00:00Z" }).pipe(asUser("bob@acme.test"))
      yield* TestClock.setTime(Date.parse("2027-03-01T09:59:59Z"))
      yield* authenticate(secret)
      yield* TestClock.setTime(Date.parse("2027-03-01T10:00:00Z"))
      yield* failsWith(authenticate(secret), "ApiTokenRejected")
      assert.strictEqual((yield* Core.listApiTokens().pipe(asUser("bob@acme.test")))[0]!.state, "expired")
    })))

  it.live("revoking another's token needs users.sessions.revoke over them and reach; one the actor may not read answers as missing", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const admins = yield* Core.createApiToken({ name: "admin's" }).pipe(asUser(ADMIN))
      const bobs = yield* Core.createApiToken({ name: "bob's" }).pipe(asUser("bob@acme.test"))
      const unas = yield* Core.createApiToken({ name: "una's" }).pipe(asUser("una@other.test"))
      // an auditor reads but may not revoke
      yield* failsWithNothingWritten(Core.revokeApiToken(admins.token.id).pipe(asUser("bob@acme.test")), "PermissionDenied")
      // an org admin may not act on the provider admin (reach: answered as for an account out of reach), nor see another organization's member
      yield* failsWithNothingWritten(Core.revokeApiToken(admins.token.id).pipe(asUser("olga@acme.test")), "UserNotFound")
      const missing = yield* failsWithNothingWritten(Core.revokeApiToken(unas.token.id).pipe(asUser("olga@acme.test")), "ApiTokenNotFound")
      assert.strictEqual(missing.message, (yield* failsWith(Core.revokeApiToken("no-such-token").pipe(asUser("olga@acme.test")), "ApiTokenNotFound")).message.replace("no-such-token", unas.token.id))
      const head = yield* auditHead
      const done = yield* Core.revokeApiToken(bobs.token.id).pipe(asUser("olga@acme.test"))
      assert.strictEqual(done.state, "revoked")
      assert.deepStrictEqual(yield* auditActions(head), ["token.revoke"])
      // listing another's tokens follows read permissions
      assert.lengthOf(yield* Core.listApiTokens("bob@acme.test").pipe(asUser("olga@acme.test")), 1)
      yield* failsWith(Core.listApiTokens("una@other.test").pipe(asUser("olga@acme.test")), "UserNotFound")
    })))

  it.live("a token works only for its surface; acting through it names it on every audit row and limits it to its organization", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const checker = yield* Core.createApiToken({ name: "checker", only: "check", org: "acme" }).pipe(asUser(ADMIN))
      const refused = yield* failsWith(authenticate(checker.secret, "admin"), "ApiTokenNotForThis")
      assert.include(refused.message, "limited to the check API")
      yield* failsWith(authenticate(checker.secret, "scim"), "ApiTokenNotForThis")
      const token = yield* authenticate(checker.secret, "check")
      // a question at the token's organization (the default) or its apps is answered; another organization's is refused
      const answer = yield* Core.check("bob@acme.test", "users.read").pipe(Core.asToken(token, "api"))
      assert.deepStrictEqual([answer.scope, answer.allowed], ["org:acme", true])
      const outside = yield* failsWith(Core.check("bob@acme.test", "users.read", "org:other").pipe(Core.asToken(token, "api")), "ApiTokenNotForThis")
      assert.include(outside.message, "org:acme")
      yield* failsWith(Core.check("bob@acme.test", "users.read", "provider").pipe(Core.asToken(token, "api")), "ApiTokenNotForThis")

      const admin = yield* authenticate((yield* Core.createApiToken({ name: "provisioning" }).pipe(asUser(ADMIN))).secret, "admin")
      const head = yield* auditHead
      yield* Core.suspendUser("bob@acme.test", { reason: "left" }).pipe(Core.asToken(admin, "scim"))
      const [event] = yield* Core.listAudit({ afterSeq: head }).pipe(asUser(ADMIN))
      assert.deepStrictEqual([event!.action, event!.via, (event!.details as { viaToken?: unknown }).viaToken], ["user.suspend", "scim", { id: admin.id, name: "provisioning" }])
      assert.isTrue((yield* Core.verifyAudit.pipe(asUser(ADMIN))).ok)
    })))
})
