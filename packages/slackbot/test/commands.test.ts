import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { retryHeaders } from "@usher/testkit"
import { Effect } from "effect"
import { Ids } from "../src/ids.js"
import { auditHead, auditSince, harness, modalFor, People, textOf } from "./support.js"

const system = Core.as("system", "cli")

describe("slash commands", () => {
  it.live("whois and why, by mention and by e-mail; help; bad syntax gets the usage line", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const whois = yield* Effect.promise(() => h.usher(People.lead.slack, `whois <@${People.bob.slack}|bob>`))
      assert.strictEqual(whois.args["response_type"], "ephemeral")
      assert.include(textOf(whois), "Bob Builder (bob@acme.test)")
      assert.include(textOf(whois), "auditor @ org:acme")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "whois bob@acme.test"))), "Bob Builder")

      const has = yield* Effect.promise(() => h.usher(People.lead.slack, `why <@${People.bob.slack}|bob> audit.read org:acme`))
      assert.include(textOf(has), "has *audit.read* at org:acme")
      assert.include(textOf(has), "directly: auditor @ org:acme")
      const hasNot = yield* Effect.promise(() => h.usher(People.lead.slack, "why bob@acme.test users.delete"))
      assert.include(textOf(hasNot), "does not have *users.delete* at org:acme")

      const help = textOf(yield* Effect.promise(() => h.usher(People.bob.slack, "help")))
      assert.include(help, "/usher delete @user|EMAIL reason…")
      // where a person's own account page is, under USHER_PUBLIC_URL
      assert.include(help, "Your own account — profile, sessions, password: <http://localhost:8080/account|")
      const bad = yield* Effect.promise(() => h.usher(People.lead.slack, "suspend"))
      assert.include(textOf(bad), "Say whom")
      assert.include(textOf(bad), "/usher suspend @user|EMAIL [reason…]")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "whois @bob"))), "Unknown user @bob")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "whois nobody@acme.test"))), "No user nobody@acme.test in the directory.")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, `whois <@${People.stranger.slack}|stranger>`))), "has no directory account")
    }).pipe(Effect.scoped))

  it.live("a Slack user with no directory account, or a suspended one, can do nothing and is told why", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const head = yield* Effect.promise(() => h.run(auditHead))
      const stranger = yield* Effect.promise(() => h.usher(People.stranger.slack, "suspend bob@acme.test"))
      assert.strictEqual(stranger.args["response_type"], "ephemeral")
      assert.include(textOf(stranger), "no user has the e-mail stranger@elsewhere.test")
      const unverified = yield* Effect.promise(() => h.usher(People.unverified.slack, "whois bob@acme.test"))
      assert.include(textOf(unverified), "no verified e-mail", "an unconfirmed Slack e-mail does not count")

      yield* Effect.promise(() => h.run(Core.suspendUser(People.lead.email, { reason: "leave" }).pipe(system)))
      const after = yield* Effect.promise(() => h.run(auditHead))
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "suspend bob@acme.test"))), "is suspended, so you cannot use usher")
      assert.strictEqual(yield* Effect.promise(() => h.run(auditHead)), after, "nothing was written")
      assert.isAbove(after, head)
      const bob = yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))
      assert.strictEqual(bob.user.status, "active")

      yield* Effect.promise(() => h.run(Core.linkSlackUser(People.unverified.slack, People.apo.email).pipe(system)))
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.unverified.slack, "whois bob@acme.test"))), "Bob Builder", "an explicit link maps them")
    }).pipe(Effect.scoped))

  it.live("suspend and reactivate run as the Slack user's directory identity, audited via slack", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const head = yield* Effect.promise(() => h.run(auditHead))
      const suspended = yield* Effect.promise(() => h.usher(People.lead.slack, `suspend <@${People.bob.slack}|bob> "on leave until June"`))
      assert.include(textOf(suspended), "Suspended *bob@acme.test*")
      const denied = yield* Effect.promise(() => h.usher(People.eve.slack, "reactivate bob@acme.test"))
      assert.include(textOf(denied), "Permission denied: you need users.reactivate at org:acme")
      const again = yield* Effect.promise(() => h.usher(People.lead.slack, "suspend bob@acme.test"))
      assert.include(textOf(again), "Cannot suspend a user who is suspended")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, `reactivate <@${People.bob.slack}|bob>`))), "Reactivated *bob@acme.test*")

      const lead = yield* Effect.promise(() => h.run(Core.showUser(People.lead.email).pipe(system)))
      const events = yield* Effect.promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => [e.action, e.actor, e.via]), [["user.suspend", lead.user.id, "slack"], ["user.reactivate", lead.user.id, "slack"]])
      assert.deepStrictEqual(events.map((e) => e.reason), ["on leave until June", null])
    }).pipe(Effect.scoped))

  it.live("role grant and revoke; delegation and unknown roles are refused in plain words", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.admin.slack, `role grant <@${People.bob.slack}|bob> approver@org:acme`))), "Granted *approver* at org:acme to bob@acme.test")
      const detail = yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))
      assert.deepStrictEqual(detail.grants.map((g) => g.role).sort(), ["approver", "auditor"])
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.admin.slack, "role revoke bob@acme.test approver@org:acme"))), "Revoked *approver* at org:acme from bob@acme.test")
      const escalation = yield* Effect.promise(() => h.usher(People.lead.slack, "role grant bob@acme.test org-admin@org:acme"))
      assert.include(textOf(escalation), "You cannot grant org-admin at org:acme")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.admin.slack, "role grant bob@acme.test wizard"))), "No role named wizard.")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.admin.slack, "role revoke bob@acme.test approver"))), "does not hold approver at org:acme")
      // time-bound: `for 8h` ends the grant on its own, eight hours from now
      const before = Date.now()
      const bounded = textOf(yield* Effect.promise(() => h.usher(People.admin.slack, "role grant bob@acme.test approver@org:acme for 8h covering the on-call week")))
      assert.include(bounded, "Granted *approver* at org:acme to bob@acme.test until <!date^")
      const grant = (yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))).grants.find((g) => g.role === "approver")!
      const ends = Date.parse(grant.expiresAt!) - before
      assert.isTrue(ends >= 8 * 3_600_000 && ends < 8 * 3_600_000 + 60_000, grant.expiresAt!)
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.admin.slack, "role grant bob@acme.test auditor for 400d"))), "is not a duration")
    }).pipe(Effect.scoped))

  it.live("invite: by command (link only to the inviter, or mailed), and through the modal when given nothing", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const linked = yield* Effect.promise(() => h.usher(People.lead.slack, "invite <mailto:new@acme.test|new@acme.test> auditor group:ops --link"))
      assert.include(textOf(linked), "No group named ops.")
      yield* Effect.promise(() => h.run(Core.createGroup({ name: "ops" }).pipe(system)))
      const withLink = yield* Effect.promise(() => h.usher(People.lead.slack, "invite <mailto:new@acme.test|new@acme.test> auditor group:ops --link"))
      assert.include(textOf(withLink), "Invited *new@acme.test* to acme")
      assert.match(textOf(withLink), /http:\/\/localhost:8080\/invite\/[A-Za-z0-9_-]{40,}/)
      const invitee = yield* Effect.promise(() => h.run(Core.showUser("new@acme.test").pipe(system)))
      assert.deepStrictEqual([invitee.user.status, invitee.grants.map((g) => g.role), invitee.groups.map((g) => g.name)], ["invited", ["auditor"], ["ops"]])
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "invite new@acme.test"))), "already used by another account")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "invite not-an-email"))), "is not a valid e-mail address")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.eve.slack, "invite x@acme.test"))), "Permission denied: you need users.invite at org:acme")
      const mailed = yield* Effect.promise(() => h.usher(People.lead.slack, "invite mailed@acme.test"))
      assert.include(textOf(mailed), "The invitation mail is on its way to mailed@acme.test")

      // the modal opens at once (loading); someone who may not invite sees why in it, instead of a form
      const refusedForm = yield* Effect.promise(() => h.sender.command({ userId: People.eve.slack, text: "invite" }))
      const refused = yield* Effect.promise(() => modalFor(h.fake, refusedForm.triggerId))
      assert.include(JSON.stringify(refused.view), "Permission denied: you need users.invite at org:acme")
      assert.isUndefined(refused.view.callback_id, "no form for someone who may not invite")
      const form = yield* Effect.promise(() => h.sender.command({ userId: People.lead.slack, text: "invite" }))
      const { view } = yield* Effect.promise(() => modalFor(h.fake, form.triggerId))
      assert.strictEqual(view.callback_id, Ids.inviteView)
      const values = (email: string, roles = "") => ({
        [Ids.input.email]: { [Ids.input.email]: { type: "plain_text_input", value: email } },
        [Ids.input.firstName]: { [Ids.input.firstName]: { type: "plain_text_input", value: "Mo" } },
        [Ids.input.lastName]: { [Ids.input.lastName]: { type: "plain_text_input", value: null } },
        [Ids.input.roles]: { [Ids.input.roles]: { type: "plain_text_input", value: roles } },
        [Ids.input.groups]: { [Ids.input.groups]: { type: "plain_text_input", value: "ops" } },
        [Ids.input.link]: { [Ids.input.link]: { type: "checkboxes", selected_options: [{ value: "link" }] } }
      })
      const invalid = yield* Effect.promise(() =>
        h.sender.submitView({ userId: People.lead.slack, callbackId: Ids.inviteView, privateMetadata: view.private_metadata, values: values("mo@", "a@org:acme b") }))
      const errors = JSON.parse(invalid.body) as { response_action: string; errors: Record<string, string> }
      assert.strictEqual(errors.response_action, "errors")
      assert.include(errors.errors[Ids.input.email], "not a valid e-mail address")
      assert.include(errors.errors[Ids.input.roles], "same scope")
      const submitted = yield* Effect.promise(() =>
        h.sender.submitView({ userId: People.lead.slack, callbackId: Ids.inviteView, privateMetadata: view.private_metadata, values: values("Mo@Acme.test", "auditor") }))
      assert.strictEqual(submitted.status, 200)
      const answer = yield* Effect.promise(() => h.fake.response(form.responseId))
      assert.include(textOf(answer), "Invited *mo@acme.test* to acme")
      const mo = yield* Effect.promise(() => h.run(Core.showUser("mo@acme.test").pipe(system)))
      assert.deepStrictEqual([mo.user.firstName, mo.grants.map((g) => g.role), mo.groups.map((g) => g.name)], ["Mo", ["auditor"], ["ops"]])
    }).pipe(Effect.scoped))

  it.live("a redelivered command (with Slack's retry headers) changes nothing twice", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const first = yield* Effect.promise(() => h.sender.command({ userId: People.lead.slack, text: "delete bob@acme.test left the company" }))
      yield* Effect.promise(() => h.fake.response(first.responseId))
      const again = yield* Effect.promise(() => h.sender.post(first.request, { headers: retryHeaders(1) }))
      assert.strictEqual(again.status, 200, "acknowledged like any delivery")
      const third = yield* Effect.promise(() => h.sender.post(first.request, { headers: retryHeaders(2, "http_error") }))
      assert.strictEqual(third.status, 200)
      yield* Effect.promise(() => h.usher(People.lead.slack, "pending"))
      const approvals = yield* Effect.promise(() => h.run(Core.listApprovals({}).pipe(system)))
      assert.strictEqual(approvals.length, 1)
      assert.strictEqual(h.fake.callsOf("chat.postMessage").length, 1)
      assert.strictEqual(h.fake.callsOf("respond", first.responseId).length, 1)
    }).pipe(Effect.scoped))

  it.live("item 1 (Slack): once a Slack user has acted, an e-mail that later names another account never moves them; they are told why", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "whois bob@acme.test"))), "Bob Builder")
      // the lead's account gets another e-mail and the admin's account the lead's Slack e-mail
      yield* Effect.promise(() => h.run(Core.updateUser(People.lead.email, { email: "lead.old@acme.test" }).pipe(system)))
      yield* Effect.promise(() => h.run(Core.updateUser(People.admin.email, { email: People.lead.email }).pipe(system)))
      const head = yield* Effect.promise(() => h.run(auditHead))
      const refused = yield* Effect.promise(() => h.usher(People.lead.slack, "role grant bob@acme.test org-admin@org:acme"))
      assert.strictEqual(refused.args["response_type"], "ephemeral")
      assert.include(textOf(refused), "acts as the directory account lead.old@acme.test")
      assert.include(textOf(refused), "never moves a Slack identity by e-mail")
      assert.strictEqual(yield* Effect.promise(() => h.run(auditHead)), head, "nothing was written")
      const bob = yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))
      assert.notInclude(bob.grants.map((g) => g.role), "org-admin")
    }).pipe(Effect.scoped))
})
