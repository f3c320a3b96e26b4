import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { simpleParser } from "mailparser"
import { readFileSync } from "node:fs"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, makeTempDirectory, system, withDatabase } from "./support.js"

const PASSWORD = "a long enough passphrase"
const anonymous = Core.as("system", "cli")

const allows = (email: string, permission: string, scope?: string) =>
  Core.why(email, permission, scope).pipe(system, Effect.orDie, Effect.map((answer) => answer.allowed))

const tokenRows = (userId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ hash: string; purpose: string }>`SELECT hash, purpose FROM tokens WHERE user_id = ${userId}`).pipe(Effect.orDie)

const tokenOf = (link: string) => link.slice(link.lastIndexOf("/") + 1)

describe("Invitations", () => {
  it.live("an invitation creates an invited user holding the requested access, which counts only once active; the mail names who invited whom to what", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createGroup({ name: "ops" }).pipe(system)
      const head = yield* auditHead
      const sent = yield* Core.inviteUser({
        email: "Grace@Acme.test", firstName: "Grace", lastName: "Hopper", roles: ["user-manager"], groups: ["ops"]
      }).pipe(asUser(ADMIN))
      assert.strictEqual(sent.invitation.status, "pending")
      assert.strictEqual(sent.invitation.email, "grace@acme.test")
      assert.strictEqual(sent.invitation.invitedBy, ADMIN)
      assert.strictEqual(sent.invitation.delivery, "email")
      assert.isUndefined(sent.link, "a mailed invitation does not hand the link to the inviter")
      assert.strictEqual(Date.parse(sent.invitation.expiresAt) - Date.parse(sent.invitation.createdAt), 7 * 24 * 3_600_000, "7 days by default")
      const detail = yield* Core.showUser("grace@acme.test").pipe(asUser(ADMIN))
      assert.strictEqual(detail.user.status, "invited")
      assert.deepStrictEqual(detail.grants.map((g) => `${g.role}@${g.scope}`), ["user-manager@org:acme"])
      assert.deepStrictEqual(detail.groups.map((g) => g.name), ["ops"])
      assert.isFalse(yield* allows("grace@acme.test", "users.read"), "access counts only once the user is active")
      assert.deepStrictEqual(yield* auditActions(head), ["user.invite", "role.grant", "group.member.add"])

      assert.strictEqual(sent.mail?.status, "sent")
      const eml = yield* Effect.promise(() => simpleParser(readFileSync(sent.mail!.file!)))
      assert.strictEqual(eml.subject, "Ada Admin invited you to Acme")
      assert.strictEqual(eml.to && !Array.isArray(eml.to) ? eml.to.text : "", "grace@acme.test")
      assert.deepStrictEqual(eml.from?.value.map((a) => [a.name, a.address]), [["usher", "usher@localhost"]])
      for (const part of ["Ada Admin (admin@acme.test)", "grace@acme.test", "Acme (acme)", "user-manager@org:acme", "acme/ops"]) {
        assert.include(eml.text, part)
        assert.include(eml.html || "", part)
      }
      const link = /http:\/\/localhost:8080\/invite\/([A-Za-z0-9_-]{43})/.exec(eml.text ?? "")
      assert.isNotNull(link, "the mail carries the registration link")
      const [row] = yield* tokenRows(detail.user.id)
      assert.strictEqual(row?.hash, Core.Credentials.hashToken(link![1]!), "only the SHA-256 of the token is stored")

      const user = yield* Core.acceptInvitation({ token: link![0], password: PASSWORD }).pipe(anonymous)
      assert.strictEqual(user.status, "active")
      assert.isNotNull(user.registeredAt)
      assert.isTrue(yield* allows("grace@acme.test", "users.read"), "active now: the invited access counts")
      const [accepted] = yield* Core.listInvitations({ status: "accepted" }).pipe(asUser(ADMIN))
      assert.strictEqual(accepted?.email, "grace@acme.test")
      const events = yield* Core.listAudit({ limit: 1 }).pipe(asUser(ADMIN))
      assert.deepStrictEqual([events[0]?.action, events[0]?.actor], ["invitation.accept", user.id], "the invitee is the actor of the acceptance")
      assert.isTrue((yield* Core.verifyAudit.pipe(asUser(ADMIN))).ok)
    })))

  it.live("--link hands the registration link to the inviter and mails nothing; the invitee gives names and password at acceptance", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const sent = yield* Core.inviteUser({ email: "linus@acme.test", link: true }).pipe(asUser(ADMIN))
      assert.match(sent.link ?? "", /^http:\/\/localhost:8080\/invite\/[A-Za-z0-9_-]{43}$/)
      assert.isUndefined(sent.mail)
      assert.strictEqual(sent.invitation.delivery, "link")
      assert.lengthOf(yield* Core.listOutbox().pipe(asUser(ADMIN)), 0, "nothing mailed")
      const noNames = yield* failsWith(Core.acceptInvitation({ token: sent.link!, password: PASSWORD }).pipe(anonymous), "InvalidProfile")
      assert.strictEqual(noNames.field, "first name")
      const short = yield* failsWith(Core.acceptInvitation({ token: sent.link!, password: "too short", firstName: "L", lastName: "T" }).pipe(anonymous), "PasswordRejected")
      assert.include(short.message, "at least 12")
      const user = yield* Core.acceptInvitation({ token: tokenOf(sent.link!), password: PASSWORD, firstName: "Linus", lastName: "Torvalds" }).pipe(anonymous)
      assert.deepStrictEqual([user.firstName, user.lastName, user.status], ["Linus", "Torvalds", "active"])
      const session = yield* Core.signIn({ email: "linus@acme.test", password: PASSWORD }).pipe(anonymous)
      assert.strictEqual(session.user.id, user.id, "the chosen password works")
    })))

  it.live("used, superseded, expired and unknown links all fail with the same InvitationInvalid, changing nothing", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const first = yield* Core.inviteUser({ email: "a@acme.test", firstName: "A", lastName: "A", link: true }).pipe(asUser(ADMIN))
      const second = yield* Core.resendInvitation("a@acme.test", { link: true }).pipe(asUser(ADMIN))
      assert.notStrictEqual(first.link, second.link)
      assert.strictEqual(second.invitation.sentCount, 2)
      const superseded = yield* failsWithNothingWritten(Core.acceptInvitation({ token: first.link!, password: PASSWORD }).pipe(anonymous), "InvitationInvalid")
      const unknown = yield* failsWithNothingWritten(Core.acceptInvitation({ token: Core.Credentials.newToken(), password: PASSWORD }).pipe(anonymous), "InvitationInvalid")
      const garbage = yield* failsWithNothingWritten(Core.acceptInvitation({ token: "not a token", password: PASSWORD }).pipe(anonymous), "InvitationInvalid")
      yield* Core.acceptInvitation({ token: second.link!, password: PASSWORD }).pipe(anonymous)
      const used = yield* failsWithNothingWritten(Core.acceptInvitation({ token: second.link!, password: PASSWORD }).pipe(anonymous), "InvitationInvalid")
      for (const error of [unknown, garbage, used]) assert.strictEqual(error.message, superseded.message, "one message, whatever the reason")
    })))

  it.effect("an invitation expires after 7 days (configurable); an expired one is listed as expired and can be resent", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2025-06-01T09:00:00.000Z"))
      yield* initialized
      const sent = yield* Core.inviteUser({ email: "e@acme.test", firstName: "E", lastName: "E", link: true }).pipe(asUser(ADMIN))
      yield* TestClock.adjust("167 hours")
      assert.deepStrictEqual((yield* Core.listInvitations({ status: "pending" }).pipe(asUser(ADMIN))).map((i) => i.email), ["e@acme.test"])
      yield* TestClock.adjust("1 hour")
      assert.lengthOf(yield* Core.listInvitations({ status: "pending" }).pipe(asUser(ADMIN)), 0)
      assert.deepStrictEqual((yield* Core.listInvitations({ status: "expired" }).pipe(asUser(ADMIN))).map((i) => i.email), ["e@acme.test"])
      yield* failsWithNothingWritten(Core.acceptInvitation({ token: sent.link!, password: PASSWORD }).pipe(anonymous), "InvitationInvalid")

      yield* Core.setSetting("invitation.ttl-hours", "2").pipe(asUser(ADMIN))
      const again = yield* Core.resendInvitation(sent.invitation.id, { link: true }).pipe(asUser(ADMIN))
      assert.strictEqual(again.invitation.status, "pending")
      assert.strictEqual(again.invitation.expiresAt, "2025-06-08T11:00:00.000Z", "the new link lives 2 hours, as configured")
      yield* TestClock.adjust("2 hours")
      yield* failsWith(Core.acceptInvitation({ token: again.link!, password: PASSWORD }).pipe(anonymous), "InvitationInvalid")
    })))

  it.live("cancelling removes the invited user from the directory (tombstone and audit kept), kills the link and frees the e-mail", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const sent = yield* Core.inviteUser({ email: "c@acme.test", firstName: "C", lastName: "C", roles: ["auditor"], link: true }).pipe(asUser(ADMIN))
      const head = yield* auditHead
      const cancelled = yield* Core.cancelInvitation("c@acme.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual(cancelled, { invitation: sent.invitation.id, email: "c@acme.test", org: "acme" })
      assert.deepStrictEqual(yield* auditActions(head), ["invitation.cancel"])
      yield* failsWith(Core.showUser("c@acme.test").pipe(asUser(ADMIN)), "UserNotFound")
      yield* failsWith(Core.showUser(sent.invitation.userId).pipe(asUser(ADMIN)), "UserNotFound")
      assert.notInclude((yield* Core.listUsers().pipe(asUser(ADMIN))).map((u) => u.email), "c@acme.test")
      const sql = yield* SqlClient.SqlClient
      const [tombstone] = yield* sql<{ email: string | null; status: string; deletedAt: string | null }>`SELECT email, status, deleted_at FROM users WHERE id = ${sent.invitation.userId}`
      assert.deepStrictEqual([tombstone?.email, tombstone?.status], [null, "deleted"])
      assert.isNotNull(tombstone?.deletedAt)
      assert.lengthOf(yield* tokenRows(sent.invitation.userId), 0)
      yield* failsWith(Core.acceptInvitation({ token: sent.link!, password: PASSWORD }).pipe(anonymous), "InvitationInvalid")
      yield* failsWith(Core.cancelInvitation("c@acme.test").pipe(asUser(ADMIN)), "InvitationNotFound")
      const reinvited = yield* Core.inviteUser({ email: "c@acme.test", link: true }).pipe(asUser(ADMIN))
      assert.notStrictEqual(reinvited.invitation.userId, sent.invitation.userId, "the e-mail is free for a new account")
      const [event] = yield* Core.listAudit({ userId: sent.invitation.userId }).pipe(asUser(ADMIN))
      assert.strictEqual(event?.action, "invitation.cancel", "the audit trail of the cancelled account stays readable")
    })))

  it.live("inviting needs users.invite at the organization, and delegation for the roles: refused with nothing written", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* activeUser({ email: "aud@acme.test", roles: ["auditor"] })
      yield* activeUser({ email: "mgr@acme.test", roles: ["user-manager"] })
      const denied = yield* failsWithNothingWritten(Core.inviteUser({ email: "x@acme.test" }).pipe(asUser("aud@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["users.invite", "org:acme"])
      const escalation = yield* failsWithNothingWritten(
        Core.inviteUser({ email: "x@acme.test", roles: ["org-admin"] }).pipe(asUser("mgr@acme.test")),
        "EscalationDenied"
      )
      assert.strictEqual(escalation.role, "org-admin")
      yield* failsWithNothingWritten(Core.inviteUser({ email: ADMIN }).pipe(asUser("mgr@acme.test")), "EmailTaken")
      yield* failsWithNothingWritten(Core.inviteUser({ email: "not-an-email" }).pipe(asUser("mgr@acme.test")), "InvalidEmail")
      yield* failsWithNothingWritten(Core.resendInvitation("mgr@acme.test").pipe(asUser(ADMIN)), "InvitationNotFound")
      const sent = yield* Core.inviteUser({ email: "x@acme.test", roles: ["auditor"], link: true }).pipe(asUser("mgr@acme.test"))
      yield* failsWithNothingWritten(Core.cancelInvitation(sent.invitation.id).pipe(asUser("aud@acme.test")), "PermissionDenied")
      assert.deepStrictEqual((yield* Core.listInvitations().pipe(asUser("aud@acme.test"))).map((i) => i.email), ["x@acme.test"], "auditors read invitations")
    })))

  it.live("one link accepted twice at the same moment over two connections activates the account once; the other is refused", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.sync(makeTempDirectory), (t) => Effect.sync(t.cleanup))
      const open = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Effect.provide(effect, Layer.fresh(Core.CoreLive({ engine: "sqlite", path: temp.path })))
      const { link } = yield* open(Effect.zipRight(initialized, Core.inviteUser({ email: "ann@acme.test", firstName: "Ann", lastName: "Able", link: true }).pipe(asUser(ADMIN))))
      // each acceptance on its own connection: both read the link as valid, hash their password, then race to use it up
      const outcomes = yield* Effect.all(
        ["first passphrase!", "second passphrase!"].map((password) =>
          open(Effect.either(Core.acceptInvitation({ token: link!, password }).pipe(anonymous)))),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(outcomes.map((o) => o._tag).sort(), ["Left", "Right"])
      const refused = outcomes.find((o) => o._tag === "Left")
      assert.strictEqual(refused?._tag === "Left" ? refused.left._tag : "", "InvitationInvalid")
      const accepts = yield* open(Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ n: number }>`SELECT COUNT(*) AS n FROM audit_events WHERE action = 'invitation.accept'`))
      assert.strictEqual(Number(accepts[0]?.n), 1)
    }).pipe(Effect.scoped))
})
