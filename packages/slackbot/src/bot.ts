import type { Logger, webApi } from "@slack/bolt"
import type * as Core from "@usher/core"
import { Cause, Effect, Exit, Scheduler, type ManagedRuntime } from "effect"
import { errorReply, shownError } from "./blocks/errors.js"
import type { Reply } from "./blocks/mrkdwn.js"
import type { BotConfig } from "./config.js"
import type { Identity } from "./identity.js"

/** What every listener works with: settings, the core runtime, the Web API client and the identity resolver. */
export interface Bot {
  readonly config: BotConfig
  readonly runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>
  readonly client: webApi.WebClient
  readonly identity: Identity
  readonly logger: Logger
  /** runs work after the ack, a few at a time */
  readonly work: WorkQueue
}

/**
 * The scheduler of the bot's work: a fiber that has run a short while hands the event loop back
 * (through `setImmediate`, after the poll phase has read incoming requests), so a busy stretch
 * of work cannot hold back the acknowledgements of requests that are arriving.
 */
export const loopFriendly: Scheduler.Scheduler = Scheduler.make(
  (task) => setImmediate(task),
  (fiber) => fiber.currentOpCount > OPS_BEFORE_YIELD ? 0 : false
)
const OPS_BEFORE_YIELD = 256

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
