import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { beforeAll } from "vitest"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, system, withDatabase } from "./support.js"

const ISSUER = "https://idp.acme.test"
/** The web front-end signs people in as `system` (no one is signed in yet); audit rows name the person. */
const anonymous = Core.as("system", "api")
const PASSWORD = "the right horse battery"
let passwordHash = ""
beforeAll(async () => {
  passwordHash = await Effect.runPromise(Core.hashPassword(PASSWORD))
})

/** An identity as the provider vouches for it. */
const person = (subject: string, email: string, more: Partial<Core.IdpIdentity> = {}): Core.IdpIdentity => ({
  issuer: ISSUER, subject, email, emailVerified: true, firstName: "Kim", lastName: "Idp", ...more
})

const signIn = (identity: Core.IdpIdentity) => Core.signInWithIdp(identity, { userAgent: "test", ip: "127.0.0.1" }).pipe(anonymous)

const policy = (value: Core.AutoRegister, org?: string, role?: string) =>
  Effect.gen(function*() {
    yield* Core.setSetting("oidc.auto-register", value)
    if (org !== undefined) yield* Core.setSetting("oidc.default-org", org)
    if (role !== undefined) yield* Core.setSetting("oidc.default-role", role)
  }).pipe(asUser(ADMIN), Effect.orDie)

const links = (userId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ issuer: string; subject: string; email: string }>`SELECT issuer, subject, email FROM identity_links WHERE user_id = ${userId}`
  ).pipe(Effect.orDie)

const session = (token: string) => Core.Jobs.authenticate(token).pipe(Core.Jobs.asSystem("cli"))

describe("Sign in with the company's identity provider", () => {
  it.live("settings: oidc.auto-register is off by default; values are checked like every setting", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const settings = yield* Core.listSettings.pipe(asUser(ADMIN))
      assert.deepStrictEqual([settings["oidc.auto-register"], settings["oidc.default-org"], settings["oidc.default-role"]], ["off", null, null])
      for (const [key, value] of [["oidc.auto-register", "yes"], ["oidc.default-org", "Not A Slug"], ["oidc.default-role", "9lives"]] as const) {
        const error = yield* failsWithNothingWritten(Core.setSetting(key, value).pipe(asUser(ADMIN)), "SettingInvalid")
        assert.strictEqual(error.key, key)
      }
      const set = yield* Core.setSetting("oidc.default-role", "auditor").pipe(asUser(ADMIN))
      assert.strictEqual(set["oidc.default-role"], "auditor")
      assert.isNull((yield* Core.setSetting("oidc.default-role", "none").pipe(asUser(ADMIN)))["oidc.default-role"])
    })))

  it.live("off: an unknown person is refused and nothing is written", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const error = yield* failsWithNothingWritten(signIn(person("s-1", "new@acme.test")), "IdpRegistrationClosed")
      assert.strictEqual(error.email, "new@acme.test")
    })))

  it.live("an unverified e-mail is refused before anything is matched, also for a linked person and a pending invitation", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("active")
      yield* failsWithNothingWritten(signIn(person("s-1", "new@acme.test", { emailVerified: false })), "IdpEmailUnverified")
      yield* signIn(person("s-2", "kim@acme.test"))
      yield* failsWithNothingWritten(signIn(person("s-2", "kim@acme.test", { emailVerified: false })), "IdpEmailUnverified")
      yield* Core.inviteUser({ email: "inv@acme.test", link: true }).pipe(asUser(ADMIN))
      yield* failsWithNothingWritten(signIn(person("s-3", "inv@acme.test", { emailVerified: false })), "IdpEmailUnverified")
    })))

  it.live("active: the account is created active in oidc.default-org with oidc.default-role, linked, signed in; the next time it is found by subject", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(asUser(ADMIN))
      yield* policy("active", "beta", "auditor")
      const head = yield* auditHead
      const first = yield* signIn(person("s-1", "Kim@Acme.test"))
      assert.deepStrictEqual([first.route, first.user.status, first.user.email, first.user.firstName, first.user.lastName], ["registration", "active", "kim@acme.test", "Kim", "Idp"])
      assert.isNotNull(first.user.registeredAt)
      const detail = yield* Core.showUser(first.user.id).pipe(asUser(ADMIN))
      assert.deepStrictEqual(detail.organizations.map((o) => o.slug), ["beta"])
      assert.deepStrictEqual(detail.grants.map((g) => `${g.role}@${g.scope}`), ["auditor@org:beta"])
      assert.deepStrictEqual(yield* links(first.user.id), [{ issuer: ISSUER, subject: "s-1", email: "kim@acme.test" }])
      assert.deepStrictEqual(yield* auditActions(head), ["user.create", "role.grant", "identity.link", "user.signin.idp", "session.open"])
      assert.strictEqual((yield* session(first.token)).user.id, first.user.id)
      const again = yield* signIn(person("s-1", "kim@acme.test"))
      assert.deepStrictEqual([again.route, again.user.id], ["linked", first.user.id])
      assert.notStrictEqual(again.token, first.token)
      // what the log says is what the tables hold
      const verified = yield* Core.verifyAudit.pipe(system)
      assert.isTrue(verified.ok, verified.problems.map((p) => p.message).join("; "))
    })))

  it.live("active, misconfigured: a missing organization or role, or a role behind the admin-grants gate, refuses with nothing written", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("active", "nowhere")
      yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationUnavailable")
      yield* policy("active", "acme", "no-such-role")
      yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationUnavailable")
      yield* Core.setSetting("approval.gates", "admin-grants").pipe(asUser(ADMIN))
      yield* policy("active", "acme", "org-admin")
      const error = yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationUnavailable")
      assert.match(error.reason, /org-admin/)
    })))

  it.live("pending: the account waits for an admin's approval through the queue; approving activates it, then the person signs in", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("pending", undefined, "auditor")
      const waiting = yield* failsWith(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationPending")
      const sql = yield* SqlClient.SqlClient
      const [held] = yield* sql<{ id: string; status: string }>`SELECT id, status FROM users WHERE email = 'kim@acme.test'`
      assert.strictEqual(held?.status, "invited")
      // no session while waiting, and no invitation an admin could resend to activate it some other way
      assert.deepStrictEqual(yield* sql`SELECT id FROM sessions WHERE user_id = ${held!.id}`, [])
      assert.deepStrictEqual(yield* sql`SELECT id FROM invitations WHERE user_id = ${held!.id}`, [])
      const queue = yield* Core.listApprovals({ status: "pending" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(queue.map((r) => [r.id, r.action, r.summary, r.requestedBy, r.scopes]), [
        [waiting.approval, "user.register", `Let kim@acme.test into acme (first sign-in through ${ISSUER})`, "kim@acme.test", ["org:acme"]]
      ])
      // signing in again while it waits: the same answer, the same request (not a second one)
      const again = yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationPending")
      assert.strictEqual(again.approval, waiting.approval)
      const decision = yield* Core.approveRequest(waiting.approval).pipe(asUser(ADMIN))
      assert.isTrue(decision.executed)
      const signed = yield* signIn(person("s-1", "kim@acme.test"))
      assert.deepStrictEqual([signed.route, signed.user.id, signed.user.status], ["linked", held!.id, "active"])
      const detail = yield* Core.showUser(held!.id).pipe(asUser(ADMIN))
      assert.deepStrictEqual(detail.grants.map((g) => `${g.role}@${g.scope}`), ["auditor@org:acme"])
      const verified = yield* Core.verifyAudit.pipe(system)
      assert.isTrue(verified.ok, verified.problems.map((p) => p.message).join("; "))
    })))

  it.live("pending: a denied registration is refused from then on; the person cannot approve their own", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("pending")
      const waiting = yield* failsWith(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationPending")
      yield* failsWith(Core.approveRequest(waiting.approval).pipe(asUser("kim@acme.test")), "SelfApproval")
      yield* Core.denyRequest(waiting.approval, { reason: "not one of ours" }).pipe(asUser(ADMIN))
      yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationDenied")
    })))

  it.live("pending: a request that lapsed is filed again under pending, or the account activated once the policy is active", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("pending")
      const first = yield* failsWith(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationPending")
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE approvals SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ${first.approval}`
      const second = yield* failsWith(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationPending")
      assert.notStrictEqual(second.approval, first.approval)
      assert.deepStrictEqual((yield* Core.listApprovals({ status: "pending" }).pipe(asUser(ADMIN))).map((r) => r.id), [second.approval])
      yield* Core.cancelRequest(second.approval).pipe(asUser("kim@acme.test"))
      yield* policy("off")
      yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationClosed")
      yield* policy("active")
      const signed = yield* signIn(person("s-1", "kim@acme.test"))
      assert.deepStrictEqual([signed.route, signed.user.status], ["registration", "active"])
      const verified = yield* Core.verifyAudit.pipe(system)
      assert.isTrue(verified.ok, verified.problems.map((p) => p.message).join("; "))
    })))

  it.live("a returning person is matched by subject after changing e-mail at the provider; usher's e-mail stays, the link records the new one", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("active")
      const first = yield* signIn(person("s-1", "kim@acme.test"))
      const head = yield* auditHead
      const moved = yield* signIn(person("s-1", "kim.new@acme.test"))
      assert.deepStrictEqual([moved.route, moved.user.id, moved.user.email], ["linked", first.user.id, "kim@acme.test"])
      assert.deepStrictEqual((yield* links(first.user.id)).map((l) => l.email), ["kim.new@acme.test"])
      assert.deepStrictEqual(yield* auditActions(head), ["identity.email.change", "user.signin.idp", "session.open"])
      // the attack: the provider account now claims someone else's e-mail; it still gets only its own account
      const victim = yield* activeUser({ email: "victim@acme.test" })
      const claimed = yield* signIn(person("s-1", "victim@acme.test"))
      assert.strictEqual(claimed.user.id, first.user.id)
      assert.notStrictEqual(claimed.user.id, victim.id)
    })))

  it.live("a pending invitation for the same e-mail is accepted by the sign-in: activated, linked, and the mailed link stops working", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const sent = yield* Core.inviteUser({ email: "inv@acme.test", roles: ["auditor"], link: true }).pipe(asUser(ADMIN))
      // the policy is off: an invitation is not a registration
      const signed = yield* signIn(person("s-9", "inv@acme.test", { firstName: "Ines", lastName: "Vited" }))
      assert.deepStrictEqual([signed.route, signed.user.status, signed.user.firstName, signed.user.lastName], ["invitation", "active", "Ines", "Vited"])
      const [invitation] = yield* Core.listInvitations({}).pipe(asUser(ADMIN))
      assert.strictEqual(invitation?.status, "accepted")
      yield* failsWith(Core.acceptInvitation({ token: sent.link!, password: PASSWORD }).pipe(anonymous), "InvitationInvalid")
      assert.strictEqual((yield* signIn(person("s-9", "inv@acme.test"))).route, "linked")
    })))

  it.live("an expired invitation is not accepted", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.inviteUser({ email: "inv@acme.test", link: true }).pipe(asUser(ADMIN))
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE invitations SET expires_at = '2000-01-01T00:00:00.000Z'`
      yield* failsWithNothingWritten(signIn(person("s-9", "inv@acme.test")), "InvitationInvalid")
    })))

  it.live("the takeover attack: a provider account claiming an existing account's verified e-mail gets no session and no link", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("active")
      const victim = yield* activeUser({ email: "victim@acme.test" })
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET password_hash = ${passwordHash} WHERE id = ${victim.id}`
      for (const target of ["victim@acme.test", " VICTIM@acme.test ", ADMIN]) {
        const error = yield* failsWithNothingWritten(signIn(person("attacker", target)), "IdpLinkRequired")
        assert.strictEqual(error.email, target.trim().toLowerCase())
      }
      // the owner signs in with the password and links the provider from their account
      const linked = yield* Core.linkIdentity({ issuer: ISSUER, subject: "owner", email: "victim@corp.test" }).pipe(asUser("victim@acme.test"))
      assert.isTrue(linked.linked)
      assert.strictEqual((yield* signIn(person("owner", "victim@corp.test"))).user.id, victim.id)
      // an identity links one account, and an account one identity per provider
      yield* failsWithNothingWritten(Core.linkIdentity({ issuer: ISSUER, subject: "owner", email: "x@acme.test" }).pipe(asUser(ADMIN)), "IdpIdentityTaken")
      yield* failsWithNothingWritten(Core.linkIdentity({ issuer: ISSUER, subject: "other", email: "x@acme.test" }).pipe(asUser("victim@acme.test")), "IdpAlreadyLinked")
      assert.deepStrictEqual((yield* Core.myIdentityLinks.pipe(asUser("victim@acme.test"))).map((l) => l.issuer), [ISSUER])
    })))

  it.live("suspended accounts are refused; a deleted account's link goes with it; the password lock neither applies nor lifts", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* policy("active")
      const kim = yield* signIn(person("s-1", "kim@acme.test"))
      const sql = yield* SqlClient.SqlClient
      const until = new Date(Date.now() + 3_600_000).toISOString()
      yield* sql`UPDATE users SET failed_sign_ins = 10, locks = 1, locked_at = ${new Date().toISOString()}, locked_until = ${until} WHERE id = ${kim.user.id}`
      const locked = yield* signIn(person("s-1", "kim@acme.test"))
      assert.strictEqual(locked.user.lockedUntil, until)
      yield* Core.suspendUser(kim.user.id).pipe(asUser(ADMIN))
      yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "AccountSuspended")
      yield* failsWith(session(kim.token), "SessionInvalid")
      yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
      const { approval } = yield* Core.deleteUser(kim.user.id, { reason: "left" }).pipe(asUser(ADMIN))
      yield* Core.approveRequest(approval.id).pipe(asUser("apo@acme.test"))
      assert.deepStrictEqual(yield* links(kim.user.id), [])
      yield* policy("off")
      yield* failsWithNothingWritten(signIn(person("s-1", "kim@acme.test")), "IdpRegistrationClosed")
    })))

  it.live("input the front-end passes on is checked: issuer, subject and e-mail", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      for (const bad of [person("", "kim@acme.test"), person("x".repeat(256), "kim@acme.test"), person("s", "not-an-email"), { ...person("s", "kim@acme.test"), issuer: " " }]) {
        yield* failsWithNothingWritten(signIn(bad), "InvalidInput")
      }
    })))
})

/** The use case fails only with the errors its union declares (a new one must be added there, where front-ends see it). */
export const declaredErrors: Effect.Effect<Core.IdpSignedIn, Core.IdpSignInError, unknown> = Core.signInWithIdp(person("s", "a@acme.test"))
