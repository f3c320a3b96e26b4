import type { Logger, webApi } from "@slack/bolt"
import type * as Core from "@usher/core"
import { Cause, Effect, Exit, Scheduler, type ManagedRuntime } from "effect"
import { errorReply, shownError } from "./blocks/errors.js"
import type { Reply } from "./blocks/mrkdwn.js"
import type { BotConfig } from "./config.js"
import { callSlack, type Identity } from "./identity.js"
import type { Backoff, Pacer } from "./pace.js"

/** What every listener works with: settings, the core runtime, the Web API clients and the identity resolver. */
export interface Bot {
  readonly config: BotConfig
  readonly runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>
  /**
   * the client for calls someone is waiting on (`users.info`, `views.open`, a command's post):
   * it fails fast, on a rate limit (429) at once and after a short timeout, and never pauses
   */
  readonly client: webApi.WebClient
  /** the client for work nobody waits on (message updates, notices, the sync loop): it waits out rate limits and retries */
  readonly background: webApi.WebClient
  readonly identity: Identity
  readonly logger: Logger
  /** runs work after the ack, a few at a time */
  readonly work: WorkQueue
  /** spaces posts to each channel about a second apart */
  readonly pace: Pacer
  /** the sync loop's back-off for message updates and posts that failed */
  readonly retries: Backoff
}

/** How long the bot's work may hold the event loop in one turn, before incoming requests are read again. */
export const SLICE_MS = 2

const queued: Array<() => void> = []
let sliceEnds = 0
let drainScheduled = false

const drain = () => {
  drainScheduled = false
  sliceEnds = performance.now() + SLICE_MS
  while (queued.length > 0 && performance.now() < sliceEnds) queued.shift()!()
  if (queued.length > 0) scheduleDrain()
}

const scheduleDrain = () => {
  if (drainScheduled) return
  drainScheduled = true
  // the check phase: after the poll phase has read (and Bolt acknowledged) the requests that arrived
  setImmediate(drain)
}

/**
 * The scheduler of the bot's work, shared by every bot of the process (they share its event
 * loop): fibers run in slices of about `SLICE_MS`, one slice per turn of the event loop, and a
 * fiber past its slice yields. Database calls are synchronous, so without this a burst of work
 * would hold the loop and delay the acknowledgements of requests that are arriving; with it,
 * requests are read and acknowledged between two slices. (One synchronous call, such as a
 * transaction's commit, can overrun a slice; nothing can cut that short.)
 */
export const loopFriendly: Scheduler.Scheduler = Scheduler.make(
  (task) => {
    queued.push(task)
    scheduleDrain()
  },
  // a clock read per step (tens of nanoseconds): one step can be a whole database call
  () => performance.now() >= sliceEnds ? 0 : false
)

/**
 * Runs a listener's work and turns any failure into the reply to show: a typed error's own
 * message, or (for a defect, logged once here) a generic one. Never rejects.
 */
export const runToReply = async (bot: Bot, work: Effect.Effect<Reply | null, unknown, Core.CoreServices>): Promise<Reply | null> => {
  const exit = await bot.runtime.runPromiseExit(Effect.withScheduler(work, loopFriendly)).catch((error: unknown) => Exit.die(error))
  if (Exit.isSuccess(exit)) return exit.value
  const shown = shownError(exit.cause)
  if (shown._tag === "InternalError") bot.logger.error(`usher-slack: ${Cause.pretty(exit.cause)}`)
  return errorReply(shown)
}

/** Runs work whose failures are only logged (message updates, notices): the person already has their answer. */
export const runLogged = async (bot: Bot, what: string, work: Effect.Effect<unknown, unknown, Core.CoreServices>): Promise<void> => {
  const exit = await bot.runtime.runPromiseExit(Effect.withScheduler(work, loopFriendly)).catch((error: unknown) => Exit.die(error))
  if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) bot.logger.warn(`usher-slack: ${what}: ${Cause.pretty(exit.cause)}`)
}

/**
 * What a listener leaves to do once its work slot is free: updating the channel message and
 * telling the requester wait on Slack (a post waits for its channel's turn), and a work slot is
 * for database work, so this runs after the slot is given back. Failures are logged.
 */
export type AfterWork = (() => Promise<void>) | undefined

/** The follow-up of a decision, to run outside the work slot (see `AfterWork`). */
export const afterWork = (bot: Bot, work: Effect.Effect<unknown, unknown, Core.CoreServices>): AfterWork => () =>
  runLogged(bot, "updating the approval message", work)

/**
 * Looks up (and caches) the verified e-mails of the Slack users a piece of work needs (who typed
 * a command or clicked, whom it names) before the work takes one of the work slots: a slow
 * `users.info` then holds no slot that other people's commands need. A failed lookup is the answer.
 */
export const lookUpPeople = async (bot: Bot, slackUserIds: ReadonlyArray<string>): Promise<Reply | null> => {
  const exit = await Effect.runPromiseExit(Effect.forEach(slackUserIds, (id) => bot.identity.verifiedEmail(id), { concurrency: "unbounded", discard: true }))
  return Exit.isSuccess(exit) ? null : errorReply(shownError(exit.cause))
}

/** An ephemeral message for the person who acted, through the interaction's response URL. */
export type Respond = (message: { readonly response_type: "ephemeral"; readonly replace_original?: boolean; readonly text: string; readonly blocks: Array<object> }) => Promise<unknown>

/** Sends a reply ephemerally; a response URL that no longer works is logged, not thrown. */
export const replyWith = async (bot: Bot, respond: Respond, reply: Reply): Promise<void> => {
  try {
    await respond({ response_type: "ephemeral", replace_original: false, text: reply.text, blocks: [...reply.blocks] })
  } catch (error) {
    bot.logger.warn(`usher-slack: could not reply through the response URL: ${String(error)}`)
  }
}

/** A direct message from the bot (the app's Messages tab), for someone it cannot answer where they acted; a failure is logged. */
export const tellDirectly = (bot: Bot, slackUserId: string, reply: Reply): Promise<void> =>
  runLogged(bot, "answering in a direct message", callSlack("chat.postMessage", () =>
    bot.client.chat.postMessage({ channel: slackUserId, text: reply.text, blocks: [...reply.blocks] })))

/**
 * Runs listeners' work after their ack, at most `concurrency` at a time, each started in the
 * event loop's check phase. Database writes are synchronous, so unbounded work would hold the
 * loop and delay the acks of requests still arriving; with this, requests that arrive are read
 * and acknowledged (poll phase) between the slices of at most `concurrency` pieces of work.
 */
export const makeWorkQueue = (concurrency: number) => {
  let running = 0
  const waiting: Array<() => void> = []
  return async <A>(task: () => Promise<A>): Promise<A> => {
    await new Promise<void>((resolve) => setImmediate(resolve))
    while (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await task()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}

/** How the bot runs a listener's work after acknowledging. */
export type WorkQueue = ReturnType<typeof makeWorkQueue>
