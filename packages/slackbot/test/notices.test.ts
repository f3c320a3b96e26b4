import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { activeUser, FakeSlackApi, type RecordedCall } from "@usher/testkit"
import { Effect, Schedule } from "effect"
import { decodeDecision } from "../src/blocks/approvals.js"
import { Ids } from "../src/ids.js"
import { noticesOnce } from "../src/notices.js"
import {
  APPROVALS, approveThrough, auditHead, auditSince, buttonsByBlock, harness, later, lastSeq, People, publishedHome, textOf, type Harness
} from "./support.js"

const system = Core.as("system", "cli")
const promise = <A>(f: () => Promise<A>) => Effect.promise(f)
const HOUR = 3_600_000
const DAY = 24 * HOUR

/** One notice pass of the harness's bot, as if `ms` later. */
const pass = (h: Harness, ms = 0) => promise(() => h.run(noticesOnce(h.running.bot).pipe(later(ms))))

/** The messages the bot posted to a channel or (a Slack user id) as a direct message. */
const postsTo = (h: Harness, channel: string) => h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === channel && c.answer["ok"] === true)

type Blocks = ReadonlyArray<{ type: string; block_id?: string; elements?: ReadonlyArray<{ action_id?: string; value?: string }> }>
const buttonsOf = (call: RecordedCall) => Object.values(buttonsByBlock(call.args["blocks"] as Blocks))[0] ?? {}

/**
 * Waits until core remembers the Home tabs of these Slack users as published, showing the log at
 * least up to `seq` (the bot records a tab once its publish returned).
 */
const homesRecorded = (h: Harness, slackUserIds: ReadonlyArray<string>, seq = 0) => {
  const recorded = Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ slackUserId: string }>`SELECT slack_user_id FROM slack_homes WHERE published_seq >= ${seq}`)
  return promise(() => h.run(recorded)).pipe(
    Effect.filterOrFail((rows) => slackUserIds.every((id) => rows.some((r) => r.slackUserId === id))),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(250)))),
    Effect.orElse(() => Effect.dieMessage(`the Home tabs of ${slackUserIds.join(", ")} were not recorded`))
  )
}

/** The last audit event about a request. */
const lastEventOf = (h: Harness, approvalId: string) =>
  promise(() => h.run(Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ seq: number | string }>`SELECT MAX(seq) AS seq FROM audit_events WHERE approval_id = ${approvalId}`)))
    .pipe(Effect.map(([row]) => Number(row?.seq ?? 0)))

/** A request filed in the CLI by the lead (not in Slack), with the bot's sync loop off: only the notices tell Slack of it. */
const fileInCli = (h: Harness, email: string, by: string = People.lead.email) =>
  Effect.map(promise(() => h.run(Core.deleteUser(email, { reason: "left, filed at the desk" }).pipe(Core.asUser(by, "cli")))), (r) => r.approval)

describe("notices for approvers", () => {
  it.live("a request filed in the CLI: each who may decide it gets one direct message with Approve/Deny, through the retrying client; a decision made there goes through core and shows in that message", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const approval = yield* fileInCli(h, People.bob.email)
      // a rate limit on the first post: the background client waits it out, so one pass still reaches everyone
      h.fake.rateLimit("chat.postMessage", 1, { times: 1 })
      yield* pass(h)
      assert.lengthOf(h.fake.callsOf("chat.postMessage").filter((c) => c.answer["httpStatus"] === 429), 1)
      const [toAdmin, ...moreAdmin] = postsTo(h, People.admin.slack)
      const [toApo, ...moreApo] = postsTo(h, People.apo.slack)
      assert.deepStrictEqual([moreAdmin.length, moreApo.length], [0, 0])
      for (const who of [People.lead, People.bob, People.eve]) assert.lengthOf(postsTo(h, who.slack), 0, `${who.email} may not decide it`)
      for (const dm of [toAdmin!, toApo!]) {
        for (const part of ["Approval needed", "You are one of those who may decide this request", "*Delete the account bob@acme.test*", "left, filed at the desk", `<@${People.lead.slack}> (lead@acme.test)`, "*Expires*"]) {
          assert.include(textOf(dm), part)
        }
        assert.deepStrictEqual(Object.keys(buttonsOf(dm)).sort(), [Ids.approve, Ids.deny])
        assert.strictEqual(decodeDecision(buttonsOf(dm)[Ids.approve])?.id, approval.id)
      }
      // every later pass finds nothing to send
      yield* pass(h)
      yield* pass(h)
      assert.deepStrictEqual([postsTo(h, People.admin.slack).length, postsTo(h, People.apo.slack).length], [1, 1])

      const head = yield* promise(() => h.run(auditHead))
      const dm = { channel: String(toApo!.answer["channel"]), ts: String(toApo!.answer["ts"]) }
      assert.strictEqual(dm.channel, FakeSlackApi.directChannel(People.apo.slack))
      yield* promise(() =>
        approveThrough(h, People.apo.slack, () => h.sender.click({ userId: People.apo.slack, actionId: Ids.approve, value: buttonsOf(toApo!)[Ids.approve]!, ...dm }), "ok by DM"))
      const [shown] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.update" && c.args["channel"] === dm.channel && c.args["ts"] === dm.ts))
      assert.include(textOf(shown!), "*Approved* by <@U0APO> (apo@acme.test)")
      assert.include(textOf(shown!), "ok by DM")
      assert.notInclude(textOf(shown!), Ids.approve, "the buttons are gone from that message")
      const events = yield* promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => [e.action, e.via]), [["approval.approve", "slack"], ["user.delete", "slack"], ["approval.execute", "slack"]])
      // the direct message is not taken for the approvals message
      assert.lengthOf(h.fake.callsOf("chat.update").filter((c) => c.args["channel"] === APPROVALS), 0)
      // the admin's message is stale now: a click is refused in its modal, before anything is typed
      const clickedAt = lastSeq(h.fake)
      yield* promise(() => h.sender.click({ userId: People.admin.slack, actionId: Ids.deny, value: buttonsOf(toAdmin!)[Ids.deny]!, channel: String(toAdmin!.answer["channel"]), ts: String(toAdmin!.answer["ts"]) }))
      const [refusal] = yield* promise(() => h.fake.waitFor((c) => c.method === "views.update" && c.seq > clickedAt))
      assert.include(JSON.stringify(refusal!.args["view"]), "is executed already (by apo@acme.test)")
    }).pipe(Effect.scoped))

  it.live("direct messages go to the Slack user linked to the account first; a Slack user with the e-mail but tied to another account gets none", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      // carol's Slack e-mail is not her directory e-mail: an admin linked them
      h.fake.addUser({ id: "U0CAROL", email: "carol@home.test" })
      // dora's e-mail is a Slack user's who acts as eve (linked to her)
      h.fake.addUser({ id: "U0DORA", email: "dora@acme.test" })
      yield* promise(() => h.run(Effect.gen(function*() {
        yield* activeUser({ email: "carol@acme.test", roles: ["approver"] })
        yield* activeUser({ email: "dora@acme.test", roles: ["approver"] })
        yield* Core.linkSlackUser("U0CAROL", "carol@acme.test").pipe(system)
        yield* Core.linkSlackUser("U0DORA", People.eve.email).pipe(system)
      })))
      yield* fileInCli(h, People.bob.email)
      yield* pass(h)
      assert.lengthOf(postsTo(h, "U0CAROL"), 1, "to the linked Slack user")
      assert.lengthOf(postsTo(h, "U0DORA"), 0, "not to a Slack user who acts as someone else")
      assert.deepStrictEqual([postsTo(h, People.admin.slack).length, postsTo(h, People.apo.slack).length], [1, 1])
      // dora's notice is given up, not tried on every pass
      yield* pass(h)
      assert.lengthOf(postsTo(h, "U0DORA"), 0)
    }).pipe(Effect.scoped))

  it.live("a passing failure to find someone in Slack keeps their notice for a later pass, which sends it once", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      h.fake.failWith("users.lookupByEmail", "internal_error", { times: 1, when: (args) => args["email"] === People.apo.email })
      yield* fileInCli(h, People.bob.email)
      yield* pass(h)
      assert.deepStrictEqual([postsTo(h, People.admin.slack).length, postsTo(h, People.apo.slack).length], [1, 0])
      // after the back-off (the sync interval), a pass sends it
      yield* pass(h).pipe(
        Effect.filterOrFail(() => postsTo(h, People.apo.slack).length > 0),
        Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.intersect(Schedule.recurs(100))))
      )
      yield* pass(h)
      assert.deepStrictEqual([postsTo(h, People.admin.slack).length, postsTo(h, People.apo.slack).length], [1, 1])
    }).pipe(Effect.scoped))

  it.live("after approval.remind-hours a still-pending request reminds its deciders, once; 0 turns reminders off", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const approval = yield* fileInCli(h, People.bob.email)
      yield* pass(h)
      yield* pass(h, 23 * HOUR)
      assert.lengthOf(postsTo(h, People.apo.slack), 1, "no reminder before 24 hours")
      yield* pass(h, 24 * HOUR + 60_000)
      yield* pass(h, 25 * HOUR)
      const [, reminder, ...more] = postsTo(h, People.apo.slack)
      assert.lengthOf(more, 0)
      assert.include(textOf(reminder!), "Reminder: approval needed")
      assert.include(textOf(reminder!), "Still waiting for a decision since")
      assert.strictEqual(decodeDecision(buttonsOf(reminder!)[Ids.approve])?.id, approval.id)
      assert.lengthOf(postsTo(h, People.admin.slack), 2)

      yield* promise(() => h.run(Core.setSetting("approval.remind-hours", "0").pipe(system)))
      yield* fileInCli(h, People.eve.email)
      yield* pass(h)
      yield* pass(h, 30 * HOUR)
      assert.lengthOf(postsTo(h, People.apo.slack), 3, "the new request's message, no reminder")
    }).pipe(Effect.scoped))

  it.live("an hour before a request expires it is raised in the approvals channel once: in its message's thread, or as a new message naming it", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* promise(() => h.run(Core.setSetting("approval.remind-hours", "0").pipe(system)))
      yield* promise(() => h.usher(People.lead.slack, `delete ${People.bob.email} "left the company"`))
      const [posted] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS))
      const unposted = yield* fileInCli(h, People.eve.email)
      yield* pass(h)
      yield* pass(h, 70 * HOUR)
      assert.lengthOf(postsTo(h, APPROVALS), 1, "not yet")
      yield* pass(h, 71 * HOUR + 60_000)
      yield* pass(h, 71 * HOUR + 120_000)
      const [, first, second, ...more] = postsTo(h, APPROVALS)
      assert.lengthOf(more, 0, "once each")
      const thread = [first!, second!].find((c) => c.args["thread_ts"] !== undefined)!
      const fresh = [first!, second!].find((c) => c.args["thread_ts"] === undefined)!
      assert.strictEqual(thread.args["thread_ts"], posted!.answer["ts"])
      assert.include(textOf(thread), "This request expires in under an hour")
      assert.include(textOf(fresh), "Expires in under an hour")
      assert.include(textOf(fresh), "*Delete the account eve@acme.test* expires in under an hour")
      assert.strictEqual(decodeDecision(buttonsOf(fresh)[Ids.approve])?.id, unposted.id)
    }).pipe(Effect.scoped))
})

describe("notices for time-bound access", () => {
  it.live("an hour before a grant ends its holder is told, and whoever granted it gets Extend: core's grant as the clicker, for the grant's duration; someone else's click is refused; at its end the holder is told", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const grant = yield* promise(() => h.run(Core.grantRole({ role: "auditor", to: { user: People.eve.email }, expiresIn: "8h" }).pipe(Core.asUser(People.admin.email, "cli"))))
      assert.strictEqual(grant._tag, "Granted")
      yield* pass(h, 7 * HOUR - 60_000)
      assert.lengthOf(postsTo(h, People.eve.slack), 0, "not before the last hour")
      yield* pass(h, 7 * HOUR + 60_000)
      yield* pass(h, 7 * HOUR + 120_000)
      const [holder, ...moreHolder] = postsTo(h, People.eve.slack)
      const [granter, ...moreGranter] = postsTo(h, People.admin.slack)
      assert.deepStrictEqual([moreHolder.length, moreGranter.length], [0, 0])
      assert.include(textOf(holder!), "Your *auditor* at org:acme ends")
      assert.deepStrictEqual(buttonsOf(holder!), {}, "the holder cannot extend it")
      assert.include(textOf(granter!), "*auditor* at org:acme, which you granted to <@U0EVE> (eve@acme.test), ends")
      const extend = buttonsOf(granter!)[Ids.extend]!
      assert.include(textOf(granter!), "Extend by 8h")

      // a click by someone who may not grant it changes nothing
      const head = yield* promise(() => h.run(auditHead))
      const dm = { channel: String(granter!.answer["channel"]), ts: String(granter!.answer["ts"]) }
      const forged = yield* promise(() => h.sender.click({ userId: People.bob.slack, actionId: Ids.extend, value: extend, ...dm }))
      assert.include(textOf(yield* promise(() => h.fake.response(forged.responseId))), "Permission denied")
      assert.strictEqual(yield* promise(() => h.run(auditHead)), head)

      const clicked = yield* promise(() => h.sender.click({ userId: People.admin.slack, actionId: Ids.extend, value: extend, ...dm }))
      const reply = yield* promise(() => h.fake.response(clicked.responseId))
      assert.include(textOf(reply), "Extended *auditor* at org:acme for eve@acme.test until")
      assert.strictEqual(reply.args["replace_original"], true, "the notice's button is spent")
      const events = yield* promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => [e.action, e.via]), [["role.grant", "slack"]])
      const eve = yield* promise(() => h.run(Core.showUser(People.eve.email).pipe(system)))
      const now = eve.grants.find((g) => g.role === "auditor")!
      assert.isAbove(Date.parse(now.expiresAt!), Date.parse(grant._tag === "Granted" ? grant.expiresAt! : ""))
      assert.isAtMost(Date.parse(now.expiresAt!), Date.now() + 8 * HOUR)
      assert.isAbove(Date.parse(now.expiresAt!), Date.now() + 8 * HOUR - 60_000, "for the grant's own duration, from the click")

      // it ends after all: the policy runner revokes it, the holder is told once
      yield* promise(() => h.run(Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"), later(8 * HOUR + 60_000))))
      yield* pass(h, 8 * HOUR + 120_000)
      yield* pass(h, 8 * HOUR + 180_000)
      const [, ended, ...moreEnded] = postsTo(h, People.eve.slack)
      assert.lengthOf(moreEnded, 0)
      assert.include(textOf(ended!), "Your *auditor* at org:acme ended")
    }).pipe(Effect.scoped))
})

describe("notices for dormant accounts", () => {
  it.live("when the policy runner notifies and then suspends dormant accounts, the organization's admins get one message each time listing them", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* promise(() => h.run(Effect.gen(function*() {
        yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
        yield* Core.setSetting("dormant.notify-days", "30").pipe(system)
        yield* Core.setSetting("dormant.suspend-days", "60").pipe(system)
      })))
      h.fake.addUser({ id: "U0OLGA", email: "olga@acme.test" })
      yield* pass(h)
      const run = yield* promise(() => h.run(Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"), later(30 * DAY + HOUR))))
      assert.strictEqual(run._tag, "PolicyPass")
      yield* pass(h, 30 * DAY + 2 * HOUR)
      yield* pass(h, 30 * DAY + 3 * HOUR)
      const [notified, ...more] = postsTo(h, "U0OLGA")
      assert.lengthOf(more, 0, "one message for the whole pass")
      for (const email of [People.admin.email, People.apo.email, People.bob.email, People.eve.email, People.lead.email]) {
        assert.include(textOf(notified!), `*${email}*: sent the dormant-account notice`)
      }
      assert.notInclude(textOf(notified!), "*olga@acme.test*", "not about herself")
      assert.include(textOf(notified!), "At acme, which you administer")
      for (const who of [People.admin, People.apo, People.lead]) assert.lengthOf(postsTo(h, who.slack), 0, "only org-admins of the organization")

      // olga signs in meanwhile; the others are suspended
      yield* promise(() => h.run(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE users SET last_active_at = ${new Date(Date.now() + 50 * DAY).toISOString()} WHERE email = 'olga@acme.test'`)))
      yield* promise(() => h.run(Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"), later(60 * DAY + 2 * HOUR))))
      yield* pass(h, 60 * DAY + 3 * HOUR)
      const [, suspended] = postsTo(h, "U0OLGA")
      for (const email of [People.apo.email, People.bob.email, People.eve.email, People.lead.email]) assert.include(textOf(suspended!), `*${email}*: suspended as dormant`)
    }).pipe(Effect.scoped))
})

describe("the Home tab, kept current", () => {
  it.live("a request filed or decided elsewhere publishes again the Home tabs of its requester and deciders who opened theirs, no one else's; a tab published after the change is not published again", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      for (const who of [People.apo, People.lead, People.eve]) {
        const after = lastSeq(h.fake)
        yield* promise(() => h.sender.openHome(who.slack))
        yield* promise(() => publishedHome(h.fake, who.slack, after))
      }
      yield* homesRecorded(h, [People.apo.slack, People.lead.slack, People.eve.slack])
      yield* pass(h)
      const opened = lastSeq(h.fake)
      const approval = yield* fileInCli(h, People.bob.email)
      yield* pass(h)
      const published = () => h.fake.callsOf("views.publish").filter((c) => c.seq > opened)
      assert.deepStrictEqual(published().map((c) => c.args["user_id"]).sort(), [People.apo.slack, People.lead.slack], "eve's lists did not change; the admin never opened the tab")
      const apo = published().find((c) => c.args["user_id"] === People.apo.slack)!
      assert.include(JSON.stringify(apo.args["view"]), "Waiting for you (1)")
      assert.include(Object.keys(buttonsByBlock((apo.args["view"] as { blocks: Blocks }).blocks)), `decision:${approval.id}`)
      yield* pass(h)
      assert.lengthOf(published(), 2, "once per change")

      // decided from apo's Home tab: that tab is published with the outcome by the click; only the requester's by the pass
      const buttons = buttonsByBlock((apo.args["view"] as { blocks: Blocks }).blocks)
      const before = lastSeq(h.fake)
      yield* promise(() => approveThrough(h, People.apo.slack, () => h.sender.homeClick({ userId: People.apo.slack, actionId: Ids.approve, value: buttons[`decision:${approval.id}`]![Ids.approve]! })))
      yield* promise(() => publishedHome(h.fake, People.apo.slack, before))
      yield* homesRecorded(h, [People.apo.slack], yield* lastEventOf(h, approval.id))
      yield* pass(h)
      const afterDecision = h.fake.callsOf("views.publish").filter((c) => c.seq > before)
      assert.deepStrictEqual(afterDecision.map((c) => c.args["user_id"]).sort(), [People.apo.slack, People.lead.slack])
      assert.include(JSON.stringify(afterDecision.find((c) => c.args["user_id"] === People.lead.slack)!.args["view"]), "Decided lately")
    }).pipe(Effect.scoped))
})
