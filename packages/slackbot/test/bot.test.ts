import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runLogged } from "../src/bot.js"
import { harness, People, textOf } from "./support.js"

/** Holds the thread for `ms`, the way a synchronous database call does. */
const blockFor = (ms: number) =>
  Effect.sync(() => {
    const until = performance.now() + ms
    while (performance.now() < until) {
      // busy: better-sqlite3 holds the event loop like this during a statement or a commit
    }
  })

describe("the bot's work and its acknowledgements", () => {
  it.live("work that holds the event loop in many short synchronous steps does not delay the ack of a request arriving meanwhile", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const bot = h.running.bot
      const started = performance.now()
      // four pieces of work of 200 synchronous 1 ms steps each: 800 ms of blocking in all
      const work = Array.from({ length: 4 }, () => runLogged(bot, "busy work", Effect.forEach(Array.from({ length: 200 }), () => blockFor(1), { discard: true })))
      const workDone = Promise.all(work).then(() => performance.now())
      const sent = yield* Effect.promise(() => h.sender.command({ userId: People.lead.slack, text: "help" }))
      assert.strictEqual(sent.status, 200)
      const ackedAt = performance.now()
      const doneAt = yield* Effect.promise(() => workDone)
      // an order, not a time: without slicing the ack comes only after all the work
      assert.isBelow(ackedAt, doneAt, "acknowledged between two slices of the work, not after all of it")
      assert.isAbove(doneAt - started, 800, "the work itself did run")
      yield* Effect.promise(() => h.fake.response(sent.responseId))
    }).pipe(Effect.scoped))

  it.live("a command is acknowledged before its work: with users.info held back, the ack comes at once and the reply once Slack answers", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      let release = () => {}
      const held = new Promise<void>((resolve) => release = resolve)
      let asked = () => {}
      const reached = new Promise<void>((resolve) => asked = resolve)
      h.fake.override("users.info", async () => {
        asked()
        await held
        return undefined
      })
      const sent = yield* Effect.promise(() => h.sender.command({ userId: People.lead.slack, text: "whois bob@acme.test" }))
      assert.strictEqual(sent.status, 200)
      assert.strictEqual(sent.body, "", "an empty ack; the answer comes through the response URL")
      yield* Effect.promise(() => reached)
      assert.lengthOf(h.fake.callsOf("respond", sent.responseId), 0, "the work is still waiting for Slack")
      release()
      assert.include(textOf(yield* Effect.promise(() => h.fake.response(sent.responseId))), "Bob Builder (bob@acme.test)")
    }).pipe(Effect.scoped))
})
