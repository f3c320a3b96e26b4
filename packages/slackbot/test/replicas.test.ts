import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { Effect, Schedule } from "effect"
import { syncOnce } from "../src/approvals.js"
import { loopFriendly } from "../src/bot.js"
import { noticesOnce } from "../src/notices.js"
import { APPROVALS, auditHead, auditSince, harness, People, textOf } from "./support.js"

const system = Core.as("system", "cli")

describe("several replicas on one database", () => {
  it.live("a request filed in the CLI is posted once by two replicas' sync loops; a command delivered to both is acted on once", () =>
    Effect.gen(function*() {
      // Both replicas share this one process: when one holds the write lock across an event-loop
      // turn (the bot's work runs in slices), the other's synchronous busy wait stalls the whole
      // process for up to the 5 s busy timeout (separate processes, as in production, do not). So
      // this test waits longer than the fake API's default for each answer, and lets a Slack call
      // made across such a stall take longer than the fail-fast client's 2.5 s (what is tested here
      // is that the work is done once, not how fast a person hears of it).
      const h = yield* harness({ sync: true, syncIntervalMs: 20, interactiveTimeoutMs: 25_000 })
      const other = yield* Effect.promise(() => h.replica({ sync: true, syncIntervalMs: 20, interactiveTimeoutMs: 25_000 }))
      const patience = 25_000
      const { approval } = yield* Effect.promise(() => h.run(Core.deleteUser(People.bob.email, { reason: "left, filed at the desk" }).pipe(Core.asUser(People.admin.email, "cli"))))
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS, 1, patience))
      yield* Effect.promise(() => h.run(Core.showApproval(approval.id).pipe(system))).pipe(
        Effect.filterOrFail((a) => a.slack !== null),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(100))))
      )
      // more passes of both replicas at once, beside their loops: nothing left to post
      for (let i = 0; i < 3; i++) {
        yield* Effect.promise(() => Promise.all([h.run(syncOnce(h.running.bot)), other.running.bot.runtime.runPromise(syncOnce(other.running.bot))]))
      }
      assert.lengthOf(h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === APPROVALS), 1, "posted once")

      const head = yield* Effect.promise(() => h.run(auditHead))
      const body = h.sender.commandBody({ userId: People.lead.slack, text: "suspend eve@acme.test on leave", triggerId: "trigger-both", responseId: "both" })
      const [first, second] = yield* Effect.promise(() => Promise.all([h.sender.post(body), other.sender.post(body)]))
      assert.deepStrictEqual([first.status, second.status], [200, 200])
      assert.include(textOf(yield* Effect.promise(() => h.fake.response("both", 1, patience))), "Suspended *eve@acme.test*")
      // each replica answers a later command after the delivery it got (its work runs in order)
      for (const sender of [h.sender, other.sender]) {
        const later = yield* Effect.promise(() => sender.command({ userId: People.lead.slack, text: "whois eve@acme.test" }))
        yield* Effect.promise(() => h.fake.response(later.responseId, 1, patience))
      }
      const events = yield* Effect.promise(() => h.run(auditSince(head)))
      assert.deepStrictEqual(events.map((e) => e.action), ["user.suspend"])
      assert.lengthOf(h.fake.callsOf("respond", "both"), 1, "one answer, from whichever replica acted")
    }).pipe(Effect.scoped))

  it.live("a request filed in the CLI: with two replicas' notice loops and more passes of both at once, each who may decide it is sent one direct message", () =>
    Effect.gen(function*() {
      // the same in-process stall as above: patience, not speed, is what this allows for
      const h = yield* harness({ notices: true, syncIntervalMs: 20, interactiveTimeoutMs: 25_000 })
      const other = yield* Effect.promise(() => h.replica({ notices: true, syncIntervalMs: 20, interactiveTimeoutMs: 25_000 }))
      const patience = 25_000
      const deciders: ReadonlyArray<string> = [People.admin.slack, People.apo.slack]
      const dms = () => h.fake.callsOf("chat.postMessage").filter((c) => deciders.includes(String(c.args["channel"])))
      // passes of both replicas beside their loops, from the moment the request is filed, in the
      // bot's own slices (so that they interleave as the loops do)
      const passes = (n: number) =>
        Promise.all([h.running.bot, other.running.bot].map(async (bot) => {
          for (let i = 0; i < n; i++) await bot.runtime.runPromise(Effect.withScheduler(noticesOnce(bot), loopFriendly))
        }))
      yield* Effect.promise(() => h.run(Core.deleteUser(People.bob.email, { reason: "left, filed at the desk" }).pipe(Core.asUser(People.lead.email, "cli"))))
      yield* Effect.promise(() => passes(3))
      yield* Effect.promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && deciders.includes(String(c.args["channel"])), 2, patience))
      yield* Effect.promise(() => passes(2))
      assert.deepStrictEqual(dms().map((c) => c.args["channel"]).sort(), [...deciders], "one each")
      assert.lengthOf(h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === People.lead.slack), 0, "the requester decides nothing")
      // five passes of two replicas across such stalls, and a wait of up to `patience`, need more
      // than the suite's 30 s under load (seen in CI): the test is of single sending, not speed
    }).pipe(Effect.scoped), 90_000)
})
