import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { retryHeaders, TEST_ENGINE, type RecordedCall } from "@usher/testkit"
import { SqlClient } from "@effect/sql"
import { Effect, Schedule } from "effect"
import { Ids } from "../src/ids.js"
import { APPROVALS, approveInChannel, approveThrough, auditHead, auditSince, buttonsByBlock, harness, modalFor, People, textInput, textOf, type Harness } from "./support.js"

const system = Core.as("system", "cli")

/** The lead asks to delete bob; returns the approvals-channel message and the request's id. */
const requestDeletion = (h: Harness) =>
  Effect.gen(function*() {
    const reply = yield* Effect.promise(() => h.usher(People.lead.slack, `delete <@${People.bob.slack}|bob> "left the company"`))
    const [posted] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS))
    const [approval] = yield* Effect.promise(() => h.run(Core.listApprovals({ status: "pending" }).pipe(system)))
    return { reply, posted: posted!, approval: approval! }
  })

const buttons = (message: RecordedCall) => {
  const actions = (message.args["blocks"] as ReadonlyArray<{ type: string; elements?: ReadonlyArray<{ action_id: string; value: string }> }>)
    .find((b) => b.type === "actions")
  return Object.fromEntries((actions?.elements ?? []).map((e) => [e.action_id, e.value]))
}

const click = (h: Harness, userId: string, actionId: string, value: string, ts: string) =>
  Effect.promise(() => h.sender.click({ userId, actionId, value, channel: APPROVALS, ts }))

describe("approvals in Slack", () => {
  it.live("the whole deletion flow: request → message with the account's details and buttons → requester refused → approver approves with a note → deleted, message updated without Expires, requester told", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* Effect.promise(() => h.run(Effect.zipRight(Core.createGroup({ name: "builders" }), Core.addGroupMembers("builders", [People.bob.email])).pipe(system)))
      const { reply, posted, approval } = yield* requestDeletion(h)
      assert.include(textOf(reply), "*Delete the account bob@acme.test* needs someone else's approval")
      assert.include(textOf(reply), `<#${APPROVALS}>`)
      const message = textOf(posted)
      for (const part of ["Approval needed", "Delete the account bob@acme.test", `<@${People.lead.slack}> (lead@acme.test)`, "left the company", "<!date^", "approvals.decide at org:acme", "*Expires*"]) {
        assert.include(message, part)
      }
      // the account as it is now, read from core as the requester
      for (const part of ["*Account now*\\nbob@acme.test · active", "*Last active*\\nnever", "auditor @ org:acme", "*Groups*\\nacme/builders"]) assert.include(message, part)
      const values = buttons(posted)
      assert.deepStrictEqual(Object.keys(values).sort(), [Ids.approve, Ids.deny])
      assert.deepStrictEqual(approval.slack, { channel: APPROVALS, ts: posted.answer["ts"] }, "core stores where it was posted")
      const ts = approval.slack!.ts

      // Approve opens a modal; who may not decide is told there, before typing a note
      const own = yield* click(h, People.lead.slack, Ids.approve, values[Ids.approve]!, ts)
      assert.strictEqual(own.status, 200)
      const refusal = yield* Effect.promise(() => modalFor(h.fake, own.triggerId))
      assert.include(JSON.stringify(refusal.view), "someone else must approve or deny it")
      assert.notStrictEqual(refusal.view.callback_id, Ids.approveView)
      const bystander = yield* click(h, People.eve.slack, Ids.approve, values[Ids.approve]!, ts)
      assert.include(JSON.stringify((yield* Effect.promise(() => modalFor(h.fake, bystander.triggerId))).view), "Permission denied: you need approvals.decide at org:acme")

      const head = yield* Effect.promise(() => h.run(auditHead))
      const { view } = yield* Effect.promise(() => approveInChannel(h, People.apo.slack, values[Ids.approve]!, ts, "  checked with HR  "))
      assert.include(JSON.stringify(view.blocks), "auditor @ org:acme", "the modal shows the account too")
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.deepStrictEqual([update!.args["channel"], update!.args["ts"]], [APPROVALS, ts], "updated in place at the stored position")
      assert.include(textOf(update!), "*Approved* by <@U0APO> (apo@acme.test)")
      assert.include(textOf(update!), "and done")
      assert.include(textOf(update!), "checked with HR")
      assert.notInclude(textOf(update!), Ids.approve, "no buttons any more")
      assert.notInclude(textOf(update!), "*Expires*", "a decided message has no expiry")
      const [notice] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      assert.include(textOf(notice!), "Your request *Delete the account bob@acme.test*")
      assert.include(textOf(notice!), "Approved")
      assert.include(textOf(notice!), "checked with HR")

      yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system, Effect.flip)))
      const events = yield* Effect.promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => [e.action, e.via]), [["approval.approve", "slack"], ["user.delete", "slack"], ["approval.execute", "slack"]])
      assert.strictEqual(events[0]!.reason, "checked with HR", "the note is the decision's reason in the audit log")
      const decided = yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))
      assert.deepStrictEqual([decided.status, decided.decidedBy, decided.note], ["executed", People.apo.email, "checked with HR"])
      yield* Effect.promise(() => h.run(Core.Jobs.slackMessagesToSync.pipe(Core.Jobs.asSystem("slack")))).pipe(
        Effect.filterOrFail((behind) => behind.length === 0),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(100)))),
        Effect.orElse(() => Effect.dieMessage("the message is not marked up to date"))
      )

      const late = yield* click(h, People.admin.slack, Ids.approve, values[Ids.approve]!, ts)
      assert.include(JSON.stringify((yield* Effect.promise(() => modalFor(h.fake, late.triggerId))).view), "is executed already (by apo@acme.test)")
    }).pipe(Effect.scoped))

  it.live("approving without a note records none; a note longer than a reason may be is refused under its field in the ack, the modal staying open", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { posted, approval } = yield* requestDeletion(h)
      const clicked = yield* click(h, People.apo.slack, Ids.approve, buttons(posted)[Ids.approve]!, approval.slack!.ts)
      const { view } = yield* Effect.promise(() => modalFor(h.fake, clicked.triggerId))
      const long = yield* Effect.promise(() =>
        h.sender.submitView({ userId: People.apo.slack, callbackId: Ids.approveView, privateMetadata: view.private_metadata, values: textInput(Ids.input.note, "é".repeat(2001)) }))
      const refusal = JSON.parse(long.body) as { response_action: string; errors: Record<string, string> }
      assert.strictEqual(refusal.response_action, "errors")
      assert.include(refusal.errors[Ids.input.note], "2000")
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "pending")
      const head = yield* Effect.promise(() => h.run(auditHead))
      yield* Effect.promise(() =>
        h.sender.submitView({ userId: People.apo.slack, callbackId: Ids.approveView, privateMetadata: view.private_metadata, values: textInput(Ids.input.note, " \n ") }))
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      const events = yield* Effect.promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => [e.action, e.reason]), [["approval.approve", null], ["user.delete", "left the company"], ["approval.execute", null]])
      assert.isNull((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).note)
    }).pipe(Effect.scoped))

  it.live("twenty concurrent approvals execute once: one deletion, one approval audit row; the others are told in the channel, only to them", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { approval } = yield* requestDeletion(h)
      const metadata = JSON.stringify({ id: approval.id, requester: People.lead.slack, from: "channel", channel: APPROVALS, ts: approval.slack!.ts })
      const head = yield* Effect.promise(() => h.run(auditHead))
      const submissions = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          Effect.promise(() =>
            h.sender.submitView({ userId: i % 2 === 0 ? People.apo.slack : People.admin.slack, callbackId: Ids.approveView, privateMetadata: metadata, values: textInput(Ids.input.note, `click ${i}`) }))),
        { concurrency: "unbounded" }
      )
      assert.isTrue(submissions.every((c) => c.status === 200))
      const refusals = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postEphemeral" && c.args["channel"] === APPROVALS, 19))
      assert.isTrue(refusals.every((r) => textOf(r).includes("is executed already")), "the other nineteen are told it was decided")
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      const events = yield* Effect.promise(() => h.run(auditSince(head)))
      assert.strictEqual(events.filter((e) => e.action === "user.delete").length, 1)
      assert.strictEqual(events.filter((e) => e.action === "approval.approve").length, 1)
      assert.strictEqual(events.length, 3)
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      assert.strictEqual(h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === People.lead.slack).length, 1, "the requester is told once")
    }).pipe(Effect.scoped))

  it.live("a repeated click or submission (Slack's redelivery, with its retry headers) changes nothing twice", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { posted, approval } = yield* requestDeletion(h)
      const value = buttons(posted)[Ids.approve]!
      const first = yield* Effect.promise(() => h.sender.click({ userId: People.apo.slack, actionId: Ids.approve, value, channel: APPROVALS, ts: approval.slack!.ts }))
      const { view } = yield* Effect.promise(() => modalFor(h.fake, first.triggerId))
      yield* Effect.promise(() => h.sender.post(first.request, { headers: retryHeaders(1) }))
      const submitted = yield* Effect.promise(() =>
        h.sender.submitView({ userId: People.apo.slack, callbackId: Ids.approveView, privateMetadata: view.private_metadata, values: textInput(Ids.input.note, "") }))
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      const head = yield* Effect.promise(() => h.run(auditHead))
      const again = yield* Effect.promise(() => h.sender.post(submitted.request, { headers: retryHeaders(1) }))
      assert.strictEqual(again.status, 200)
      const third = yield* Effect.promise(() => h.sender.post(submitted.request, { headers: retryHeaders(2, "http_error") }))
      assert.strictEqual(third.status, 200)
      yield* Effect.promise(() => h.usher(People.apo.slack, "pending"))
      assert.strictEqual(yield* Effect.promise(() => h.run(auditHead)), head)
      assert.strictEqual(h.fake.callsOf("chat.postEphemeral").length, 0, "no refusal either")
      assert.strictEqual(h.fake.callsOf("chat.update").length, 1)
      assert.lengthOf(h.fake.callsOf("views.update").filter((c) => (c.args["view"] as { callback_id?: string }).callback_id === Ids.approveView), 1, "the redelivered click opened no second form")
    }).pipe(Effect.scoped))

  it.live("/usher pending lists the requests an approver could decide, with Approve/Deny, and the requester's own, with Withdraw; others see none", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { approval } = yield* requestDeletion(h)
      const approver = yield* Effect.promise(() => h.usher(People.apo.slack, "pending"))
      assert.strictEqual(approver.args["response_type"], "ephemeral")
      for (const part of ["Pending approval requests (1)", "*Delete the account bob@acme.test*", "Requested by lead@acme.test", "left the company", `Request ${approval.id}`, `<#${APPROVALS}>`]) {
        assert.include(textOf(approver), part)
      }
      const approverButtons = buttonsByBlock(approver.args["blocks"])
      assert.deepStrictEqual(Object.keys(approverButtons[`decision:${approval.id}`] ?? {}), [Ids.approve, Ids.deny])
      const requester = yield* Effect.promise(() => h.usher(People.lead.slack, "pending"))
      assert.include(textOf(requester), "*Delete the account bob@acme.test*", "the requester sees their own")
      assert.include(textOf(requester), "You filed it.")
      assert.deepStrictEqual(Object.keys(buttonsByBlock(requester.args["blocks"])), [`withdraw:${approval.id}`], "to withdraw, not to decide")
      const outsider = yield* Effect.promise(() => h.usher(People.eve.slack, "pending"))
      assert.include(textOf(outsider), "No pending approval requests")
      assert.notInclude(textOf(outsider), "bob@acme.test")
      // an auditor at provider sees everything, but is told why they cannot decide it
      yield* Effect.promise(() => h.run(Core.grantRole({ role: "auditor", to: { user: People.eve.email }, scope: "provider" }).pipe(system)))
      const auditor = yield* Effect.promise(() => h.usher(People.eve.slack, "pending"))
      assert.include(textOf(auditor), "You cannot decide it: Permission denied: you need approvals.decide")
      assert.deepStrictEqual(buttonsByBlock(auditor.args["blocks"]), {})
    }).pipe(Effect.scoped))

  it.live("approve from /usher pending: the button on the ephemeral list opens the modal; after the decision the list is replaced by a fresh one saying so", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { approval } = yield* requestDeletion(h)
      const list = yield* Effect.promise(() => h.usher(People.apo.slack, "pending"))
      const value = buttonsByBlock(list.args["blocks"])[`decision:${approval.id}`]![Ids.approve]!
      const clickId = "pending-click"
      yield* Effect.promise(() =>
        approveThrough(h, People.apo.slack, () =>
          h.sender.click({ userId: People.apo.slack, actionId: Ids.approve, value, channel: "C0GENERAL", ts: "1700000000.000009", ephemeral: true, responseId: clickId }), "fine by me"))
      const replaced = yield* Effect.promise(() => h.fake.response(clickId))
      assert.strictEqual(replaced.args["replace_original"], true)
      assert.include(textOf(replaced), "*Approved* by <@U0APO> (apo@acme.test)")
      assert.include(textOf(replaced), "No pending approval requests")
      // the approvals message was updated where core stored it, not at the ephemeral list's ts
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.deepStrictEqual([update!.args["channel"], update!.args["ts"]], [APPROVALS, approval.slack!.ts])
      assert.include(textOf(update!), "fine by me")
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "executed")
    }).pipe(Effect.scoped))

  it.live("withdraw from /usher pending: the requester's button cancels through core; the list is replaced and the message shows it", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { approval } = yield* requestDeletion(h)
      const list = yield* Effect.promise(() => h.usher(People.lead.slack, "pending"))
      const value = buttonsByBlock(list.args["blocks"])[`withdraw:${approval.id}`]![Ids.withdraw]!
      const head = yield* Effect.promise(() => h.run(auditHead))
      // someone else's click on it (a forwarded value) is refused by core
      const other = yield* Effect.promise(() => h.sender.click({ userId: People.apo.slack, actionId: Ids.withdraw, value, channel: "C0GENERAL", ts: "1.1", ephemeral: true, responseId: "not-theirs" }))
      assert.include(textOf(yield* Effect.promise(() => h.fake.response(other.responseId))), "only the requester")
      yield* Effect.promise(() => h.sender.click({ userId: People.lead.slack, actionId: Ids.withdraw, value, channel: "C0GENERAL", ts: "1.2", ephemeral: true, responseId: "withdrawn" }))
      const replaced = yield* Effect.promise(() => h.fake.response("withdrawn"))
      assert.include(textOf(replaced), "*Withdrawn* by lead@acme.test")
      assert.include(textOf(replaced), "No pending approval requests")
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.include(textOf(update!), "*Withdrawn*")
      assert.notInclude(textOf(update!), Ids.approve)
      const events = yield* Effect.promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => [e.action, e.actor === approval.requestedById]), [["approval.cancel", true]])
    }).pipe(Effect.scoped))

  it.live("deny: the button opens a modal for the reason; submitting denies, updates the message and tells the requester", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { posted, approval } = yield* requestDeletion(h)
      const value = buttons(posted)[Ids.deny]!
      // the modal opens at once (loading); while it is pending, the requester and a non-approver see why they cannot, no form
      const ownEarly = yield* click(h, People.lead.slack, Ids.deny, value, approval.slack!.ts)
      const ownModal = yield* Effect.promise(() => modalFor(h.fake, ownEarly.triggerId))
      assert.include(JSON.stringify(ownModal.view), "yourself; someone else must approve or deny it")
      const outsiderEarly = yield* click(h, People.eve.slack, Ids.deny, value, approval.slack!.ts)
      assert.include(JSON.stringify((yield* Effect.promise(() => modalFor(h.fake, outsiderEarly.triggerId))).view), "Permission denied")
      const deny = yield* click(h, People.apo.slack, Ids.deny, value, approval.slack!.ts)
      const { view } = yield* Effect.promise(() => modalFor(h.fake, deny.triggerId))
      assert.strictEqual(view.callback_id, Ids.denyView)
      assert.include(JSON.stringify(view), "left the company")
      const blank = yield* Effect.promise(() =>
        h.sender.submitView({
          userId: People.apo.slack,
          callbackId: Ids.denyView,
          privateMetadata: view.private_metadata,
          values: { [Ids.input.reason]: { [Ids.input.reason]: { type: "plain_text_input", value: "  \n " } } }
        }))
      const refusal = JSON.parse(blank.body) as { response_action: string; errors: Record<string, string> }
      assert.strictEqual(refusal.response_action, "errors", "a blank reason is refused in the ack: the modal stays open")
      assert.include(refusal.errors[Ids.input.reason], "Say why")
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "pending")
      yield* Effect.promise(() =>
        h.sender.submitView({
          userId: People.apo.slack,
          callbackId: Ids.denyView,
          privateMetadata: view.private_metadata,
          values: { [Ids.input.reason]: { [Ids.input.reason]: { type: "plain_text_input", value: "HR says Bob stays" } } }
        }))
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.include(textOf(update!), "*Denied* by <@U0APO> (apo@acme.test)")
      assert.include(textOf(update!), "HR says Bob stays")
      const [notice] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      assert.include(textOf(notice!), "Denied")
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))).user.status, "active")

      const own = yield* click(h, People.lead.slack, Ids.deny, value, approval.slack!.ts)
      assert.include(JSON.stringify((yield* Effect.promise(() => modalFor(h.fake, own.triggerId))).view), "is denied already (by apo@acme.test)")
      const outsider = yield* click(h, People.eve.slack, Ids.deny, value, approval.slack!.ts)
      assert.include(JSON.stringify((yield* Effect.promise(() => modalFor(h.fake, outsider.triggerId))).view), "is denied already", "what the channel message says too")
      assert.lengthOf(h.fake.callsOf("views.update").filter((c) => (c.args["view"] as { callback_id?: string }).callback_id === Ids.denyView), 1, "only the approver's click got the form")
    }).pipe(Effect.scoped))

  it.live("a request decided in the CLI or dashboard gets its Slack message updated, and its requester told", () =>
    Effect.gen(function*() {
      const h = yield* harness({ sync: true, syncIntervalMs: 50 })
      const { approval } = yield* requestDeletion(h)
      yield* Effect.promise(() => h.run(Core.denyRequest(approval.id, { reason: "decided at the desk" }).pipe(Core.asUser(People.admin.email, "cli"))))
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.deepStrictEqual([update!.args["channel"], update!.args["ts"]], [APPROVALS, approval.slack!.ts])
      assert.include(textOf(update!), "*Denied* by admin@acme.test")
      assert.include(textOf(update!), `<@${People.lead.slack}> (lead@acme.test)`, "the requester found by e-mail")
      const [notice] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      assert.include(textOf(notice!), "decided at the desk")
      assert.deepStrictEqual(yield* Effect.promise(() => h.run(Core.Jobs.slackMessagesToSync.pipe(Core.Jobs.asSystem("slack")))), [], "marked up to date before the notice went out")
    }).pipe(Effect.scoped))

  it.live("a request filed in the CLI or dashboard is posted to the approvals channel once, and approved from there", () =>
    Effect.gen(function*() {
      const h = yield* harness({ sync: true, syncIntervalMs: 50 })
      const { approval } = yield* Effect.promise(() => h.run(Core.deleteUser(People.bob.email, { reason: "left, filed at the desk" }).pipe(Core.asUser(People.admin.email, "cli"))))
      const [posted] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS))
      assert.include(textOf(posted!), "Delete the account bob@acme.test")
      assert.include(textOf(posted!), "left, filed at the desk")
      const stored = yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system))).pipe(
        Effect.filterOrFail((a) => a.slack !== null),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(100))))
      )
      assert.strictEqual(stored.slack?.ts, String(posted!.answer["ts"]), "its place is recorded, so it can be updated later")
      yield* Effect.sleep("300 millis")
      assert.lengthOf(h.fake.calls.filter((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS), 1, "posted once, not on every pass")
      yield* Effect.promise(() => approveInChannel(h, People.apo.slack, buttons(posted!)[Ids.approve]!, stored.slack!.ts))
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "executed")
    }).pipe(Effect.scoped))

  it.live("on PostgreSQL a request filed in another process is posted at once, not at the next pass: the sync loop listens for commits", () =>
    Effect.gen(function*() {
      // on SQLite, which has no such signal, the pass every 200 ms posts it; on PostgreSQL the pass
      // is a minute away, so only the commit's signal can get it posted within the two seconds
      const h = yield* harness({ sync: true, syncIntervalMs: TEST_ENGINE === "pg" ? 60_000 : 200 })
      // the first pass runs at start; the request comes after it
      yield* Effect.sleep("300 millis")
      const other = Core.makeCoreRuntime(h.temp.location, h.temp.config)
      yield* Effect.promise(() => other.runPromise(Core.deleteUser(People.bob.email, { reason: "filed in another process" }).pipe(Core.asUser(People.admin.email, "cli"))))
        .pipe(Effect.ensuring(Effect.promise(() => other.dispose())))
      const [posted] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS, 1, 2000))
      assert.include(textOf(posted!), "filed in another process")
    }).pipe(Effect.scoped))

  it.live("a request that expires without a click has its message updated by the sync: no buttons left, requester told", () =>
    Effect.gen(function*() {
      const h = yield* harness({ sync: true, syncIntervalMs: 50 })
      const { approval } = yield* requestDeletion(h)
      yield* Effect.promise(() => h.run(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE approvals SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ${approval.id}`)))
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.include(textOf(update!), "*Expired*")
      assert.notInclude(textOf(update!), Ids.approve, "the buttons are gone")
      const [notice] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      assert.include(textOf(notice!), "expired")
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "expired")
    }).pipe(Effect.scoped))

  it.live("a request that cannot be posted stays filed, and the requester learns how to have it decided", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      h.fake.override("chat.postMessage", () => ({ ok: false, error: "not_in_channel" }))
      const reply = yield* Effect.promise(() => h.usher(People.lead.slack, "delete bob@acme.test left"))
      assert.include(textOf(reply), "could not be posted to the approvals channel (not_in_channel)")
      assert.include(textOf(reply), "usher approvals approve")
      const [approval] = yield* Effect.promise(() => h.run(Core.listApprovals({ status: "pending" }).pipe(system)))
      assert.strictEqual(approval?.slack, null)
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "delete bob@acme.test"))), "needs approval: give a reason for the approvers")
    }).pipe(Effect.scoped))

  it.live("a post that failed is tried again by the sync loop's next pass, and then recorded", () =>
    Effect.gen(function*() {
      const h = yield* harness({ sync: true, syncIntervalMs: 50 })
      let failures = 1
      h.fake.override("chat.postMessage", (args) => args["channel"] === APPROVALS && failures-- > 0 ? { ok: false, error: "not_in_channel" } : undefined)
      const reply = yield* Effect.promise(() => h.usher(People.lead.slack, "delete bob@acme.test left"))
      assert.include(textOf(reply), "could not be posted to the approvals channel (not_in_channel)")
      const posted = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS && c.answer["ok"] === true))
      assert.include(textOf(posted[0]!), "Delete the account bob@acme.test")
      const stored = yield* Effect.promise(() => h.run(Core.listApprovals({ status: "pending" }).pipe(system))).pipe(
        Effect.filterOrFail(([a]) => a?.slack !== null && a?.slack !== undefined),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(100))))
      )
      assert.strictEqual(stored[0]!.slack!.ts, String(posted[0]!.answer["ts"]))
      assert.lengthOf(h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === APPROVALS), 2, "one failed try, one post")
    }).pipe(Effect.scoped))

  it.live("an admin grant that configuration gates is posted for approval like a deletion, and carried out on approval", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* Effect.promise(() => h.run(Core.setSetting("approval.gates", "admin-grants").pipe(system)))
      const reply = yield* Effect.promise(() => h.usher(People.admin.slack, `role grant <@${People.bob.slack}|bob> org-admin@org:acme`))
      assert.include(textOf(reply), "needs approval: give a reason for the approvers")
      const filed = yield* Effect.promise(() => h.usher(People.admin.slack, `role grant <@${People.bob.slack}|bob> org-admin@org:acme "runs the Berlin office now"`))
      assert.include(textOf(filed), "*Grant org-admin@org:acme to bob@acme.test* needs someone else's approval")
      const [posted] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS))
      assert.include(textOf(posted!), "Grant org-admin@org:acme to bob@acme.test")
      assert.include(textOf(posted!), "*Account now*\\nbob@acme.test · active", "a grant to a user shows that user")
      yield* Effect.promise(() => approveInChannel(h, People.apo.slack, buttons(posted!)[Ids.approve]!, String(posted!.answer["ts"])))
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      const bob = yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))
      assert.include(bob.grants.map((g) => g.role), "org-admin")
    }).pipe(Effect.scoped))

  it.live("a click on an expired request, or by someone with no directory account, is refused and changes nothing", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { posted, approval } = yield* requestDeletion(h)
      const value = buttons(posted)[Ids.approve]!
      const stranger = yield* click(h, People.stranger.slack, Ids.approve, value, approval.slack!.ts)
      assert.include(JSON.stringify((yield* Effect.promise(() => modalFor(h.fake, stranger.triggerId))).view), "no user has the e-mail stranger@elsewhere.test")
      yield* Effect.promise(() => h.run(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE approvals SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ${approval.id}`)))
      const head = yield* Effect.promise(() => h.run(auditHead))
      const late = yield* click(h, People.apo.slack, Ids.approve, value, approval.slack!.ts)
      assert.include(JSON.stringify((yield* Effect.promise(() => modalFor(h.fake, late.triggerId))).view), "expired at 2000-01-01 00:00 UTC")
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.include(textOf(update!), "*Expired*", "the message shows it expired, without buttons")
      assert.notInclude(textOf(update!), Ids.approve)
      assert.strictEqual(yield* Effect.promise(() => h.run(auditHead)), head)
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))).user.status, "active")
    }).pipe(Effect.scoped))

  it.live("item 5 in Slack: an approver whose right came after the request was filed is refused in words; the request stays pending", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { posted, approval } = yield* requestDeletion(h)
      yield* Effect.promise(() => h.run(Core.grantRole({ role: "approver", to: { user: People.eve.email }, scope: "org:acme" }).pipe(system)))
      const late = yield* click(h, People.eve.slack, Ids.approve, buttons(posted)[Ids.approve]!, approval.slack!.ts)
      const refusal = yield* Effect.promise(() => modalFor(h.fake, late.triggerId))
      assert.include(JSON.stringify(refusal.view), "does not count for it")
      const still = yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))
      assert.strictEqual(still.status, "pending")
    }).pipe(Effect.scoped))
})
