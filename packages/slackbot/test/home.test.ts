import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { activeUser } from "@usher/testkit"
import { Effect } from "effect"
import { Ids } from "../src/ids.js"
import { APPROVALS, approveThrough, auditHead, auditSince, buttonsByBlock, harness, lastSeq, modalFor, People, publishedHome, textInput, textOf, type Harness } from "./support.js"

const system = Core.as("system", "cli")
const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

/** The lead asks in Slack to delete someone; resolves with the request once its message is posted. */
const fileDeletion = (h: Harness, email: string, reason: string) =>
  Effect.gen(function*() {
    const before = h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === APPROVALS).length
    yield* promise(() => h.usher(People.lead.slack, `delete ${email} "${reason}"`))
    yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS, before + 1))
    const pending = yield* promise(() => h.run(Core.listApprovals({ status: "pending" }).pipe(system)))
    return pending.find((a) => a.summary.includes(email))!
  })

/** Opens a person's Home tab and resolves with what was published. */
const openHome = (h: Harness, slackUserId: string) =>
  Effect.gen(function*() {
    const after = lastSeq(h.fake)
    const sent = yield* promise(() => h.sender.openHome(slackUserId))
    assert.strictEqual(sent.status, 200)
    return yield* promise(() => publishedHome(h.fake, slackUserId, after))
  })

describe("the App Home tab", () => {
  it.live("an approver's and a requester's Home: waiting for them with Approve/Deny, their requests with Withdraw, their access; nothing they filed or may not decide is offered", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const bob = yield* fileDeletion(h, People.bob.email, "left the company")
      const { approval: eve } = yield* promise(() => h.run(Core.deleteUser(People.eve.email, { reason: "filed at the desk" }).pipe(Core.asUser(People.admin.email, "cli"))))

      const approver = yield* openHome(h, People.apo.slack)
      assert.strictEqual(approver.view.type, "home")
      for (const part of ["Waiting for you (2)", "*Delete the account bob@acme.test*", "left the company", "*Delete the account eve@acme.test*", "Your requests", "You have no approval requests", "Your access", "*approver* @ org:acme", "granted to you directly by", "As apo@acme.test"]) {
        assert.include(approver.text, part)
      }
      const buttons = buttonsByBlock(approver.view.blocks)
      assert.deepStrictEqual(Object.keys(buttons).sort(), [`decision:${bob.id}`, `decision:${eve.id}`].sort())
      assert.deepStrictEqual(Object.keys(buttons[`decision:${bob.id}`]!), [Ids.approve, Ids.deny])

      const requester = yield* openHome(h, People.lead.slack)
      for (const part of ["Waiting for you (0)", "Nothing is waiting for your decision", "Your requests", "*Delete the account bob@acme.test*", "*user-manager* @ org:acme"]) assert.include(requester.text, part)
      assert.notInclude(requester.text, "eve@acme.test", "not theirs, and not theirs to see")
      assert.deepStrictEqual(Object.keys(buttonsByBlock(requester.view.blocks)), [`withdraw:${bob.id}`], "their own request is offered to withdraw, not to decide")

      // core's four-eyes check, not the list, decides: an approver made after the requests were filed is offered neither
      yield* promise(() => h.run(Core.grantRole({ role: "approver", to: { user: People.eve.email }, scope: "org:acme" }).pipe(system)))
      const late = yield* openHome(h, People.eve.slack)
      assert.include(late.text, "Waiting for you (0)")
      assert.deepStrictEqual(buttonsByBlock(late.view.blocks), {})
      // the approver's view is published as the approver's: user_id and nothing more
      assert.deepStrictEqual(Object.keys(approver.call.args).filter((k) => k !== "token").sort(), ["user_id", "view"])
    }).pipe(Effect.scoped))

  it.live("approve (with a note), deny and withdraw from the Home tab go through core; the approvals message is updated and the Home published again saying so", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* promise(() => h.run(activeUser({ email: "carl@acme.test", firstName: "Carl" })))
      const bob = yield* fileDeletion(h, People.bob.email, "left the company")
      const eve = yield* fileDeletion(h, People.eve.email, "moved on")
      const carl = yield* fileDeletion(h, "carl@acme.test", "changed teams")
      const home = yield* openHome(h, People.apo.slack)
      const buttons = buttonsByBlock(home.view.blocks)
      const head = yield* promise(() => h.run(auditHead))

      let after = lastSeq(h.fake)
      yield* promise(() =>
        approveThrough(h, People.apo.slack, () => h.sender.homeClick({ userId: People.apo.slack, actionId: Ids.approve, value: buttons[`decision:${bob.id}`]![Ids.approve]! }), "ok from home"))
      const approved = yield* promise(() => publishedHome(h.fake, People.apo.slack, after))
      assert.include(approved.text, "*Approved* by <@U0APO> (apo@acme.test)")
      assert.include(approved.text, "ok from home")
      assert.include(approved.text, "Waiting for you (2)", "bob's request is no longer waiting")
      assert.isUndefined(buttonsByBlock(approved.view.blocks)[`decision:${bob.id}`])
      const [update] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.update" && c.args["ts"] === bob.slack!.ts))
      assert.include(textOf(update!), "*Approved* by <@U0APO>")
      assert.include(textOf(update!), "ok from home")
      assert.deepStrictEqual(update!.args["channel"], APPROVALS)

      after = lastSeq(h.fake)
      const deny = yield* promise(() => h.sender.homeClick({ userId: People.apo.slack, actionId: Ids.deny, value: buttons[`decision:${eve.id}`]![Ids.deny]! }))
      const { view } = yield* promise(() => modalFor(h.fake, deny.triggerId))
      assert.strictEqual(view.callback_id, Ids.denyView)
      yield* promise(() => h.sender.submitView({ userId: People.apo.slack, callbackId: Ids.denyView, privateMetadata: view.private_metadata, values: textInput(Ids.input.reason, "still needed") }))
      const denied = yield* promise(() => publishedHome(h.fake, People.apo.slack, after))
      assert.include(denied.text, "*Denied* by <@U0APO> (apo@acme.test)")
      assert.include(denied.text, "Waiting for you (1)")
      yield* promise(() => h.fake.waitFor((c) => c.method === "chat.update" && c.args["ts"] === eve.slack!.ts))

      const lead = yield* openHome(h, People.lead.slack)
      after = lastSeq(h.fake)
      yield* promise(() => h.sender.homeClick({ userId: People.lead.slack, actionId: Ids.withdraw, value: buttonsByBlock(lead.view.blocks)[`withdraw:${carl.id}`]![Ids.withdraw]! }))
      const withdrawn = yield* promise(() => publishedHome(h.fake, People.lead.slack, after))
      assert.include(withdrawn.text, "*Withdrawn* by lead@acme.test")
      assert.include(withdrawn.text, "Decided lately")
      assert.deepStrictEqual(buttonsByBlock(withdrawn.view.blocks), {}, "nothing left to withdraw")
      const [gone] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.update" && c.args["ts"] === carl.slack!.ts))
      assert.include(textOf(gone!), "*Withdrawn*")

      const events = yield* promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => [e.action, e.via]), [
        ["approval.approve", "slack"], ["user.delete", "slack"], ["approval.execute", "slack"], ["approval.deny", "slack"], ["approval.cancel", "slack"]
      ])
      assert.strictEqual(events[0]!.reason, "ok from home")
      assert.strictEqual(events[3]!.reason, "still needed")
      const states = yield* promise(() => h.run(Effect.forEach([bob, eve, carl], (a) => Core.showApproval(a.id)).pipe(system)))
      assert.deepStrictEqual(states.map((a) => a.status), ["executed", "denied", "canceled"])
    }).pipe(Effect.scoped))

  it.live("a decision refused at submission (decided meanwhile elsewhere) is shown on the Home tab, which shows the request as it is now", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const bob = yield* fileDeletion(h, People.bob.email, "left the company")
      const home = yield* openHome(h, People.apo.slack)
      const click = yield* promise(() => h.sender.homeClick({ userId: People.apo.slack, actionId: Ids.approve, value: buttonsByBlock(home.view.blocks)[`decision:${bob.id}`]![Ids.approve]! }))
      const { view } = yield* promise(() => modalFor(h.fake, click.triggerId))
      yield* promise(() => h.run(Core.denyRequest(bob.id, { reason: "decided at the desk" }).pipe(Core.asUser(People.admin.email, "cli"))))
      const after = lastSeq(h.fake)
      yield* promise(() => h.sender.submitView({ userId: People.apo.slack, callbackId: Ids.approveView, privateMetadata: view.private_metadata, values: textInput(Ids.input.note, "") }))
      const shown = yield* promise(() => publishedHome(h.fake, People.apo.slack, after))
      assert.include(shown.text, ":warning: Approval request")
      assert.include(shown.text, "is denied already (by admin@acme.test)")
      assert.include(shown.text, "Waiting for you (0)")
      // a click on a stale button of the tab is refused in its modal, before anything is typed
      const stale = yield* promise(() => h.sender.homeClick({ userId: People.apo.slack, actionId: Ids.deny, value: buttonsByBlock(home.view.blocks)[`decision:${bob.id}`]![Ids.deny]! }))
      assert.include(JSON.stringify((yield* promise(() => modalFor(h.fake, stale.triggerId))).view), "is denied already")
    }).pipe(Effect.scoped))

  it.live("someone usher cannot act for sees a short explanation; the Messages tab and other workspaces get nothing published", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const stranger = yield* openHome(h, People.stranger.slack)
      assert.include(stranger.text, "no user has the e-mail stranger@elsewhere.test")
      assert.include(stranger.text, "Once you act as a directory account here")
      assert.deepStrictEqual(buttonsByBlock(stranger.view.blocks), {})
      assert.include((yield* openHome(h, People.unverified.slack)).text, "no verified e-mail")
      yield* promise(() => h.run(Core.suspendUser(People.lead.email, { reason: "leave" }).pipe(system)))
      assert.include((yield* openHome(h, People.lead.slack)).text, "is suspended, so you cannot use usher")

      const before = h.fake.callsOf("views.publish").length
      yield* promise(() => h.sender.event({ type: "app_home_opened", user: People.apo.slack, channel: "D0APO", tab: "messages", event_ts: "1.1" }))
      yield* promise(() => h.sender.openHome(People.apo.slack, { teamId: "T0OTHER1" }))
      yield* promise(() => h.sender.openHome(People.apo.slack, { appId: "A0OTHER1" }))
      // a later opening is published: the ones before it were handled (and published nothing)
      yield* openHome(h, People.admin.slack)
      assert.deepStrictEqual(h.fake.callsOf("views.publish").slice(before).map((c) => c.args["user_id"]), [People.admin.slack])
    }).pipe(Effect.scoped))

  it.live("when Slack refuses views.publish the failure is only logged; the next opening publishes", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      h.fake.failWith("views.publish", "internal_error", { times: 1 })
      yield* promise(() => h.sender.openHome(People.apo.slack))
      yield* promise(() => h.fake.waitFor((c) => c.method === "views.publish" && c.answer["ok"] === false))
      const again = yield* openHome(h, People.apo.slack)
      assert.strictEqual(again.call.answer["ok"], true)
    }).pipe(Effect.scoped))
})
