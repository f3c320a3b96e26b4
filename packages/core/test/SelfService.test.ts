import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { simpleParser } from "mailparser"
import { readFileSync } from "node:fs"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, withDatabase } from "./support.js"

const web = Core.as("system", "web")
const job = Core.Jobs.asSystem("web")
const PASSWORD = "a long enough password"

const tokenOf = (link: string) => link.slice(link.lastIndexOf("/") + 1)

/** The mails of a kind in the outbox, newest first. */
const mailsOf = (kind: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ toAddress: string; subject: string; textBody: string }>`SELECT to_address, subject, text_body FROM outbox WHERE kind = ${kind} ORDER BY created_at DESC`
  ).pipe(Effect.orDie)

describe("Self-service: what a person does about their own account", () => {
  it.live("previewInvitation reads an invitation without spending its link; a used one fails alike", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const sent = yield* Core.inviteUser({ email: "grace@acme.test", roles: ["auditor"], link: true }).pipe(asUser(ADMIN))
      const token = tokenOf(sent.link!)
      const preview = yield* Core.Jobs.previewInvitation(token).pipe(job)
      assert.deepStrictEqual(
        [preview.email, preview.firstName, preview.org, preview.inviter, preview.roles],
        ["grace@acme.test", "", { slug: "acme", name: "Acme" }, { name: "Ada Admin", email: ADMIN }, ["auditor@org:acme"]]
      )
      // a second look still works: the preview spent nothing
      yield* Core.Jobs.previewInvitation(sent.link!).pipe(job)
      yield* Core.acceptInvitation({ token, password: PASSWORD, firstName: "Grace", lastName: "Hopper" }).pipe(web)
      yield* failsWith(Core.Jobs.previewInvitation(token).pipe(job), "InvitationInvalid")
      yield* failsWith(Core.Jobs.previewInvitation(Core.Credentials.newToken()).pipe(job), "InvitationInvalid")
    })))

  it.effect("requestInvitationLink mails the inviter and audits it for an expired link; an unknown link answers the same and writes nothing", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const sent = yield* Core.inviteUser({ email: "e@acme.test", firstName: "Eve", lastName: "Early", link: true }).pipe(asUser(ADMIN))
      yield* TestClock.adjust("200 hours")
      yield* failsWith(Core.Jobs.previewInvitation(tokenOf(sent.link!)).pipe(job), "InvitationInvalid")
      const head = yield* auditHead
      yield* Core.Jobs.requestInvitationLink(tokenOf(sent.link!)).pipe(job)
      assert.deepStrictEqual(yield* auditActions(head), ["invitation.link.request"])
      const [mail] = yield* mailsOf("invitation-link-request")
      assert.strictEqual(mail?.toAddress, ADMIN)
      assert.include(mail?.textBody ?? "", "Eve Early (e@acme.test)")
      assert.notInclude(mail?.textBody ?? "", tokenOf(sent.link!))
      // an unknown link: the same empty answer, nothing written
      yield* failsWithNothingWritten(
        Effect.andThen(Core.Jobs.requestInvitationLink(Core.Credentials.newToken()).pipe(job), Effect.fail({ _tag: "Done" as const })),
        "Done"
      )
    })))

  it.live("updateMyProfile changes my names and phone only, audited as mine; a bad phone is refused", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const pat = yield* activeUser({ email: "pat@acme.test" })
      const head = yield* auditHead
      const after = yield* Core.updateMyProfile({ firstName: "Patricia", lastName: "<b>Doe</b>", phone: "+41 44 668 18 00" }).pipe(asUser("pat@acme.test"))
      assert.deepStrictEqual([after.firstName, after.lastName, after.phone, after.email], ["Patricia", "<b>Doe</b>", "+41446681800", pat.email])
      const [event] = yield* Core.listAudit({ limit: 1 }).pipe(asUser(ADMIN))
      assert.deepStrictEqual([yield* auditActions(head), event?.actor], [["user.update"], pat.id])
      yield* failsWithNothingWritten(Core.updateMyProfile({ firstName: "P", lastName: "D", phone: "not a phone" }).pipe(asUser("pat@acme.test")), "InvalidPhone")
      const cleared = yield* Core.updateMyProfile({ firstName: "Patricia", lastName: "Doe", phone: "" }).pipe(asUser("pat@acme.test"))
      assert.isNull(cleared.phone)
      yield* failsWith(Core.updateMyProfile({ firstName: "A", lastName: "B", phone: "" }).pipe(web), "ActorUnknown")
    })))

  it.live("myAccount lists my organizations, groups and roles, each with why I hold it", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createGroup({ name: "auditors", org: "acme" }).pipe(asUser(ADMIN))
      yield* Core.grantRole({ role: "auditor", to: { group: "auditors" }, scope: "org:acme" }).pipe(asUser(ADMIN))
      yield* activeUser({ email: "pat@acme.test", roles: ["approver"], groups: ["auditors"] })
      const mine = yield* Core.myAccount.pipe(asUser("pat@acme.test"))
      assert.deepStrictEqual(mine.organizations, [{ slug: "acme", name: "Acme" }])
      assert.deepStrictEqual(mine.groups, [{ org: "acme", name: "auditors" }])
      const why = Object.fromEntries(mine.grants.map((g) => [g.role, g.why]))
      assert.match(why["approver"]!, /^granted to you directly by the system on \d{4}-\d\d-\d\d$/)
      assert.strictEqual(why["auditor"], "through your membership of the group acme/auditors")
    })))

  it.live("mySessions and endMySessions: one of mine, or all but the current; another's session is not found", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const sql = yield* SqlClient.SqlClient
      const hash = yield* Core.hashPassword(PASSWORD)
      for (const email of ["pat@acme.test", "sam@acme.test"]) {
        yield* activeUser({ email })
        yield* sql`UPDATE users SET password_hash = ${hash} WHERE email = ${email}`.pipe(Effect.orDie)
      }
      const [laptop, phone, tablet] = [
        yield* Core.signIn({ email: "pat@acme.test", password: PASSWORD }).pipe(web),
        yield* Core.signIn({ email: "pat@acme.test", password: PASSWORD }).pipe(web),
        yield* Core.signIn({ email: "pat@acme.test", password: PASSWORD }).pipe(web)
      ]
      const sams = yield* Core.signIn({ email: "sam@acme.test", password: PASSWORD }).pipe(web)
      const pat = asUser("pat@acme.test")
      assert.strictEqual((yield* Core.mySessions.pipe(pat)).length, 3)
      yield* failsWithNothingWritten(Core.endMySessions({ only: sams.session.id }).pipe(pat), "SessionNotFound")
      assert.strictEqual(yield* Core.endMySessions({ only: tablet.session.id }).pipe(pat), 1)
      assert.strictEqual(yield* Core.endMySessions({ except: laptop.session.id }).pipe(pat), 1)
      assert.deepStrictEqual((yield* Core.mySessions.pipe(pat)).map((s) => s.id), [laptop.session.id])
      yield* failsWith(Core.Jobs.authenticate(phone.token).pipe(job), "SessionInvalid")
      yield* Core.Jobs.authenticate(sams.token).pipe(job)
    })))

  it.effect("a session unused for session.idle-minutes ends, one in use lives on to its absolute expiry", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.setSetting("session.idle-minutes", "20").pipe(asUser(ADMIN))
      yield* failsWith(Core.setSetting("session.idle-minutes", "0").pipe(asUser(ADMIN)), "SettingInvalid")
      const sql = yield* SqlClient.SqlClient
      yield* activeUser({ email: "pat@acme.test" })
      yield* sql`UPDATE users SET password_hash = ${yield* Core.hashPassword(PASSWORD)} WHERE email = 'pat@acme.test'`.pipe(Effect.orDie)
      const busy = yield* Core.signIn({ email: "pat@acme.test", password: PASSWORD }).pipe(web)
      const idle = yield* Core.signIn({ email: "pat@acme.test", password: PASSWORD }).pipe(web)
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust("15 minutes")
        yield* Core.Jobs.authenticate(busy.token).pipe(job)
      }
      yield* failsWith(Core.Jobs.authenticate(idle.token).pipe(job), "SessionInvalid")
      yield* TestClock.adjust("11 hours")
      yield* failsWith(Core.Jobs.authenticate(busy.token).pipe(job), "SessionInvalid")
    })))

  it.live("completing a reset mails the person that their password changed (no link in it)", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* activeUser({ email: "pat@acme.test" })
      const asked = yield* Core.requestPasswordReset("pat@acme.test").pipe(asUser(ADMIN))
      const mail = yield* Effect.promise(() => simpleParser(readFileSync(asked.mail.file!)))
      const token = /\/reset\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? "")![1]!
      yield* Core.completePasswordReset({ token, password: PASSWORD }).pipe(web)
      const [notice] = yield* mailsOf("password-changed")
      assert.strictEqual(notice?.toAddress, "pat@acme.test")
      assert.strictEqual(notice?.subject, "Your password was changed")
      assert.include(notice?.textBody ?? "", "every session of the account was signed out")
    })))

  it.effect("hitRateLimit counts per key in a fixed window shared through the database, storing only a hash", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const limit = { limit: 3, windowSeconds: 60 }
      const answers = []
      for (let i = 0; i < 4; i++) answers.push(yield* Core.Jobs.hitRateLimit("signin:ip:192.0.2.1", limit).pipe(job))
      assert.deepStrictEqual(answers.map((a) => a.allowed), [true, true, true, false])
      assert.isTrue(answers[3]!.retryAfterSeconds > 0 && answers[3]!.retryAfterSeconds <= 60)
      assert.isTrue((yield* Core.Jobs.hitRateLimit("signin:ip:192.0.2.2", limit).pipe(job)).allowed)
      const sql = yield* SqlClient.SqlClient
      const keys = yield* sql<{ key: string }>`SELECT key FROM rate_limits`.pipe(Effect.orDie)
      assert.isTrue(keys.every((k) => /^[0-9a-f]{64}$/.test(k.key)))
      yield* TestClock.adjust("61 seconds")
      assert.deepStrictEqual(yield* Core.Jobs.hitRateLimit("signin:ip:192.0.2.1", limit).pipe(job), { allowed: true, hits: 1, retryAfterSeconds: 60 })
    })))
})
