import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { activeUser, type RecordedCall } from "@usher/testkit"
import { Effect, Schedule } from "effect"
import { MAX_SYNC_TRIES } from "../src/approvals.js"
import { Ids } from "../src/ids.js"
import { MAX_FUTURE_SKEW_SECONDS } from "../src/receiver.js"
import { APPROVALS, approveInChannel, auditHead, harness, modalFor, People, textOf, type Harness } from "./support.js"

const system = Core.as("system", "cli")
const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

/** Files a deletion in the CLI (the sync loop posts it, or the test records where it "was"). */
const fileInCli = (h: Harness, email: string = People.bob.email) =>
  promise(() => h.run(Core.deleteUser(email, { reason: "left, filed at the desk" }).pipe(Core.asUser(People.lead.email, "cli")))).pipe(Effect.map((r) => r.approval))

/** The lead asks in Slack to delete bob; the request is posted; returns the request. */
const requestDeletion = (h: Harness) =>
  Effect.gen(function*() {
    yield* promise(() => h.usher(People.lead.slack, `delete <@${People.bob.slack}|bob> "left the company"`))
    yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS && c.answer["ok"] === true))
    const [approval] = yield* promise(() => h.run(Core.listApprovals({ status: "pending" }).pipe(system)))
    // the message's place is recorded just after Slack answered the post
    return yield* until("its message is recorded", () => h.run(Core.showApproval(approval!.id).pipe(system)), (a) => a.slack !== null)
  })

const approveValue = (approval: Core.ApprovalRequest) => JSON.stringify({ id: approval.id, requester: People.lead.slack })

const until = <A>(what: string, get: () => Promise<A>, ok: (a: A) => boolean) =>
  promise(get).pipe(
    Effect.filterOrFail(ok),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(150)))),
    Effect.orElse(() => Effect.dieMessage(`timed out waiting until ${what}`))
  )

const postsTo = (h: Harness, channel: string) => h.fake.callsOf("chat.postMessage").filter((c) => c.args["channel"] === channel)

/** Every string inside a value (a reply's text and blocks). */
const strings = (value: unknown): ReadonlyArray<string> =>
  typeof value === "string" ? [value] : Array.isArray(value) ? value.flatMap(strings) : value !== null && typeof value === "object" ? Object.values(value).flatMap(strings) : []

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const BROKEN_ENTITY = /&(?!amp;|lt;|gt;)/

describe("when Slack misbehaves", () => {
  it.live("1: a 429 with Retry-After on a background post holds up neither an uncached whois, nor the modal of a click, nor a command's post", () =>
    Effect.gen(function*() {
      const h = yield* harness({ sync: true, syncIntervalMs: 50 })
      const clicked = yield* fileInCli(h, People.eve.email)
      yield* promise(() => h.run(Core.Jobs.recordSlackMessage(clicked.id, APPROVALS, "1700000000.000001").pipe(Core.Jobs.asSystem("slack"))))
      // the sync loop's post of a request filed in the CLI is answered 429, Retry-After 3 s
      h.fake.rateLimit("chat.postMessage", 3, { times: 1 })
      yield* fileInCli(h)
      yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.answer["httpStatus"] === 429))
      const whois = yield* promise(() => h.usher(People.admin.slack, "whois bob@acme.test"))
      assert.include(textOf(whois), "Bob Builder")
      const deny = yield* promise(() => h.sender.click({ userId: People.apo.slack, actionId: Ids.deny, value: approveValue(clicked), channel: APPROVALS, ts: "1700000000.000001" }))
      const { view } = yield* promise(() => modalFor(h.fake, deny.triggerId))
      assert.strictEqual(view.callback_id, Ids.denyView)
      assert.lengthOf(postsTo(h, APPROVALS), 1, "all of it before the rate-limited post was tried again")
      // a command's own post fails fast under a rate limit, and says what will happen
      h.fake.rateLimit("chat.postMessage", 3, { times: 1 })
      yield* promise(() => h.run(activeUser({ email: "carl@acme.test" })))
      const filed = yield* promise(() => h.usher(People.lead.slack, "delete carl@acme.test \"moved on\""))
      assert.include(textOf(filed), "could not be posted to the approvals channel (ratelimited)")
      assert.include(textOf(filed), "Slack is limiting how fast the bot may post")
      assert.lengthOf(postsTo(h, APPROVALS).filter((c) => c.answer["ok"] === true), 0, "still before the first post's retry")
    }).pipe(Effect.scoped))

  it.live("2: commands whose users.info is slow time out on their own and hold no work slot: help and other people's commands are answered first", () =>
    Effect.gen(function*() {
      const h = yield* harness({ interactiveTimeoutMs: 300 })
      yield* promise(() => h.usher(People.lead.slack, "whois bob@acme.test"))
      h.fake.slow("users.info", 2_000, { when: (args) => args["user"] === People.eve.slack })
      const slow = yield* Effect.all(Array.from({ length: 10 }, () => promise(() => h.sender.command({ userId: People.eve.slack, text: "whois eve@acme.test" }))), { concurrency: "unbounded" })
      const help = yield* promise(() => h.usher(People.lead.slack, "help"))
      const whois = yield* promise(() => h.usher(People.lead.slack, "whois bob@acme.test"))
      assert.include(textOf(help), "/usher delete")
      assert.include(textOf(whois), "Bob Builder")
      const slowReplies = yield* Effect.forEach(slow, (s) => promise(() => h.fake.response(s.responseId)))
      for (const reply of slowReplies) assert.include(textOf(reply), "Slack did not answer users.info (timeout)")
      assert.isTrue(slowReplies.every((r) => r.seq > whois.seq), "the others were answered before the slow ones timed out")
      assert.lengthOf(h.fake.callsOf("users.info").filter((c) => c.args["user"] === People.eve.slack), 0, "they timed out before Slack answered")
    }).pipe(Effect.scoped))

  it.live("3: with chat.update answering message_not_found, an approval executes, the requester is told, the approver hears it was posted anew", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const approval = yield* requestDeletion(h)
      h.fake.failWith("chat.update", "message_not_found")
      yield* promise(() => approveInChannel(h, People.apo.slack, approveValue(approval), approval.slack!.ts))
      const [notice] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      assert.include(textOf(notice!), "Approved")
      const [reply] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.apo.slack))
      assert.include(textOf(reply!), "*Approved* by <@U0APO>")
      assert.include(textOf(reply!), "posted anew")
      const reposted = postsTo(h, APPROVALS)
      assert.lengthOf(reposted, 2, "posted once anew")
      assert.include(textOf(reposted[1]!), "*Approved* by")
      const stored = yield* until("the new message is recorded", () => h.run(Core.showApproval(approval.id).pipe(system)), (a) => a.slack?.ts === String(reposted[1]!.answer["ts"]))
      assert.strictEqual(stored.status, "executed")
    }).pipe(Effect.scoped))

  it.live("3: a denial whose message can be neither updated nor posted anew still reaches the requester, and the decider hears why the message is stale", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const approval = yield* requestDeletion(h)
      h.fake.failWith("chat.update", "channel_not_found")
      h.fake.failWith("chat.postMessage", "channel_not_found", { when: (args) => args["channel"] === APPROVALS })
      const metadata = JSON.stringify({ id: approval.id, requester: People.lead.slack, channel: APPROVALS, ts: approval.slack!.ts })
      yield* promise(() =>
        h.sender.submitView({
          userId: People.apo.slack,
          callbackId: Ids.denyView,
          privateMetadata: metadata,
          values: { [Ids.input.reason]: { [Ids.input.reason]: { type: "plain_text_input", value: "not now" } } }
        }))
      const [notice] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      assert.include(textOf(notice!), "not now")
      const [decider] = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.apo.slack))
      assert.include(textOf(decider!), "*Denied* by <@U0APO>")
      assert.include(textOf(decider!), "could not be updated (channel_not_found)")
    }).pipe(Effect.scoped))

  it.live("3: the sync loop reposts a message it cannot update once, then gives up; a failing update is retried with back-off and a limit", () =>
    Effect.gen(function*() {
      const h = yield* harness({ sync: true, syncIntervalMs: 50 })
      // archived: the update fails, and so does the one repost; then nothing more
      const archived = yield* requestDeletion(h)
      h.fake.failWith("chat.update", "is_archived")
      h.fake.failWith("chat.postMessage", "is_archived", { when: (args) => args["channel"] === APPROVALS })
      yield* promise(() => h.run(Core.denyRequest(archived.id, { reason: "decided at the desk" }).pipe(Core.asUser(People.admin.email, "cli"))))
      yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === People.lead.slack))
      yield* Effect.sleep("400 millis")
      assert.lengthOf(h.fake.callsOf("chat.update"), 1, "one update")
      assert.lengthOf(postsTo(h, APPROVALS), 2, "the first post and one repost")
      assert.deepStrictEqual(yield* promise(() => h.run(Core.Jobs.slackMessagesToSync.pipe(Core.Jobs.asSystem("slack")))), [], "given up")
      // a transient failure: tried again later and later, at most MAX_SYNC_TRIES times
      h.fake.override("chat.update", undefined)
      h.fake.override("chat.postMessage", undefined)
      h.fake.failWith("chat.update", "internal_error")
      const flaky = yield* fileInCli(h, People.eve.email)
      yield* until("posted", () => h.run(Core.showApproval(flaky.id).pipe(system)), (a) => a.slack !== null)
      yield* promise(() => h.run(Core.denyRequest(flaky.id, { reason: "no" }).pipe(Core.asUser(People.admin.email, "cli"))))
      yield* promise(() => h.fake.waitFor((c) => c.method === "chat.update" && c.args["ts"] !== archived.slack!.ts, MAX_SYNC_TRIES, 8_000))
      yield* Effect.sleep("600 millis")
      const tries = h.fake.callsOf("chat.update").filter((c) => c.args["ts"] !== archived.slack!.ts)
      assert.lengthOf(tries, MAX_SYNC_TRIES, "no more tries after the limit")
      const gaps = tries.slice(1).map((c, i) => c.at - tries[i]!.at)
      assert.isTrue(gaps.every((gap, i) => i === 0 || gap > gaps[i - 1]!), `the gaps grow: ${gaps.map(Math.round).join(", ")} ms`)
    }).pipe(Effect.scoped))

  it.live("5: a reason of emoji or of & < > is clipped between code points and outside entities; the fallback text is clipped too", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      for (const reason of ["😀".repeat(1000), "&<>".repeat(666)]) {
        const before = postsTo(h, APPROVALS).length
        const filed = yield* promise(() => h.usher(People.lead.slack, `delete eve@acme.test ${reason}`))
        const [posted] = (yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS, before + 1))).slice(before)
        for (const message of [filed, posted!]) {
          for (const text of strings([message.args["text"], message.args["blocks"]])) {
            assert.notMatch(text, LONE_SURROGATE)
            assert.notMatch(text, BROKEN_ENTITY)
          }
          assert.isAtMost(String(message.args["text"]).length, 3000)
        }
        const [approval] = yield* promise(() => h.run(Core.listApprovals({ status: "pending" }).pipe(system)))
        yield* promise(() => h.run(Core.cancelRequest(approval!.id).pipe(Core.asUser(People.lead.email, "cli"))))
      }
    }).pipe(Effect.scoped))

  it.live("7: /usher help works for anyone, even without a directory account", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      assert.include(textOf(yield* promise(() => h.usher(People.stranger.slack, "help"))), "/usher delete @user|EMAIL reason…")
      assert.include(textOf(yield* promise(() => h.usher(People.unverified.slack, ""))), "/usher whois")
      assert.include(textOf(yield* promise(() => h.usher(People.stranger.slack, "whois bob@acme.test"))), "no user has the e-mail stranger@elsewhere.test")
    }).pipe(Effect.scoped))

  it.live("8: posts to one channel are spaced out: requests filed in the CLI appear about one a second, not all at once", () =>
    Effect.gen(function*() {
      const h = yield* harness({ sync: true, syncIntervalMs: 50, postIntervalMs: 250 })
      yield* promise(() => h.run(Effect.forEach(["m1", "m2", "m3", "m4"], (m) => activeUser({ email: `${m}@acme.test` }))))
      yield* promise(() => h.run(Effect.forEach(["m1", "m2", "m3", "m4"], (m) => Core.deleteUser(`${m}@acme.test`, { reason: "reorganisation" }).pipe(Core.asUser(People.lead.email, "cli")))))
      const posts = yield* promise(() => h.fake.waitFor((c) => c.method === "chat.postMessage" && c.args["channel"] === APPROVALS, 3, 5_000))
      const gaps = posts.slice(1).map((c, i) => c.at - posts[i]!.at)
      assert.isTrue(gaps.every((gap) => gap >= 240), `at least 250 ms apart: ${gaps.map(Math.round).join(", ")} ms`)
    }).pipe(Effect.scoped))

  it.live("10: the requester's advice fits Slack's error: invite the bot, the channel is archived, Slack is rate-limiting", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["channel_not_found", "Invite the bot to the approvals channel"],
        ["not_in_channel", "Invite the bot to the approvals channel"],
        ["is_archived", "The approvals channel is archived: set USHER_SLACK_APPROVALS_CHANNEL to another channel"],
        ["ratelimited", "Slack is limiting how fast the bot may post"]
      ]
      for (const [error, advice] of cases) {
        if (error === "ratelimited") h.fake.rateLimit("chat.postMessage", 1, { times: 1 })
        else h.fake.failWith("chat.postMessage", error, { times: 1 })
        const reply = yield* promise(() => h.usher(People.lead.slack, "delete bob@acme.test left"))
        assert.include(textOf(reply), `(${error})`)
        assert.include(textOf(reply), advice, error)
        if (error !== "not_in_channel" && error !== "channel_not_found") assert.notInclude(textOf(reply), "Invite the bot", error)
        const [approval] = yield* promise(() => h.run(Core.listApprovals({ status: "pending" }).pipe(system)))
        yield* promise(() => h.run(Core.cancelRequest(approval!.id).pipe(Core.asUser(People.lead.email, "cli"))))
      }
    }).pipe(Effect.scoped))
})

describe("only our workspace", () => {
  it.live("9: a correctly signed click or command carrying another workspace's team_id, or another app's api_app_id, executes nothing", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const approval = yield* requestDeletion(h)
      const head = yield* promise(() => h.run(auditHead))
      const click = { userId: People.apo.slack, actionId: Ids.approve, value: approveValue(approval), channel: APPROVALS, ts: approval.slack!.ts }
      const attempts = yield* promise(() =>
        Promise.all([
          h.sender.click({ ...click, teamId: "T0OTHER1", appId: "A0OTHER1" }),
          h.sender.click({ ...click, teamId: "T0OTHER1" }),
          h.sender.click({ ...click, appId: "A0OTHER1" }),
          h.sender.click({ ...click, teamId: "T0OTHER1", enterpriseId: "E0OTHER1" }),
          h.sender.command({ userId: People.admin.slack, text: "suspend bob@acme.test", teamId: "T0OTHER1" })
        ]))
      assert.isTrue(attempts.every((a) => a.status === 200), "acknowledged, as Slack expects")
      yield* Effect.sleep("300 millis")
      assert.strictEqual(yield* promise(() => h.run(auditHead)), head, "nothing written")
      assert.strictEqual((yield* promise(() => h.run(Core.showApproval(approval.id).pipe(system)))).status, "pending")
      assert.strictEqual((yield* promise(() => h.run(Core.showUser(People.bob.email).pipe(system)))).user.status, "active")
      assert.lengthOf(h.fake.callsOf("chat.update"), 0)
      assert.lengthOf(h.fake.calls.filter((c: RecordedCall) => c.method === "respond" && attempts.some((a) => a.responseId === c.responseId)), 0, "nothing answered")
      assert.lengthOf(h.fake.callsOf("views.update"), 0, "no modal got a form")
      // the same click from our workspace and app opens the form, and its submission approves
      yield* promise(() => approveInChannel(h, click.userId, click.value, click.ts))
      yield* until("approved", () => h.run(Core.showApproval(approval.id).pipe(system)), (a) => a.status === "executed")
    }).pipe(Effect.scoped))

  it.live("9: clock skew: a timestamp up to 30 s ahead is accepted, one further ahead refused", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const now = Math.floor(Date.now() / 1000)
      const near = yield* promise(() => h.sender.command({ userId: People.lead.slack, text: "help" }, { timestamp: now + MAX_FUTURE_SKEW_SECONDS - 5 }))
      assert.strictEqual(near.status, 200)
      assert.include(textOf(yield* promise(() => h.fake.response(near.responseId))), "/usher delete")
      const far = yield* promise(() => h.sender.command({ userId: People.lead.slack, text: "help" }, { timestamp: now + MAX_FUTURE_SKEW_SECONDS + 5 }))
      assert.strictEqual(far.status, 401)
      assert.strictEqual(MAX_FUTURE_SKEW_SECONDS, 30)
    }).pipe(Effect.scoped))
})
