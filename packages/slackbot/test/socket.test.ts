import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { blockActionsPayload, slashCommandFields, viewSubmissionPayload, type RecordedCall } from "@usher/testkit"
import { Effect } from "effect"
import { Ids } from "../src/ids.js"
import { APPROVALS, auditHead, auditSince, People, socketHarness, textOf } from "./support.js"

const system = Core.as("system", "cli")

const approveValue = (message: RecordedCall): string => {
  const actions = (message.args["blocks"] as ReadonlyArray<{ type: string; elements?: ReadonlyArray<{ action_id: string; value: string }> }>).find((b) => b.type === "actions")
  return actions!.elements!.find((e) => e.action_id === Ids.approve)!.value
}

describe("Socket Mode", () => {
  it.live("a delete command and the approver's click arrive over the socket; redelivered envelopes change nothing twice", () =>
    Effect.gen(function*() {
      const h = yield* socketHarness()
      const command = slashCommandFields(h.fake.teamId, { userId: People.lead.slack, text: "delete bob@acme.test left the company", triggerId: "trigger-s-1", responseUrl: h.fake.responseUrl("s-cmd") })
      yield* Effect.promise(() => h.socket.send("slash_commands", command))
      assert.include(textOf(yield* Effect.promise(() => h.fake.response("s-cmd"))), "needs someone else's approval")
      const [posted] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS))
      yield* Effect.promise(() => h.socket.send("slash_commands", command, { retryAttempt: 1, retryReason: "timeout" }))

      const head = yield* Effect.promise(() => h.run(auditHead))
      const click = blockActionsPayload(h.fake.teamId, {
        userId: People.apo.slack, actionId: Ids.approve, value: approveValue(posted!), channel: APPROVALS, ts: String(posted!.answer["ts"]),
        triggerId: "trigger-s-2", responseUrl: h.fake.responseUrl("s-click")
      })
      const ack = yield* Effect.promise(() => h.socket.send("interactive", click))
      assert.isString(ack.envelope_id)
      const [form] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "views.update"))
      const view = form!.args["view"] as { callback_id: string; private_metadata: string }
      assert.strictEqual(view.callback_id, Ids.approveView)
      const submission = viewSubmissionPayload(h.fake.teamId, {
        userId: People.apo.slack, callbackId: Ids.approveView, privateMetadata: view.private_metadata, values: {}, triggerId: "trigger-s-4", viewId: "V-s-4"
      })
      assert.isString((yield* Effect.promise(() => h.socket.send("interactive", submission))).envelope_id)
      const [update] = yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.update"))
      assert.include(textOf(update!), "*Approved* by <@U0APO> (apo@acme.test)")
      yield* Effect.promise(() => h.socket.send("interactive", click, { retryAttempt: 1, retryReason: "timeout" }))
      yield* Effect.promise(() => h.socket.send("interactive", submission, { retryAttempt: 1, retryReason: "timeout" }))

      // a later command's answer: the redelivered envelopes were handled (each claims first, in order)
      yield* Effect.promise(() => h.socket.send("slash_commands", slashCommandFields(h.fake.teamId, { userId: People.apo.slack, text: "pending", triggerId: "trigger-s-3", responseUrl: h.fake.responseUrl("s-pending") })))
      assert.include(textOf(yield* Effect.promise(() => h.fake.response("s-pending"))), "No pending approval requests")
      const events = yield* Effect.promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => e.action), ["approval.approve", "user.delete", "approval.execute"])
      assert.lengthOf(yield* Effect.promise(() => h.run(Core.listApprovals({}).pipe(system))), 1)
      assert.lengthOf(h.fake.callsOf("chat.update"), 1)
      assert.lengthOf(h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === APPROVALS), 1)
      assert.lengthOf(h.fake.callsOf("respond", "s-cmd"), 1)
      assert.lengthOf(h.fake.callsOf("respond", "s-click"), 0)
    }).pipe(Effect.scoped))

  it.live("a click from another workspace over the socket is acknowledged and executes nothing", () =>
    Effect.gen(function*() {
      const h = yield* socketHarness()
      const { approval } = yield* Effect.promise(() => h.run(Core.deleteUser(People.bob.email, { reason: "left" }).pipe(Core.asUser(People.lead.email, "cli"))))
      const head = yield* Effect.promise(() => h.run(auditHead))
      const click = blockActionsPayload(h.fake.teamId, {
        userId: People.apo.slack, actionId: Ids.approve, value: JSON.stringify({ id: approval.id, requester: null }), channel: APPROVALS, ts: "1.1",
        triggerId: "trigger-s-9", responseUrl: h.fake.responseUrl("s-other"), teamId: "T0OTHER1", appId: "A0OTHER1"
      })
      assert.isString((yield* Effect.promise(() => h.socket.send("interactive", click))).envelope_id)
      yield* Effect.promise(() => h.socket.send("slash_commands", slashCommandFields(h.fake.teamId, { userId: People.apo.slack, text: "pending", triggerId: "trigger-s-10", responseUrl: h.fake.responseUrl("s-after") })))
      yield* Effect.promise(() => h.fake.response("s-after"))
      assert.strictEqual(yield* Effect.promise(() => h.run(auditHead)), head)
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "pending")
      assert.lengthOf(h.fake.callsOf("respond", "s-other"), 0)
    }).pipe(Effect.scoped))
})
