import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { simpleParser } from "mailparser"
import { readFileSync } from "node:fs"
import { beforeAll } from "vitest"
import * as Core from "../src/index.js"
import { TIMING_EQUALIZER } from "../src/SignIn.js"
import { activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, withDatabase } from "./support.js"

const PASSWORD = "the right horse battery"
const anonymous = Core.as("system", "api")
let passwordHash = ""
beforeAll(async () => {
  passwordHash = await Effect.runPromise(Core.hashPassword(PASSWORD))
})

/** An active user whose password is PASSWORD (the hash computed once for the file). */
const withPassword = (email: string, roles: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const user = yield* activeUser({ email, roles })
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE users SET password_hash = ${passwordHash} WHERE id = ${user.id}`.pipe(Effect.orDie)
    return user
  })

/** The link in a mail of the outbox, read as a mail client would (the file is MIME-encoded). */
const linkIn = (file: string, kind: "invite" | "reset") =>
  Effect.promise(() => simpleParser(readFileSync(file))).pipe(Effect.flatMap((mail) => {
    const match = new RegExp(`http://localhost:8080/${kind}/([A-Za-z0-9_-]{43})`).exec(mail.text ?? "")
    return match === null ? Effect.dieMessage(`no ${kind} link in ${file}`) : Effect.succeed(match[0])
  }))

describe("Sign-in, passwords and sessions", () => {
  it.live("signIn opens a session (token returned once, stored hashed), updates lastActiveAt, and authenticate finds it", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const user = yield* withPassword("pat@acme.test")
      const head = yield* auditHead
      const signed = yield* Core.signIn({ email: " PAT@acme.test ", password: PASSWORD, userAgent: "curl/8", ip: "192.0.2.1" }).pipe(anonymous)
      assert.strictEqual(signed.user.id, user.id)
      assert.isNotNull(signed.user.lastActiveAt)
      assert.match(signed.token, /^[A-Za-z0-9_-]{43}$/)
      assert.deepStrictEqual([signed.session.userAgent, signed.session.ip], ["curl/8", "192.0.2.1"])
      assert.strictEqual(Date.parse(signed.session.expiresAt) - Date.parse(signed.session.createdAt), 12 * 3_600_000)
      const events = yield* Core.listAudit({ limit: 5 }).pipe(asUser(ADMIN))
      assert.deepStrictEqual([yield* auditActions(head), events[0]?.actor, events[0]?.via], [["session.open"], user.id, "api"])
      const sql = yield* SqlClient.SqlClient
      const [stored] = yield* sql<{ tokenHash: string }>`SELECT token_hash FROM sessions WHERE id = ${signed.session.id}`
      assert.strictEqual(stored?.tokenHash, Core.Credentials.hashToken(signed.token))
      const found = yield* Core.Jobs.authenticate(signed.token).pipe(Core.Jobs.asSystem("cli"))
      assert.strictEqual(found.session.id, signed.session.id)
      const listed = yield* Core.listSessions("pat@acme.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual(listed.sessions.map((s) => s.id), [signed.session.id])
      assert.notProperty(listed.sessions[0], "tokenHash")
      assert.isTrue(yield* Core.signOut(signed.token).pipe(anonymous))
      yield* failsWith(Core.Jobs.authenticate(signed.token).pipe(Core.Jobs.asSystem("cli")), "SessionInvalid")
      yield* failsWith(Core.Jobs.authenticate(Core.Credentials.newToken()).pipe(Core.Jobs.asSystem("cli")), "SessionInvalid")
    })))

  it.live("an unknown e-mail costs the scrypt work of a wrong password: the stand-in hash it is checked against has today's parameters", () =>
    Effect.gen(function*() {
      // verifyPassword skips the work for a hash of other parameters, so a stale stand-in would answer unknown e-mails early
      const parameters = (hash: string) => hash.split("$").slice(0, 4).join("$")
      assert.strictEqual(parameters(TIMING_EQUALIZER), parameters(passwordHash))
      assert.strictEqual(TIMING_EQUALIZER.split("$").length, passwordHash.split("$").length)
      assert.isFalse(yield* Core.verifyPassword(PASSWORD, TIMING_EQUALIZER))
    }))

  it.live("item 8: 30 wrong passwords and the right one at once: every failure counted, and no session once the lock is set", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const user = yield* withPassword("sam@acme.test")
      const attempt = (password: string) => Effect.either(Core.signIn({ email: "sam@acme.test", password }).pipe(anonymous))
      const results = yield* Effect.all([...Array.from({ length: 30 }, () => attempt("not the password at all")), attempt(PASSWORD)], { concurrency: "unbounded" })
      assert.strictEqual(results.slice(0, 30).filter((r) => r._tag === "Left").length, 30)
      const sql = yield* SqlClient.SqlClient
      const events = yield* sql<{ action: string }>`SELECT action FROM audit_events WHERE target = ${user.id} ORDER BY seq`.pipe(Effect.orDie)
      const actions = events.map((e) => e.action)
      assert.strictEqual(actions.filter((a) => a === "user.signin.fail").length, 30, "every failure is counted")
      const opened = actions.indexOf("session.open")
      const locked = actions.indexOf("user.lock")
      if (opened >= 0) assert.isTrue(locked === -1 || opened < locked, `a session opened after the lock: ${actions.join(" ")}`)
      if (locked >= 0 && opened === -1) assert.strictEqual(results[30]!._tag, "Left")
    })))

  it.live("an unknown e-mail and a wrong password fail alike; the tenth failure locks the account (for 15 minutes, or until an admin unlocks it)", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* withPassword("sam@acme.test")
      const head = yield* auditHead
      const unknown = yield* failsWith(Core.signIn({ email: "ghost@acme.test", password: PASSWORD }).pipe(anonymous), "SignInFailed")
      const sql = yield* SqlClient.SqlClient
      const misses = yield* sql<{ email: string; misses: number }>`SELECT email, misses FROM sign_in_misses`
      assert.deepStrictEqual(misses.map((m) => [m.email, Number(m.misses)]), [["ghost@acme.test", 1]], "a miss costs a write too, so it takes as long")
      for (let attempt = 1; attempt <= Core.MAX_FAILED_SIGN_INS; attempt++) {
        const wrong = yield* failsWith(Core.signIn({ email: "sam@acme.test", password: `wrong password ${attempt}` }).pipe(anonymous), "SignInFailed")
        assert.strictEqual(wrong.message, unknown.message, "the same words for an unknown e-mail and a wrong password")
      }
      const actions = yield* auditActions(head)
      assert.deepStrictEqual(actions, [...Array(Core.MAX_FAILED_SIGN_INS).fill("user.signin.fail"), "user.lock"])
      const locked = (yield* Core.showUser("sam@acme.test").pipe(asUser(ADMIN))).user
      assert.isNotNull(locked.lockedAt)
      assert.strictEqual(Date.parse(locked.lockedUntil!) - Date.parse(locked.lockedAt!), 15 * 60_000, "the first lock lasts 15 minutes")
      const withRightPassword = yield* failsWith(Core.signIn({ email: "sam@acme.test", password: PASSWORD }).pipe(anonymous), "SignInFailed")
      assert.strictEqual(withRightPassword.message, unknown.message, "a locked account does not reveal that the password was right")

      yield* activeUser({ email: "aud@acme.test", roles: ["auditor"] })
      yield* failsWithNothingWritten(Core.unlockUser("sam@acme.test").pipe(asUser("aud@acme.test")), "PermissionDenied")
      const unlocked = yield* Core.unlockUser("sam@acme.test").pipe(asUser(ADMIN))
      assert.isTrue(unlocked.unlocked)
      assert.isNull(unlocked.user.lockedAt)
      assert.isFalse((yield* Core.unlockUser("sam@acme.test").pipe(asUser(ADMIN))).unlocked, "unlocking an unlocked account changes nothing")
      const signed = yield* Core.signIn({ email: "sam@acme.test", password: PASSWORD }).pipe(anonymous)
      assert.strictEqual(signed.user.email, "sam@acme.test")
    })))

  it.live("a provisioned user must choose a new password at first sign-in, which activates the account; the temporary one stops working", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const { temporaryPassword, user } = yield* Core.createUser({ email: "new@acme.test", firstName: "New", lastName: "Hire" }).pipe(asUser(ADMIN))
      yield* failsWithNothingWritten(Core.signIn({ email: "new@acme.test", password: temporaryPassword }).pipe(anonymous), "PasswordChangeRequired")
      yield* failsWithNothingWritten(Core.signIn({ email: "new@acme.test", password: temporaryPassword, newPassword: "short" }).pipe(anonymous), "PasswordRejected")
      const head = yield* auditHead
      const signed = yield* Core.signIn({ email: "new@acme.test", password: temporaryPassword, newPassword: PASSWORD }).pipe(anonymous)
      assert.deepStrictEqual([signed.user.status, signed.user.mustChangePassword], ["active", false])
      assert.isNotNull(signed.user.registeredAt)
      assert.deepStrictEqual(yield* auditActions(head), ["user.firstPasswordChange", "user.password.change", "session.open"])
      yield* failsWith(Core.signIn({ email: "new@acme.test", password: temporaryPassword }).pipe(anonymous), "SignInFailed")
      assert.strictEqual((yield* Core.signIn({ email: "new@acme.test", password: PASSWORD }).pipe(anonymous)).user.id, user.id)
    })))

  it.live("changePassword needs the current password and ends every other session of the user", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* withPassword("kim@acme.test")
      const laptop = yield* Core.signIn({ email: "kim@acme.test", password: PASSWORD, userAgent: "laptop" }).pipe(anonymous)
      const phone = yield* Core.signIn({ email: "kim@acme.test", password: PASSWORD, userAgent: "phone" }).pipe(anonymous)
      const me = asUser("kim@acme.test")
      yield* failsWith(Core.changePassword({ currentPassword: "not my password", newPassword: "another long password" }).pipe(me), "SignInFailed")
      yield* failsWithNothingWritten(Core.changePassword({ currentPassword: PASSWORD, newPassword: "tiny" }).pipe(me), "PasswordRejected")
      const changed = yield* Core.changePassword({ currentPassword: PASSWORD, newPassword: "another long password", keepSession: laptop.session.id }).pipe(me)
      assert.strictEqual(changed.sessionsEnded, 1)
      yield* Core.Jobs.authenticate(laptop.token).pipe(Core.Jobs.asSystem("cli"))
      yield* failsWith(Core.Jobs.authenticate(phone.token).pipe(Core.Jobs.asSystem("cli")), "SessionInvalid")
      yield* failsWith(Core.signIn({ email: "kim@acme.test", password: PASSWORD }).pipe(anonymous), "SignInFailed")
      yield* Core.signIn({ email: "kim@acme.test", password: "another long password" }).pipe(anonymous)
      yield* failsWith(Core.changePassword({ currentPassword: PASSWORD, newPassword: PASSWORD }).pipe(Core.as("system", "cli")), "ActorUnknown")
    })))

  it.live("suspension ends every session; a suspended user with the right password is told so; revoking one session or all", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* withPassword("lee@acme.test")
      const one = yield* Core.signIn({ email: "lee@acme.test", password: PASSWORD }).pipe(anonymous)
      const two = yield* Core.signIn({ email: "lee@acme.test", password: PASSWORD }).pipe(anonymous)
      const revokedOne = yield* Core.revokeSessions("lee@acme.test", { session: one.session.id }).pipe(asUser(ADMIN))
      assert.strictEqual(revokedOne.revoked, 1)
      yield* failsWith(Core.Jobs.authenticate(one.token).pipe(Core.Jobs.asSystem("cli")), "SessionInvalid")
      yield* Core.Jobs.authenticate(two.token).pipe(Core.Jobs.asSystem("cli"))
      yield* failsWithNothingWritten(Core.revokeSessions("lee@acme.test", { session: one.session.id }).pipe(asUser(ADMIN)), "SessionNotFound")
      yield* Core.suspendUser("lee@acme.test").pipe(asUser(ADMIN))
      yield* failsWith(Core.Jobs.authenticate(two.token).pipe(Core.Jobs.asSystem("cli")), "SessionInvalid")
      assert.lengthOf((yield* Core.listSessions("lee@acme.test").pipe(asUser(ADMIN))).sessions, 0)
      yield* failsWith(Core.signIn({ email: "lee@acme.test", password: PASSWORD }).pipe(anonymous), "AccountSuspended")
      yield* failsWith(Core.signIn({ email: "lee@acme.test", password: "wrong password!" }).pipe(anonymous), "SignInFailed")
      yield* Core.reactivateUser("lee@acme.test").pipe(asUser(ADMIN))
      yield* Core.signIn({ email: "lee@acme.test", password: PASSWORD }).pipe(anonymous)
      const all = yield* Core.revokeSessions("lee@acme.test").pipe(asUser(ADMIN))
      assert.strictEqual(all.revoked, 1)
    })))

  it.effect("a reset link is mailed (never shown), works once within an hour, sets the password, unlocks and ends every session", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2025-06-01T09:00:00.000Z"))
      yield* initialized
      yield* withPassword("ria@acme.test")
      const session = yield* Core.signIn({ email: "ria@acme.test", password: PASSWORD }).pipe(anonymous)
      const first = yield* Core.requestPasswordReset("ria@acme.test").pipe(asUser(ADMIN))
      assert.strictEqual(first.expiresAt, "2025-06-01T10:00:00.000Z", "1 hour")
      assert.notProperty(first, "link")
      const firstLink = yield* linkIn(first.mail.file!, "reset")
      const second = yield* Core.requestPasswordReset("ria@acme.test").pipe(asUser(ADMIN))
      const secondLink = yield* linkIn(second.mail.file!, "reset")
      yield* failsWithNothingWritten(Core.completePasswordReset({ token: firstLink, password: "a brand new password" }).pipe(anonymous), "ResetLinkInvalid")
      yield* TestClock.adjust("59 minutes")
      const head = yield* auditHead
      const user = yield* Core.completePasswordReset({ token: secondLink, password: "a brand new password" }).pipe(anonymous)
      assert.deepStrictEqual(yield* auditActions(head), ["user.password.reset"])
      const [event] = yield* Core.listAudit({ limit: 1 }).pipe(asUser(ADMIN))
      assert.strictEqual(event?.actor, user.id)
      yield* failsWith(Core.Jobs.authenticate(session.token).pipe(Core.Jobs.asSystem("cli")), "SessionInvalid")
      yield* failsWith(Core.completePasswordReset({ token: secondLink, password: "a brand new password" }).pipe(anonymous), "ResetLinkInvalid")
      yield* Core.signIn({ email: "ria@acme.test", password: "a brand new password" }).pipe(anonymous)

      const late = yield* Core.requestPasswordReset("ria@acme.test").pipe(asUser(ADMIN))
      yield* TestClock.adjust("61 minutes")
      yield* failsWith(Core.completePasswordReset({ token: yield* linkIn(late.mail.file!, "reset"), password: "a brand new password" }).pipe(anonymous), "ResetLinkInvalid")

      const invited = yield* Core.inviteUser({ email: "inv@acme.test", link: true }).pipe(asUser(ADMIN))
      const refused = yield* failsWithNothingWritten(Core.requestPasswordReset(invited.invitation.email).pipe(asUser(ADMIN)), "InvalidTransition")
      assert.strictEqual(refused.message, "Cannot reset the password of a user who is invited.")
      yield* activeUser({ email: "aud@acme.test", roles: ["auditor"] })
      yield* failsWithNothingWritten(Core.requestPasswordReset("ria@acme.test").pipe(asUser("aud@acme.test")), "PermissionDenied")
    })))

  it.live("a reset unlocks a locked account", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const user = yield* withPassword("lox@acme.test")
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET locked_at = ${new Date().toISOString()}, locked_until = ${new Date(Date.now() + 3_600_000).toISOString()}, locks = 1, failed_sign_ins = 10 WHERE id = ${user.id}`.pipe(Effect.orDie)
      const reset = yield* Core.requestPasswordReset("lox@acme.test").pipe(asUser(ADMIN))
      const after = yield* Core.completePasswordReset({ token: yield* linkIn(reset.mail.file!, "reset"), password: "unlocked at last!" }).pipe(anonymous)
      assert.isNull(after.lockedAt)
      yield* Core.signIn({ email: "lox@acme.test", password: "unlocked at last!" }).pipe(anonymous)
    })))

  it.effect("item 8: a lock is temporary and grows: 15 minutes after ten failures, 30 after the next ten, never more than a day; a good sign-in starts over", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-05-01T08:00:00.000Z"))
      yield* initialized
      const user = yield* withPassword("tim@acme.test")
      const sql = yield* SqlClient.SqlClient
      const wrong = (n: number) => Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
        failsWith(Core.signIn({ email: "tim@acme.test", password: `wrong ${i}` }).pipe(anonymous), "SignInFailed"))
      const right = Core.signIn({ email: "tim@acme.test", password: PASSWORD }).pipe(anonymous)
      const state = Effect.map(sql<{ failedSignIns: number; locks: number; lockedUntil: string | null }>`
        SELECT failed_sign_ins, locks, locked_until FROM users WHERE id = ${user.id}`, (rows) => rows[0]!)

      yield* wrong(Core.MAX_FAILED_SIGN_INS)
      yield* failsWith(right, "SignInFailed")
      yield* TestClock.adjust("14 minutes")
      yield* failsWith(right, "SignInFailed")
      yield* TestClock.adjust("1 minute")
      // the lock ended by itself: no admin needed. The failures of this run still count.
      const s1 = yield* state
      assert.deepStrictEqual([Number(s1.failedSignIns), Number(s1.locks)], [Core.MAX_FAILED_SIGN_INS + 2, 1], "failures while locked count too")
      // ten more in the same run lock it again, twice as long (the run's count is set to one short)
      yield* sql`UPDATE users SET failed_sign_ins = ${2 * Core.MAX_FAILED_SIGN_INS - 1} WHERE id = ${user.id}`
      yield* wrong(1)
      const s2 = yield* state
      assert.strictEqual(Number(s2.locks), 2)
      yield* TestClock.adjust("29 minutes")
      yield* failsWith(right, "SignInFailed")
      yield* TestClock.adjust("1 minute")
      const signed = yield* right
      assert.strictEqual(signed.user.email, "tim@acme.test")
      const s3 = yield* state
      assert.deepStrictEqual([Number(s3.failedSignIns), Number(s3.locks), s3.lockedUntil], [0, 0, null], "a good sign-in starts over")
      // the growth stops at a day: a lock is never permanent
      assert.deepStrictEqual([1, 2, 3, 7, 8, 20].map(Core.lockDuration), [15, 30, 60, 960, 1440, 1440].map((m) => m * 60_000))
    })))
})
