/**
 * The Slack bot's latency on loopback: ack latency of 50 concurrent signed slash commands (goal
 * p99 ≤ 50 ms), also during a 429 storm; command → reply latency while another user's
 * `users.info` takes 12 s (goal p99 ≤ 1 s); and Approve submission → `chat.update` latency (goal ≤ 200 ms),
 * each printed beside a baseline measured in the same run (a bare HTTP server answering the
 * same signed requests; the same Bolt receiver acknowledging and doing nothing else; the bot
 * when Slack behaves; core's approve use case called directly).
 */
import { App, LogLevel } from "@slack/bolt"
import * as Core from "@usher/core"
import { activeUser, FakeSlackApi, initialized, makeTempDirectory, SlackSender } from "@usher/testkit"
import { Effect } from "effect"
import { once } from "node:events"
import { loadavg } from "node:os"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Worker } from "node:worker_threads"
import { EVENTS_PATH, startBot } from "../src/app.js"
import { Ids } from "../src/ids.js"
import { GuardedHTTPReceiver } from "../src/receiver.js"

const SECRET = "bench-signing-secret"
const CONCURRENCY = 50
const ROUNDS = 10
const CLICKS = 30

const percentile = (samples: ReadonlyArray<number>, p: number) => {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}
const ms = (n: number) => `${n.toFixed(1)} ms`
const line = (label: string, samples: ReadonlyArray<number>, goal?: number, baseline?: ReadonlyArray<number>) => {
  const p99 = percentile(samples, 99)
  const verdict = goal === undefined ? "" : p99 <= goal ? `  (goal p99 ≤ ${goal} ms: met)` : `  (goal p99 ≤ ${goal} ms: NOT met)`
  const ratio = baseline === undefined ? "" : `  p99 ×${(p99 / percentile(baseline, 99)).toFixed(2)} of the baseline`
  console.log(`  ${label.padEnd(46)} p50 ${ms(percentile(samples, 50)).padStart(9)}   p99 ${ms(p99).padStart(9)}   n=${samples.length}${verdict}${ratio}`)
  return samples
}

const temp = makeTempDirectory()
const fake = await FakeSlackApi.start([{ id: "U0LEAD", email: "lead@acme.test" }, { id: "U0APO", email: "apo@acme.test" }, { id: "U0SLOW", email: "slow@acme.test" }])
const runtime = Core.makeCoreRuntime(temp.location)
const system = Core.as("system", "cli")
await runtime.runPromise(Effect.gen(function*() {
  yield* initialized
  yield* activeUser({ email: "lead@acme.test", roles: ["user-manager"] })
  yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
  for (let i = 0; i < CLICKS * 2; i++) yield* activeUser({ email: `member${i}@acme.test` })
  for (let i = 0; i < CONCURRENCY * (ROUNDS + 1); i++) yield* activeUser({ email: `temp${i}@acme.test` })
  for (let i = 0; i < CONCURRENCY * (ROUNDS + 1); i++) yield* activeUser({ email: `storm${i}@acme.test` })
  yield* activeUser({ email: "slow@acme.test" })
}).pipe(Effect.orDie))

const running = await startBot({
  botToken: "xoxb-bench",
  mode: { _tag: "http", signingSecret: SECRET, port: 0, host: "127.0.0.1" },
  approvalsChannel: "C0APPROVALS",
  apiUrl: fake.apiUrl,
  command: "/usher",
  syncIntervalMs: 60_000
}, runtime, { logLevel: LogLevel.ERROR, sync: false })
const sender = new SlackSender(`http://127.0.0.1:${running.port}/slack/events`, SECRET, fake.teamId, (id) => fake.responseUrl(id))

const bare = createServer((req, res) => {
  req.resume()
  req.on("end", () => res.writeHead(200).end())
})
bare.listen(0, "127.0.0.1")
await once(bare, "listening")

// Bolt's own cost of verifying, parsing and acknowledging a command, with no work after the ack
const ackOnly = new App({
  token: "xoxb-bench",
  receiver: new GuardedHTTPReceiver({ signingSecret: SECRET, endpoints: EVENTS_PATH, logLevel: LogLevel.ERROR }),
  botId: fake.botId,
  botUserId: fake.botUserId,
  clientOptions: { slackApiUrl: fake.apiUrl },
  logLevel: LogLevel.ERROR
})
ackOnly.command("/usher", async ({ ack }) => {
  await ack()
})
const ackOnlyPort = (((await ackOnly.start({ port: 0, host: "127.0.0.1" })) as Server).address() as AddressInfo).port

/** Runs rounds of 50 concurrent signed commands from a worker thread; waits for the replies of each round when `replies` is set. */
const acks = async (url: string, rounds: number, replies: boolean, text = "whois lead@acme.test") => {
  const worker = new Worker(new URL("./load.mjs", import.meta.url), {
    workerData: { url, secret: SECRET, teamId: fake.teamId, responseBase: fake.apiUrl.replace(/\/api\/$/, ""), concurrency: CONCURRENCY, userId: "U0LEAD", text }
  })
  const samples: Array<number> = []
  for (let round = 0; round <= rounds; round++) {
    const before = fake.callsOf("respond").length
    worker.postMessage({ round })
    const [answer] = (await once(worker, "message")) as [{ samples: Array<number> }]
    if (round > 0) samples.push(...answer.samples)
    // the next round starts once this one's work is done: ack latency under 50 concurrent commands, not under a backlog
    if (replies) await fake.waitFor((c) => c.method === "respond", before + CONCURRENCY, 60_000)
  }
  await worker.terminate()
  return samples
}

console.log(`Slack bot on loopback (HTTP receiver, real signatures, SQLite directory), Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`)
console.log(`\nAck latency, ${CONCURRENCY} concurrent signed slash commands × ${ROUNDS} rounds from another thread (after a warm-up round):`)
line("baseline: bare HTTP server, same requests", await acks(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/slack/events`, ROUNDS, false))
line("baseline: Bolt receiver acking, no work", await acks(`http://127.0.0.1:${ackOnlyPort}${EVENTS_PATH}`, ROUNDS, false))
const quiet = line("usher-slack: /usher whois (a read), ack", await acks(`http://127.0.0.1:${running.port}/slack/events`, ROUNDS, true), 50)
line("usher-slack: /usher suspend (a change), ack", await acks(`http://127.0.0.1:${running.port}/slack/events`, ROUNDS, true, "suspend temp{n}@acme.test bench"), 50)
const suspended = await runtime.runPromise(Core.listUsers({ status: "suspended" }).pipe(system))
if (suspended.length !== CONCURRENCY * (ROUNDS + 1)) throw new Error(`expected every suspend to be carried out, found ${suspended.length} suspended users`)

// a 429 storm: every post and update is answered 429 (Retry-After 1 s), background posts are waiting it out,
// and each command files a deletion whose post to the approvals channel is refused at once
fake.rateLimit("chat.postMessage", 1)
fake.rateLimit("chat.update", 1)
const storming = Array.from({ length: 20 }, (_, i) => running.bot.background.chat.postMessage({ channel: "C0APPROVALS", text: `storm ${i}` }).catch(() => undefined))
console.log(`\nAck latency during a 429 storm (every chat.postMessage and chat.update answered 429, Retry-After 1 s; background posts waiting it out):`)
line("usher-slack: /usher delete (posts, 429), ack", await acks(`http://127.0.0.1:${running.port}/slack/events`, ROUNDS, true, "delete storm{n}@acme.test bench"), 50, quiet)
fake.override("chat.postMessage", undefined)
fake.override("chat.update", undefined)
await Promise.all(storming)

/** From sending a signed command to its reply through the response URL, `count` commands one after another. */
const responses = async (count: number, text: string) => {
  const samples: Array<number> = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    const sent = await sender.command({ userId: "U0LEAD", text })
    const reply = await fake.response(sent.responseId, 1, 30_000)
    samples.push(reply.at - started)
  }
  return samples
}
console.log(`\nCommand → reply latency (respond), 100 sequential /usher whois by a team lead:`)
const calm = line("baseline: the same, users.info answering at once", await responses(100, "whois apo@acme.test"))
// someone's users.info takes 12 s: batches of eight of their commands keep arriving
fake.slow("users.info", 12_000, { when: (args) => args["user"] === "U0SLOW" })
let slowSent = 0
const slowLoad = setInterval(() => {
  for (let i = 0; i < 8; i++) void sender.command({ userId: "U0SLOW", text: "whois slow@acme.test" }).then(() => slowSent++)
}, 500)
line("usher-slack: while users.info takes 12 s for others", await responses(100, "whois apo@acme.test"), 1_000, calm)
clearInterval(slowLoad)
console.log(`  (${slowSent} commands with a 12 s users.info were sent meanwhile; each times out after 2.5 s)`)

const direct: Array<number> = []
for (let i = 0; i < CLICKS; i++) {
  const { approval } = await runtime.runPromise(Core.deleteUser(`member${i}@acme.test`, { reason: "bench" }).pipe(Core.asUser("lead@acme.test", "cli")))
  const started = performance.now()
  await runtime.runPromise(Core.approveRequest(approval.id).pipe(Core.asUser("apo@acme.test", "cli")))
  direct.push(performance.now() - started)
}

const clicks: Array<number> = []
for (let i = CLICKS; i < CLICKS * 2; i++) {
  const { approval } = await runtime.runPromise(Core.deleteUser(`member${i}@acme.test`, { reason: "bench" }).pipe(Core.asUser("lead@acme.test", "cli")))
  const ts = `1800000000.${String(i).padStart(6, "0")}`
  await runtime.runPromise(Core.Jobs.recordSlackMessage(approval.id, "C0APPROVALS", ts).pipe(Core.Jobs.asSystem("slack")).pipe(system))
  const started = performance.now()
  // the Approve button opens the note modal; its submission approves
  const metadata = JSON.stringify({ id: approval.id, requester: "U0LEAD", from: "channel", channel: "C0APPROVALS", ts })
  const sent = sender.submitView({ userId: "U0APO", callbackId: Ids.approveView, privateMetadata: metadata, values: {} })
  const [update] = await fake.waitFor((c) => c.method === "chat.update" && c.args["ts"] === ts)
  await sent
  clicks.push(update!.at - started)
}
console.log(`\nApprove submission → chat.update latency, ${CLICKS} sequential approvals (each deletes a user):`)
line("baseline: core approveRequest called directly", direct)
line("usher-slack: Approve submitted → chat.update", clicks, 200)

console.log(`\nload average at the end: ${loadavg()[0]!.toFixed(2)} (figures on a busy machine include other processes' time)`)

await running.stop()
await runtime.dispose()
await fake.stop()
bare.close()
await ackOnly.stop()
temp.cleanup()
