import { LogLevel } from "@slack/bolt"
import { SqlClient } from "@effect/sql"
import * as Core from "@usher/core"
import { activeUser, FakeSlackApi, FakeSocketMode, initialized, makeTempDirectory, SlackSender, type RecordedCall, type TempDirectory } from "@usher/testkit"
import { Clock, Effect } from "effect"
import { startBot, type RunningBot } from "../src/app.js"
import { Ids } from "../src/ids.js"
import type { BotConfig } from "../src/config.js"

/** The signing secret the test bot and sender share. */
export const SECRET = "8f742231b10e8888abcd99yyyzzz85a5"

/** The approvals channel of the test bot. */
export const APPROVALS = "C0APPROVALS"

/**
 * The people of the test directory and their Slack accounts: a provider admin, a team lead
 * (user-manager), an approver, two members, and Slack users with no directory account.
 */
export const People = {
  admin: { slack: "U0ADMIN", email: "admin@acme.test" },
  lead: { slack: "U0LEAD", email: "lead@acme.test" },
  apo: { slack: "U0APO", email: "apo@acme.test" },
  bob: { slack: "U0BOB", email: "bob@acme.test" },
  eve: { slack: "U0EVE", email: "eve@acme.test" },
  stranger: { slack: "U0STRANGER", email: "stranger@elsewhere.test" },
  unverified: { slack: "U0UNVERIFIED", email: "lead@acme.test" }
} as const

/** A bot on loopback against a fake Slack API and a real temp directory. */
export interface Harness {
  /** the directory the bot serves (its location and configuration, for another process's runtime) */
  readonly temp: TempDirectory
  readonly fake: FakeSlackApi
  readonly sender: SlackSender
  readonly running: RunningBot
  readonly runtime: ReturnType<typeof Core.makeCoreRuntime>
  /** runs a core effect against the bot's directory */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Promise<A>
  /** sends `/usher TEXT` as a Slack user and waits for the first ephemeral reply */
  readonly usher: (slackUserId: string, text: string) => Promise<RecordedCall>
  /** starts another bot on the same database and fake Slack (a second replica), closed with the harness */
  readonly replica: (options?: HarnessOptions) => Promise<{ readonly running: RunningBot; readonly sender: SlackSender }>
  readonly close: () => Promise<void>
}

/** The plain text of everything in a reply or message: its fallback text and its blocks. */
export const textOf = (call: RecordedCall): string => JSON.stringify([call.args["text"], call.args["blocks"]])

/** The harness's options: the approval sync loop and the notice loop (each off unless asked for) and their interval. */
export interface HarnessOptions {
  readonly sync?: boolean
  readonly notices?: boolean
  readonly syncIntervalMs?: number
  /** how long a call someone waits on may take (the bot's default is 2,500 ms) */
  readonly interactiveTimeoutMs?: number
  /** the least time between two posts to one channel (default here 10 ms, to keep tests quick; the bot's is 1,000 ms) */
  readonly postIntervalMs?: number
}

/** A temp directory with `acme` and the people above, and a fake Slack API that knows them. */
const directoryAndSlack = async () => {
  const temp = makeTempDirectory()
  const fake = await FakeSlackApi.start([
    { id: People.admin.slack, email: People.admin.email },
    { id: People.lead.slack, email: People.lead.email },
    { id: People.apo.slack, email: People.apo.email },
    { id: People.bob.slack, email: People.bob.email },
    { id: People.eve.slack, email: People.eve.email },
    { id: People.stranger.slack, email: People.stranger.email },
    { id: People.unverified.slack, email: People.unverified.email, emailConfirmed: false }
  ])
  const runtime = Core.makeCoreRuntime(temp.location, temp.config)
  await runtime.runPromise(Effect.gen(function*() {
    yield* initialized
    yield* activeUser({ email: People.lead.email, firstName: "Lea", roles: ["user-manager"] })
    yield* activeUser({ email: People.apo.email, firstName: "Apo", roles: ["approver"] })
    yield* activeUser({ email: People.bob.email, firstName: "Bob", lastName: "Builder", roles: ["auditor"] })
    yield* activeUser({ email: People.eve.email, firstName: "Eve" })
  }).pipe(Effect.orDie))
  return { temp, fake, runtime }
}

const botConfig = (fake: FakeSlackApi, mode: BotConfig["mode"], options: HarnessOptions): BotConfig => ({
  botToken: "xoxb-test-token",
  mode,
  approvalsChannel: APPROVALS,
  apiUrl: fake.apiUrl,
  command: "/usher",
  syncIntervalMs: options.syncIntervalMs ?? 100,
  postIntervalMs: options.postIntervalMs ?? 10,
  ...(options.interactiveTimeoutMs === undefined ? {} : { interactiveTimeoutMs: options.interactiveTimeoutMs })
})

const HTTP_MODE: BotConfig["mode"] = { _tag: "http", signingSecret: SECRET, port: 0, host: "127.0.0.1" }

/** Starts a test bot (HTTP mode, 127.0.0.1, random port); the directory has `acme` and the people above. */
export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const { temp, fake, runtime } = await directoryAndSlack()
  const run = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => runtime.runPromise(effect)
  const running = await startBot(botConfig(fake, HTTP_MODE, options), runtime, { logLevel: LogLevel.ERROR, sync: options.sync ?? false, notices: options.notices ?? false })
  const sender = new SlackSender(`http://127.0.0.1:${running.port}/slack/events`, SECRET, fake.teamId, (id) => fake.responseUrl(id))
  const closeReplicas: Array<() => Promise<void>> = []
  return {
    temp,
    fake,
    sender,
    running,
    runtime,
    run,
    usher: async (slackUserId, text) => {
      const sent = await sender.command({ userId: slackUserId, text })
      if (sent.status !== 200) throw new Error(`the command was answered ${sent.status}`)
      return fake.response(sent.responseId)
    },
    replica: async (replicaOptions = options) => {
      const replicaRuntime = Core.makeCoreRuntime(temp.location, temp.config)
      const replicaBot = await startBot(botConfig(fake, HTTP_MODE, replicaOptions), replicaRuntime, {
        logLevel: LogLevel.ERROR,
        sync: replicaOptions.sync ?? false,
        notices: replicaOptions.notices ?? false
      })
      const replicaSender = new SlackSender(`http://127.0.0.1:${replicaBot.port}/slack/events`, SECRET, fake.teamId, (id) => fake.responseUrl(id))
      closeReplicas.push(async () => {
        await replicaBot.stop()
        await replicaRuntime.dispose()
      })
      return { running: replicaBot, sender: replicaSender }
    },
    close: async () => {
      for (const closeReplica of closeReplicas.splice(0)) await closeReplica()
      await running.stop()
      await runtime.dispose()
      await fake.stop()
      temp.cleanup()
    }
  }
}

/** A bot in Socket Mode against the fake API and a fake Socket Mode server (connected when this resolves). */
export interface SocketHarness {
  readonly fake: FakeSlackApi
  readonly socket: FakeSocketMode
  readonly running: RunningBot
  readonly run: <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Promise<A>
}

/** A Socket Mode bot for one test, closed when the test's scope ends. */
export const socketHarness = (options: HarnessOptions = {}) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const { temp, fake, runtime } = await directoryAndSlack()
      const socket = await FakeSocketMode.start(fake)
      const running = await startBot(botConfig(fake, { _tag: "socket", appToken: "xapp-1-A0USHER1-1" }, options), runtime, {
        logLevel: LogLevel.ERROR,
        sync: options.sync ?? false,
        notices: options.notices ?? false
      })
      await socket.connected()
      const close = async () => {
        await running.stop()
        await socket.stop()
        await runtime.dispose()
        await fake.stop()
        temp.cleanup()
      }
      return { fake, socket, running, run: <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => runtime.runPromise(effect), close }
    }),
    (h) => Effect.promise(() => h.close())
  ).pipe(Effect.map((h): SocketHarness => h))

/** A harness for one test, closed when the test's scope ends. */
export const harness = (options?: HarnessOptions) =>
  Effect.acquireRelease(Effect.promise(() => startHarness(options)), (h) => Effect.promise(() => h.close()))

/**
 * The audit actions after `seq`, with who did them and through which front-end. The pin of a
 * Slack user's identity at their first command (`slack.pin`, tested on its own) is left out.
 */
export const auditSince = (seq: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ action: string; actor: string; via: string; approvalId: string | null; reason: string | null }>`
      SELECT action, actor, via, approval_id, reason FROM audit_events WHERE seq > ${seq} AND action <> 'slack.pin' ORDER BY seq`).pipe(Effect.orDie)

/** The newest audit sequence number, not counting first-use pins of Slack identities (see `auditSince`). */
export const auditHead = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ seq: number | null }>`SELECT MAX(seq) AS seq FROM audit_events WHERE action <> 'slack.pin'`).pipe(
  Effect.map(([row]) => Number(row?.seq ?? 0)),
  Effect.orDie
)

/** The modal a trigger opened: the loading view (`views.open`, at once), then what replaced it (`views.update`). */
export const modalFor = async (fake: FakeSlackApi, triggerId: string) => {
  const [open] = await fake.waitFor((c) => c.method === "views.open" && c.args["trigger_id"] === triggerId)
  const viewId = String((open!.answer["view"] as { id: string }).id)
  const [update] = await fake.waitFor((c) => c.method === "views.update" && c.args["view_id"] === viewId)
  return { open: open!, update: update!, view: update!.args["view"] as { callback_id?: string; private_metadata: string; blocks: ReadonlyArray<unknown> } }
}

/** A modal's input values: one text input under its own block and action id. */
export const textInput = (id: string, value: string) => ({ [id]: { [id]: { type: "plain_text_input", value } } })

/**
 * Approves through the modal an Approve button opens: `click` is the click (on the approvals
 * message, a pending list, the Home tab), then the form that replaced the loading modal is
 * submitted with the note. Fails when the click did not get the form (a refusal shows instead).
 */
export const approveThrough = async (h: Harness, userId: string, click: () => Promise<{ readonly triggerId: string }>, note = "") => {
  const clicked = await click()
  const { view } = await modalFor(h.fake, clicked.triggerId)
  if (view.callback_id !== Ids.approveView) throw new Error(`the click got no approve form but ${JSON.stringify(view.blocks)}`)
  const submitted = await h.sender.submitView({ userId, callbackId: Ids.approveView, privateMetadata: view.private_metadata, values: textInput(Ids.input.note, note) })
  if (submitted.status !== 200 || submitted.body !== "") throw new Error(`the submission was answered ${submitted.status} ${submitted.body}`)
  return { clicked, view, submitted }
}

/** Approves a request from its approvals-channel message (`value` is its Approve button's). */
export const approveInChannel = (h: Harness, userId: string, value: string, ts: string, note = "") =>
  approveThrough(h, userId, () => h.sender.click({ userId, actionId: Ids.approve, value, channel: APPROVALS, ts }), note)

/** The next Home tab published for a Slack user after the call numbered `afterSeq`: its blocks' text and the view. */
export const publishedHome = async (fake: FakeSlackApi, slackUserId: string, afterSeq = 0) => {
  const [call] = await fake.waitFor((c) => c.method === "views.publish" && c.args["user_id"] === slackUserId && c.seq > afterSeq)
  const view = call!.args["view"] as { type: string; blocks: ReadonlyArray<{ type: string; block_id?: string; elements?: ReadonlyArray<{ action_id?: string; value?: string }> }> }
  return { call: call!, view, text: JSON.stringify(view.blocks) }
}

/** The buttons of a message or view, by block: block id → action id → value. */
export const buttonsByBlock = (blocks: ReadonlyArray<{ type: string; block_id?: string; elements?: ReadonlyArray<{ action_id?: string; value?: string }> }>) =>
  Object.fromEntries(blocks.filter((b) => b.type === "actions").map((b) => [b.block_id ?? "", Object.fromEntries((b.elements ?? []).map((e) => [e.action_id ?? "", e.value ?? ""]))]))

/** The latest call's sequence number (to wait for what comes after it). */
export const lastSeq = (fake: FakeSlackApi) => fake.calls.at(-1)?.seq ?? 0

/**
 * Runs an effect as if it were `ms` later: core's clock (every `now` it reads) is shifted, the
 * world is not (Slack, timers). For the notices that come due hours or days after their cause.
 */
export const later = (ms: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const real = Clock.make()
  const shifted: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => real.unsafeCurrentTimeMillis() + ms,
    currentTimeMillis: Effect.sync(() => real.unsafeCurrentTimeMillis() + ms),
    unsafeCurrentTimeNanos: () => real.unsafeCurrentTimeNanos() + BigInt(ms) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => real.unsafeCurrentTimeNanos() + BigInt(ms) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
  return Effect.withClock(effect, shifted)
}
