import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Core from "../../src/index.js"
import { activeUser, ADMIN, asUser, failsWithNothingWritten, initialized, messages, withDatabase } from "../support.js"

const DAY = 86_400_000
const T0 = Date.parse("2026-01-05T09:00:00.000Z")
const day = (n: number) => new Date(T0 + n * DAY).toISOString()

const ran = Core.Jobs.runPolicies().pipe(
  Core.Jobs.asSystem("cli"),
  Effect.flatMap((run) => run._tag === "PolicyPass" ? Effect.succeed(run.dormant) : Effect.dieMessage(run.message))
)
const on = (n: number) => Effect.zipRight(TestClock.setTime(T0 + n * DAY), ran)
const emails = (list: ReadonlyArray<{ readonly email: string }>) => list.map((x) => x.email).sort()
const statusOf = (email: string) => Effect.map(Core.showUser(email).pipe(asUser(ADMIN)), (d) => d.user.status)

/** The acme directory with a dormant member, two holders of the exempt role (one through a group) and one who signs in later. */
const directory = Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  yield* initialized
  yield* Core.createRole({ name: "service-account", permissions: ["users.read"] }).pipe(asUser(ADMIN))
  yield* Core.createGroup({ name: "robots" }).pipe(asUser(ADMIN))
  yield* Core.grantRole({ role: "service-account", to: { group: "robots" } }).pipe(asUser(ADMIN))
  yield* activeUser({ email: "bob@acme.test", firstName: "Bob" })
  yield* activeUser({ email: "carol@acme.test", roles: ["service-account"] })
  yield* activeUser({ email: "dave@acme.test", groups: ["robots"] })
  return yield* activeUser({ email: "erin@acme.test" })
})

describe("the policy runner: dormant accounts", () => {
  it.effect("the settings are off by default and validated: days or none, the notice before the suspension, an exempt role that exists", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const settings = yield* Core.listSettings.pipe(asUser(ADMIN))
      assert.deepStrictEqual([settings["dormant.notify-days"], settings["dormant.suspend-days"], settings["dormant.exempt-role"]], [null, null, null])
      for (const [key, value] of [["dormant.notify-days", "0"], ["dormant.notify-days", "abc"], ["dormant.suspend-days", "3651"], ["dormant.suspend-days", "-5"], ["dormant.exempt-role", "no such!"]] as const) {
        yield* failsWithNothingWritten(Core.setSetting(key, value).pipe(asUser(ADMIN)), "SettingInvalid")
      }
      const unknown = yield* failsWithNothingWritten(Core.setSetting("dormant.exempt-role", "robot").pipe(asUser(ADMIN)), "SettingInvalid")
      assert.include(unknown.message, "there is no role robot")
      yield* Core.setSetting("dormant.suspend-days", "60").pipe(asUser(ADMIN))
      const order = yield* failsWithNothingWritten(Core.setSetting("dormant.notify-days", "60").pipe(asUser(ADMIN)), "SettingInvalid")
      assert.include(order.message, "must be fewer than dormant.suspend-days (60)")
      yield* Core.setSetting("dormant.notify-days", "30").pipe(asUser(ADMIN))
      yield* failsWithNothingWritten(Core.setSetting("dormant.suspend-days", "20").pipe(asUser(ADMIN)), "SettingInvalid")
      yield* failsWithNothingWritten(Core.setSetting("dormant.suspend-days", "30").pipe(asUser(ADMIN)), "SettingInvalid")
      const saved = yield* Core.setSetting("dormant.exempt-role", "Auditor").pipe(asUser(ADMIN))
      assert.deepStrictEqual([saved["dormant.notify-days"], saved["dormant.suspend-days"], saved["dormant.exempt-role"]], [30, 60, "auditor"])
      const cleared = yield* Core.setSetting("dormant.suspend-days", "none").pipe(asUser(ADMIN))
      assert.isNull(cleared["dormant.suspend-days"])
      // off: a pass does nothing about dormancy
      yield* Core.setSetting("dormant.notify-days", "none").pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* ran, { enabled: false, notified: [], suspended: [], skipped: [] })
    })))

  it.effect("notified once after notify-days, suspended (reason dormant) after suspend-days; the exempt role spared, the last provider admin skipped", () =>
    withDatabase(Effect.gen(function*() {
      const erin = yield* directory
      yield* Core.setSetting("dormant.notify-days", "30").pipe(asUser(ADMIN))
      yield* Core.setSetting("dormant.suspend-days", "60").pipe(asUser(ADMIN))
      yield* Core.setSetting("dormant.exempt-role", "service-account").pipe(asUser(ADMIN))
      const sql = yield* SqlClient.SqlClient
      // erin signs in on day 20: her inactivity counts from then
      yield* sql`UPDATE users SET last_active_at = ${day(20)} WHERE id = ${erin.id}`

      assert.deepStrictEqual(emails((yield* on(29)).notified), [])
      const first = yield* on(30)
      assert.deepStrictEqual(emails(first.notified), [ADMIN, "bob@acme.test"])
      const bob = first.notified.find((n) => n.email === "bob@acme.test")!
      assert.deepStrictEqual([bob.inactiveSince, bob.suspendsAt], [day(0), day(60)])
      assert.deepStrictEqual(emails((yield* on(30)).notified), [], "once: a second pass sends nothing")
      assert.deepStrictEqual(emails((yield* on(45)).notified), [])

      const mails = yield* sql<{ toAddress: string; status: string; subject: string; textBody: string }>`
        SELECT to_address, status, subject, text_body FROM outbox WHERE kind = 'dormant-notice' ORDER BY to_address`
      assert.deepStrictEqual(mails.map((m) => [m.toAddress, m.status]), [[ADMIN, "sent"], ["bob@acme.test", "sent"]])
      assert.include(mails[1]!.subject, "has not been used for a while")
      assert.include(mails[1]!.textBody, `Unless it is used before ${day(60).slice(0, 10)} ${day(60).slice(11, 16)} UTC, it will be suspended then`)

      assert.deepStrictEqual(emails((yield* on(50)).notified), ["erin@acme.test"])
      const suspension = yield* on(60)
      assert.deepStrictEqual([emails(suspension.notified), emails(suspension.suspended)], [[], ["bob@acme.test"]])
      assert.deepStrictEqual(suspension.skipped.map((s) => s.email), [ADMIN])
      assert.include(suspension.skipped[0]!.reason, "last")
      assert.strictEqual(yield* statusOf("bob@acme.test"), "suspended")
      assert.strictEqual(yield* statusOf(ADMIN), "active")
      const [event] = yield* sql<{ action: string; reason: string | null; actor: string; details: string }>`
        SELECT action, reason, actor, details FROM audit_events WHERE action = 'user.suspend'`
      assert.deepStrictEqual([event?.action, event?.reason, event?.actor], ["user.suspend", "dormant", "system"])
      assert.deepInclude(JSON.parse(event!.details), { policy: "dormant", inactiveSince: day(0), status: { from: "active", to: "suspended" } })

      assert.strictEqual(yield* statusOf("erin@acme.test"), "active", "her warning has not run out")
      assert.deepStrictEqual(emails((yield* on(80)).suspended), ["erin@acme.test"])
      for (const spared of ["carol@acme.test", "dave@acme.test"]) assert.strictEqual(yield* statusOf(spared), "active")
      const notices = yield* sql<{ action: string }>`SELECT action FROM audit_events WHERE action = 'user.dormant.notify'`
      assert.lengthOf(notices, 3, "one notice each for admin, bob and erin; none for the exempt")
      const verification = yield* Core.verifyAudit.pipe(asUser(ADMIN))
      assert.isTrue(verification.ok, messages(verification))
    })))

  it.effect("activity after the notice starts a new spell: no suspension on the old notice, a new notice later", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.setSetting("dormant.notify-days", "30").pipe(asUser(ADMIN))
      yield* Core.setSetting("dormant.suspend-days", "60").pipe(asUser(ADMIN))
      assert.include(emails((yield* on(30)).notified), "bob@acme.test")
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET last_active_at = ${day(40)} WHERE email = 'bob@acme.test'`
      const at60 = yield* on(60)
      assert.notInclude(emails(at60.suspended), "bob@acme.test")
      assert.strictEqual(yield* statusOf("bob@acme.test"), "active")
      assert.include(emails((yield* on(70)).notified), "bob@acme.test")
      assert.include(emails((yield* on(100)).suspended), "bob@acme.test")
    })))
})
