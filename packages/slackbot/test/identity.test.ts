import { assert, describe, it } from "@effect/vitest"
import { webApi } from "@slack/bolt"
import { FakeSlackApi } from "@usher/testkit"
import { Effect } from "effect"
import { makeIdentity } from "../src/identity.js"
import { harness, People, textOf } from "./support.js"

const infoCalls = (fake: FakeSlackApi, slackUserId: string) => fake.callsOf("users.info").filter((c) => c.args["user"] === slackUserId).length

describe("who Slack users are", () => {
  it.live("users.info is asked once per Slack user for a while: three commands, one call; a failed call is not remembered", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      for (let i = 0; i < 3; i++) assert.include(textOf(yield* Effect.promise(() => h.usher(People.lead.slack, "whois bob@acme.test"))), "Bob Builder")
      assert.strictEqual(infoCalls(h.fake, People.lead.slack), 1)

      const together = yield* Effect.all(Array.from({ length: 3 }, () => Effect.promise(() => h.usher(People.apo.slack, "whois bob@acme.test"))), { concurrency: "unbounded" })
      assert.isTrue(together.every((reply) => textOf(reply).includes("Bob Builder")))
      assert.strictEqual(infoCalls(h.fake, People.apo.slack), 1, "concurrent commands share one call")

      let failures = 1
      h.fake.override("users.info", (args) => args["user"] === People.eve.slack && failures-- > 0 ? { ok: false, error: "internal_error" } : undefined)
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.eve.slack, "whois eve@acme.test"))), "Slack did not answer users.info (internal_error)")
      assert.include(textOf(yield* Effect.promise(() => h.usher(People.eve.slack, "whois eve@acme.test"))), "eve@acme.test", "asked again, and answered")
      assert.strictEqual(infoCalls(h.fake, People.eve.slack), 2)
    }).pipe(Effect.scoped))

  it.live("a remembered e-mail is asked for again once its time is up", () =>
    Effect.gen(function*() {
      const fake = yield* Effect.acquireRelease(Effect.promise(() => FakeSlackApi.start([{ id: People.lead.slack, email: People.lead.email }])), (f) => Effect.promise(() => f.stop()))
      let now = 1_000_000
      const identity = makeIdentity(new webApi.WebClient("xoxb-test", { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }), { ttlMs: 60_000, now: () => now })
      assert.strictEqual(yield* identity.verifiedEmail(People.lead.slack), People.lead.email)
      now += 59_999
      assert.strictEqual(yield* identity.verifiedEmail(People.lead.slack), People.lead.email)
      assert.strictEqual(infoCalls(fake, People.lead.slack), 1)
      now += 1
      assert.strictEqual(yield* identity.verifiedEmail(People.lead.slack), People.lead.email)
      assert.strictEqual(infoCalls(fake, People.lead.slack), 2)
    }).pipe(Effect.scoped))
})
