import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { Effect } from "effect"
import { Ids } from "../src/ids.js"
import { MAX_FUTURE_SKEW_SECONDS, timestampAcceptable } from "../src/receiver.js"
import { refusal } from "../src/workspace.js"
import { APPROVALS, auditHead, harness, People } from "./support.js"

const system = Core.as("system", "cli")

describe("request verification", () => {
  it.live("forged, stale and future-dated requests get 401 and change nothing; a signed one goes through", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const { approval } = yield* Effect.promise(() => h.run(Core.deleteUser(People.bob.email, { reason: "left" }).pipe(Core.asUser(People.lead.email, "cli"))))
      const head = yield* Effect.promise(() => h.run(auditHead))
      const now = Math.floor(Date.now() / 1000)
      const command = { userId: People.admin.slack, text: "suspend bob@acme.test forged" }
      const value = JSON.stringify({ id: approval.id, requester: null })
      const attempts = [
        h.sender.command(command, { secret: "not-the-secret" }),
        h.sender.command(command, { signature: "v0=" }),
        h.sender.command(command, { timestamp: now - 301 }),
        h.sender.command(command, { timestamp: now + 3600 }),
        h.sender.command(command, { timestamp: now + MAX_FUTURE_SKEW_SECONDS + 5 }),
        h.sender.click({ userId: People.apo.slack, actionId: Ids.approve, value, channel: APPROVALS, ts: "1.1" }, { secret: "not-the-secret" }),
        h.sender.click({ userId: People.apo.slack, actionId: Ids.approve, value, channel: APPROVALS, ts: "1.1" }, { timestamp: now + 600 })
      ]
      const answers = yield* Effect.promise(() => Promise.all(attempts))
      assert.deepStrictEqual(answers.map((a) => a.status), [401, 401, 401, 401, 401, 401, 401])
      const fine = yield* Effect.promise(() => h.usher(People.admin.slack, "whois bob@acme.test"))
      assert.strictEqual(fine.args["response_type"], "ephemeral")
      assert.strictEqual(yield* Effect.promise(() => h.run(auditHead)), head, "nothing written")
      assert.deepStrictEqual(h.fake.calls.filter((c) => c.method === "respond").map((c) => c.responseId), [fine.responseId!], "only the signed request was answered")
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))).user.status, "active")
      assert.strictEqual((yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "pending")
    }).pipe(Effect.scoped))

  it("the timestamp window: at most 300 s old, not from the future beyond clock skew, a number", () => {
    const now = 1_800_000_000_000
    const s = now / 1000
    assert.isTrue(timestampAcceptable(String(s), now))
    assert.isTrue(timestampAcceptable(String(s - 300), now))
    assert.isFalse(timestampAcceptable(String(s - 301), now))
    assert.isTrue(timestampAcceptable(String(s + MAX_FUTURE_SKEW_SECONDS), now))
    assert.isFalse(timestampAcceptable(String(s + MAX_FUTURE_SKEW_SECONDS + 1), now))
    for (const bad of [undefined, "", "abc", "1e9", "-5", ["1", "2"]]) assert.isFalse(timestampAcceptable(bad, now))
  })

  it("which requests are ours: the workspace (or its Enterprise Grid organization) on the list, and our app", () => {
    const served = { teams: new Set(["T0TEAM01", "E0GRID01"]), appId: "A0USHER1" }
    const click = (team: string, extra: Record<string, unknown> = {}) => ({ api_app_id: "A0USHER1", team: { id: team }, user: { id: "U1", team_id: team }, ...extra })
    assert.isUndefined(refusal({ api_app_id: "A0USHER1", team_id: "T0TEAM01" }, served))
    assert.isUndefined(refusal(click("T0TEAM01"), served))
    assert.isUndefined(refusal(click("T0OTHER1", { enterprise: { id: "E0GRID01" } }), served), "another workspace of our Enterprise Grid organization")
    assert.include(refusal(click("T0OTHER1"), served), "another workspace (T0OTHER1)")
    assert.include(refusal(click("T0OTHER1", { enterprise: { id: "E0OTHER1" } }), served), "another workspace")
    assert.include(refusal({ ...click("T0TEAM01"), user: { id: "U1", team_id: "T0OTHER1" } }, served), "another workspace (T0OTHER1)", "a user of another workspace (Slack Connect)")
    assert.include(refusal(click("T0TEAM01", { api_app_id: "A0OTHER1" }), served), "another app")
    assert.include(refusal({ api_app_id: "A0USHER1" }, served), "no workspace")
    assert.isUndefined(refusal(click("T0TEAM01", { api_app_id: "A0OTHER1" }), { ...served, appId: undefined }), "no app id known: the workspace alone")
  })

  it.live("the health check answers without a signature (for load balancers)", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const response = yield* Effect.promise(() => fetch(`http://127.0.0.1:${h.running.port}/healthz`))
      assert.strictEqual(response.status, 200)
    }).pipe(Effect.scoped))
})
