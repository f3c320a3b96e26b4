import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, failsWithNothingWritten, granted, initialized, system, withDatabase } from "./support.js"

const T0 = Date.parse("2026-05-04T09:00:00.000Z")
const HOUR = 3_600_000
const LEAD = "lead@acme.test"
const APO = "apo@acme.test"
const OLGA = "olga@acme.test"

const job = Core.Jobs.asSystem("slack")
const plan = Core.Jobs.planSlackNotices.pipe(job)
const due = Core.Jobs.slackNoticesToSend().pipe(job)

/** Sends what is due: takes it, settles it as sent; resolves with what was sent. */
const sendDue = Effect.gen(function*() {
  const notices = yield* due
  const taken = yield* Core.Jobs.claimSlackNotices(notices.map((n) => n.key)).pipe(job)
  yield* Core.Jobs.settleSlackNotices(taken, "sent").pipe(job)
  return notices.filter((n) => taken.includes(n.key))
})

/** One line per notice: what, to whom. */
const lines = (notices: ReadonlyArray<Core.SlackNotice>) =>
  notices.map((n) => {
    switch (n._tag) {
      case "DecisionWanted":
        return `${n.reminder ? "reminder" : "decide"} ${n.approval.id} → ${n.to.email}`
      case "ApprovalExpiring":
        return `expiring ${n.approval.id} → channel`
      case "GrantEnding":
        return `ending ${n.grant.role}@${n.grant.scope} of ${n.grant.holder.email} → ${n.to.email}${n.extendFor === null ? "" : ` (extend ${n.extendFor})`}`
      case "GrantEnded":
        return `ended ${n.grant.role}@${n.grant.scope} → ${n.to.email}`
      case "DormantAccount":
        return `dormant ${n.account.step} ${n.account.email} → ${n.to.email}`
    }
  }).sort()

/** acme: the provider admin, a lead (user-manager), an approver, an org admin, bob (auditor) and eve; an hour later. */
const directory = Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  yield* initialized
  const lead = yield* activeUser({ email: LEAD, roles: ["user-manager"] })
  const apo = yield* activeUser({ email: APO, roles: ["approver"] })
  const olga = yield* activeUser({ email: OLGA, roles: ["org-admin"] })
  const bob = yield* activeUser({ email: "bob@acme.test", roles: ["auditor"] })
  const eve = yield* activeUser({ email: "eve@acme.test" })
  yield* TestClock.adjust("1 hour")
  return { lead, apo, olga, bob, eve }
})

const fileDeletion = (email: string, by = LEAD) => Effect.map(Core.deleteUser(email, { reason: "left" }).pipe(asUser(by)), (r) => r.approval)

describe("possible deciders (core's rule for whom to ask)", () => {
  it.effect("exactly the accounts checkCanDecide lets through: not the requester, not a right granted after filing, not a suspended account; none once decided", () =>
    withDatabase(Effect.gen(function*() {
      const people = yield* directory
      const approval = yield* fileDeletion("bob@acme.test")
      const emails = (list: ReadonlyArray<Core.Decider>) => list.map((d) => d.email)
      assert.deepStrictEqual(emails(yield* Core.Jobs.possibleDeciders(approval.id).pipe(job)), [ADMIN, APO, OLGA])

      // an approver made after the request was filed, and one suspended meanwhile, are not asked
      yield* TestClock.adjust("1 minute")
      yield* Core.grantRole({ role: "approver", to: { user: people.eve.email } }).pipe(asUser(ADMIN))
      yield* Core.suspendUser(OLGA, { reason: "leave" }).pipe(asUser(ADMIN))
      const now = yield* Core.Jobs.possibleDeciders(approval.id).pipe(job)
      assert.deepStrictEqual(emails(now), [ADMIN, APO])
      // the same answer, person by person, as the decision itself would give
      for (const email of [ADMIN, LEAD, APO, OLGA, "bob@acme.test", "eve@acme.test"]) {
        const check = yield* Effect.either(Core.checkCanDecide(approval.id).pipe(asUser(email)))
        assert.strictEqual(Either.isRight(check), emails(now).includes(email), email)
      }
      // a request the admin files is not theirs to decide
      const admins = yield* fileDeletion("eve@acme.test", ADMIN)
      assert.deepStrictEqual(emails(yield* Core.Jobs.possibleDeciders(admins.id).pipe(job)), [APO])

      yield* Core.denyRequest(approval.id, { reason: "no" }).pipe(asUser(APO))
      assert.deepStrictEqual(yield* Core.Jobs.possibleDeciders(approval.id).pipe(job), [])
      assert.deepStrictEqual(yield* Core.Jobs.possibleDeciders("no-such-request").pipe(job), [])
    })))
})

describe("Slack notices for approvers", () => {
  it.effect("a request filed anywhere is planned once for each of its deciders, taken once, and not planned again", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const approval = yield* fileDeletion("bob@acme.test")
      yield* Effect.all([plan, plan], { concurrency: "unbounded" })
      yield* plan
      const notices = yield* due
      assert.deepStrictEqual(lines(notices), [`decide ${approval.id} → ${ADMIN}`, `decide ${approval.id} → ${APO}`, `decide ${approval.id} → ${OLGA}`])
      const keys = notices.map((n) => n.key)
      const [first, second] = yield* Effect.all([Core.Jobs.claimSlackNotices(keys).pipe(job), Core.Jobs.claimSlackNotices(keys).pipe(job)], { concurrency: "unbounded" })
      assert.deepStrictEqual([...first!, ...second!].sort(), [...keys].sort(), "each taken by exactly one")
      assert.deepStrictEqual(yield* due, [], "taken notices are not due")
      yield* Core.Jobs.settleSlackNotices(keys, "sent").pipe(job)
      yield* plan
      assert.deepStrictEqual(yield* due, [])
      // a failed send is given back and taken again later
      const next = yield* fileDeletion("eve@acme.test")
      yield* plan
      const [one] = yield* due
      assert.deepStrictEqual(yield* Core.Jobs.claimSlackNotices([one!.key]).pipe(job), [one!.key])
      yield* Core.Jobs.releaseSlackNotices([one!.key]).pipe(job)
      assert.include(lines(yield* due), `decide ${next.id} → ${ADMIN}`)
    })))

  it.effect("a notice due for a request decided meanwhile, or for someone who may no longer decide it, is not sent", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const decided = yield* fileDeletion("bob@acme.test")
      const other = yield* fileDeletion("eve@acme.test")
      yield* plan
      yield* Core.approveRequest(decided.id).pipe(asUser(APO))
      yield* Core.revokeRole({ role: "org-admin", from: { user: OLGA } }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(lines(yield* due), [`decide ${other.id} → ${ADMIN}`, `decide ${other.id} → ${APO}`])
      const sql = yield* SqlClient.SqlClient
      const settled = yield* sql<{ key: string; outcome: string }>`SELECT key, outcome FROM slack_notices WHERE outcome = 'not needed' ORDER BY key`
      assert.lengthOf(settled, 4, "three for the decided request, olga's for the other")
    })))

  it.effect("approval.remind-hours: 24 by default, whole hours, 0 off; a still-pending request reminds its deciders once after that long", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      assert.strictEqual((yield* Core.listSettings.pipe(asUser(ADMIN)))["approval.remind-hours"], 24)
      for (const text of ["-1", "abc", "1.5", "2161", ""]) yield* failsWithNothingWritten(Core.setSetting("approval.remind-hours", text).pipe(asUser(ADMIN)), "SettingInvalid")
      const approval = yield* fileDeletion("bob@acme.test")
      yield* plan
      yield* sendDue
      yield* TestClock.adjust(23 * HOUR)
      yield* plan
      assert.deepStrictEqual(yield* due, [], "not before 24 hours")
      yield* TestClock.adjust(HOUR)
      yield* plan
      yield* plan
      assert.deepStrictEqual(lines(yield* sendDue), [`reminder ${approval.id} → ${ADMIN}`, `reminder ${approval.id} → ${APO}`, `reminder ${approval.id} → ${OLGA}`])
      yield* TestClock.adjust(3 * HOUR)
      yield* plan
      assert.deepStrictEqual(yield* due, [], "once per request")

      assert.strictEqual((yield* Core.setSetting("approval.remind-hours", "0").pipe(asUser(ADMIN)))["approval.remind-hours"], 0)
      const quiet = yield* fileDeletion("eve@acme.test")
      yield* plan
      yield* sendDue
      yield* TestClock.adjust(30 * HOUR)
      yield* plan
      assert.notInclude(lines(yield* due).join("\n"), `reminder ${quiet.id}`)
    })))

  it.effect("an hour before a request expires it is raised in the approvals channel, once; an expired one is not", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.setSetting("approval.remind-hours", "0").pipe(asUser(ADMIN))
      const approval = yield* fileDeletion("bob@acme.test")
      yield* plan
      yield* sendDue
      yield* TestClock.adjust(70 * HOUR)
      yield* plan
      assert.deepStrictEqual(yield* due, [])
      yield* TestClock.adjust(HOUR + 60_000)
      yield* plan
      yield* plan
      assert.deepStrictEqual(lines(yield* sendDue), [`expiring ${approval.id} → channel`])
      yield* plan
      assert.deepStrictEqual(yield* due, [])
      // planned but not sent before it expired: not sent
      const late = yield* fileDeletion("eve@acme.test")
      yield* plan
      yield* sendDue
      yield* TestClock.adjust(71 * HOUR + 60_000)
      yield* plan
      yield* TestClock.adjust(HOUR)
      assert.notInclude(lines(yield* due).join("\n"), late.id)
    })))
})

describe("Slack notices for time-bound access", () => {
  it.effect("an hour before a grant ends: its holder, and whoever granted it with the duration to extend by; once per expiry, again after an extension; its end told to the holder", () =>
    withDatabase(Effect.gen(function*() {
      const { eve } = yield* directory
      const grant = yield* granted(yield* Core.grantRole({ role: "auditor", to: { user: eve.email }, expiresIn: "8h" }).pipe(asUser(ADMIN)))
      // a grant made for less than an hour is not announced
      yield* Core.grantRole({ role: "approver", to: { user: eve.email }, expiresIn: "30m" }).pipe(asUser(ADMIN))
      yield* plan
      assert.deepStrictEqual(yield* due, [])
      yield* TestClock.adjust(7 * HOUR - 60_000)
      yield* plan
      assert.deepStrictEqual(yield* due, [])
      yield* TestClock.adjust(2 * 60_000)
      yield* plan
      yield* plan
      const ending = yield* due
      assert.deepStrictEqual(lines(ending), [`ending auditor@org:acme of eve@acme.test → ${ADMIN} (extend 8h)`, "ending auditor@org:acme of eve@acme.test → eve@acme.test"])
      assert.deepStrictEqual(ending.map((n) => n._tag === "GrantEnding" ? [n.toHolder, n.grant.id, n.grant.expiresAt] : []).sort(), [[false, grant.id, grant.expiresAt], [true, grant.id, grant.expiresAt]])

      // extended (re-granted for its duration) before the notices went out: they are not needed, the next expiry is announced in its turn
      const extended = yield* granted(yield* Core.grantRole({ role: "auditor", to: { user: eve.email }, expiresIn: "8h" }).pipe(asUser(ADMIN)))
      assert.notStrictEqual(extended.expiresAt, grant.expiresAt)
      assert.deepStrictEqual(yield* due, [])
      yield* TestClock.adjust(7 * HOUR + 60_000)
      yield* plan
      assert.deepStrictEqual(lines(yield* sendDue), [`ending auditor@org:acme of eve@acme.test → ${ADMIN} (extend 8h)`, "ending auditor@org:acme of eve@acme.test → eve@acme.test"])

      // at its end the policy runner revokes it, and the holder is told, once
      yield* TestClock.adjust(HOUR)
      yield* Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"))
      yield* plan
      yield* plan
      // the half-hour grant ran out long ago, unannounced; its end is told as well
      assert.deepStrictEqual(lines(yield* sendDue), ["ended approver@org:acme → eve@acme.test", "ended auditor@org:acme → eve@acme.test"])
      yield* plan
      assert.deepStrictEqual(yield* due, [])
    })))

  it.effect("the duration an Extend re-grants for is the grant's own, in whole minutes within AccessDuration's bounds", () =>
    Effect.sync(() => {
      const at = "2026-05-04T09:00:00.000Z"
      const after = (ms: number) => new Date(Date.parse(at) + ms).toISOString()
      assert.deepStrictEqual(
        [after(8 * HOUR), after(3 * 24 * HOUR), after(90 * 60_000), after(20_000), after(400 * 24 * HOUR)].map((end) => Core.extensionOf(at, end)),
        ["8h", "3d", "90m", "1m", "365d"]
      )
    }))
})

describe("Slack notices for dormant accounts", () => {
  it.effect("when the policy runner notifies or suspends a dormant account, the organization's admins are told, once; old news is not", () =>
    withDatabase(Effect.gen(function*() {
      const { olga } = yield* directory
      yield* Core.setSetting("dormant.notify-days", "30").pipe(asUser(ADMIN))
      yield* Core.setSetting("dormant.suspend-days", "60").pipe(asUser(ADMIN))
      yield* Core.createOrg({ slug: "other" }).pipe(system)
      yield* activeUser({ email: "otto@other.test", org: "other", roles: ["org-admin"] })
      const sql = yield* SqlClient.SqlClient
      const activeOn = (email: string, days: number) => sql`UPDATE users SET last_active_at = ${new Date(T0 + days * 86_400_000).toISOString()} WHERE email = ${email}`
      // the admins stay in use; everyone else in acme goes quiet
      yield* activeOn(OLGA, 45)
      yield* activeOn("otto@other.test", 45)
      yield* activeOn(ADMIN, 45)
      yield* plan
      yield* sendDue

      yield* TestClock.setTime(T0 + 30 * 86_400_000 + HOUR)
      const notified = yield* Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"))
      assert.strictEqual(notified._tag, "PolicyPass")
      yield* plan
      yield* plan
      const quiet = ["apo@acme.test", "bob@acme.test", "eve@acme.test", LEAD]
      assert.deepStrictEqual(lines(yield* sendDue), quiet.map((email) => `dormant notified ${email} → ${OLGA}`).sort())

      yield* TestClock.setTime(T0 + 60 * 86_400_000 + 2 * HOUR)
      yield* Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"))
      yield* plan
      const suspended = yield* sendDue
      assert.deepStrictEqual(lines(suspended), quiet.map((email) => `dormant suspended ${email} → ${OLGA}`).sort())
      assert.isTrue(suspended.every((n) => n._tag === "DormantAccount" && n.to.id === olga.id && n.account.orgs.join() === "acme"))

      // a pass whose events nobody planned for in a day is not announced any more
      yield* activeUser({ email: "late@acme.test" })
      yield* TestClock.adjust(31 * 86_400_000)
      yield* activeOn(OLGA, 90)
      const away = yield* Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"))
      assert.include(away._tag === "PolicyPass" ? away.dormant.notified.map((n) => n.email) : [], "late@acme.test")
      yield* TestClock.adjust(25 * HOUR)
      yield* plan
      assert.deepStrictEqual(yield* due, [])
    })))
})

describe("Home tabs behind a change", () => {
  it.effect("a request filed or decided elsewhere puts the Home tabs of its requester and of its deciders behind, no one else's; each taken once", () =>
    withDatabase(Effect.gen(function*() {
      const { lead, apo, eve, olga } = yield* directory
      const mark = yield* Core.Jobs.slackHomeMark.pipe(job)
      for (const [slack, user] of [["U0LEAD", lead], ["U0APO", apo], ["U0EVE", eve]] as const) yield* Core.Jobs.recordSlackHome(slack, user.id, mark).pipe(job)
      yield* plan
      assert.deepStrictEqual(yield* Core.Jobs.slackHomesToRefresh().pipe(job), [])

      const approval = yield* fileDeletion("bob@acme.test")
      yield* plan
      const behind = yield* Core.Jobs.slackHomesToRefresh().pipe(job)
      assert.deepStrictEqual(behind.map((h) => h.slackUserId).sort(), ["U0APO", "U0LEAD"], "olga decides it too, but never opened the tab")
      const next = yield* Core.Jobs.slackHomeMark.pipe(job)
      const [taken, again] = yield* Effect.all([Core.Jobs.claimSlackHome(behind[0]!, next).pipe(job), Core.Jobs.claimSlackHome(behind[0]!, next).pipe(job)], { concurrency: "unbounded" })
      assert.deepStrictEqual([taken, again].sort(), [false, true])
      // a failed publish gives it back
      yield* Core.Jobs.releaseSlackHome(behind[0]!, next).pipe(job)
      assert.lengthOf(yield* Core.Jobs.slackHomesToRefresh().pipe(job), 2)
      for (const home of behind) assert.isTrue(yield* Core.Jobs.claimSlackHome(home, next).pipe(job))
      assert.deepStrictEqual(yield* Core.Jobs.slackHomesToRefresh().pipe(job), [])

      // decided in the CLI: both again; a tab opened after the change is not behind it
      yield* Core.approveRequest(approval.id).pipe(asUser(olga.email))
      yield* Core.Jobs.recordSlackHome("U0APO", apo.id, yield* Core.Jobs.slackHomeMark.pipe(job)).pipe(job)
      yield* plan
      assert.deepStrictEqual((yield* Core.Jobs.slackHomesToRefresh().pipe(job)).map((h) => h.slackUserId), ["U0LEAD"])
    })))
})
