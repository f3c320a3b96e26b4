import type { types } from "@slack/bolt"
import * as Core from "@usher/core"
import { Cause, Effect, Exit } from "effect"
import { shownError } from "./blocks/errors.js"
import { homeView, unavailableHome } from "./blocks/home.js"
import type { Reply } from "./blocks/mrkdwn.js"
import { loopFriendly, runLogged, type Bot } from "./bot.js"
import { slackErrorCode } from "./identity.js"
import { homeData } from "./requests.js"

/** A Home tab built: the view, the account it was built as (null: nobody usher can act for), and the mark its data reflects. */
export interface BuiltHome {
  readonly view: types.HomeView
  readonly userId: string | null
  readonly mark: number
  /** why there is no account's view: the error's tag (`SlackApiFailed`: Slack did not answer, which may pass) */
  readonly failure?: string
}

/**
 * A Slack user's Home tab, built from core as their directory identity, or why there is none
 * (no account, suspended, Slack did not answer); a defect is logged and shown as a generic
 * message. The mark (core's, read first) says which changes the tab already shows.
 */
export const buildHome = (bot: Bot, slackUserId: string, notice?: Reply) =>
  Effect.gen(function*() {
    const mark = yield* Core.Jobs.slackHomeMark.pipe(Core.Jobs.asSystem("slack"))
    const exit = yield* Effect.exit(Effect.gen(function*() {
      const actor = yield* bot.identity.actor(slackUserId)
      return { view: homeView(yield* homeData.pipe(Core.as(actor.id, "slack")), notice), userId: actor.id as string }
    }))
    if (Exit.isSuccess(exit)) return { ...exit.value, mark } satisfies BuiltHome
    const shown = shownError(exit.cause)
    if (shown._tag === "InternalError") bot.logger.error(`usher-slack: ${Cause.pretty(exit.cause)}`)
    return { view: unavailableHome(shown), userId: null, mark, failure: shown._tag } satisfies BuiltHome
  })

/** `buildHome` on the bot's runtime. */
export const homeFor = async (bot: Bot, slackUserId: string, notice?: Reply): Promise<BuiltHome> =>
  bot.runtime.runPromise(Effect.withScheduler(buildHome(bot, slackUserId, notice), loopFriendly)).catch((error: unknown) => {
    bot.logger.error(`usher-slack: ${String(error)}`)
    return { view: unavailableHome(shownError(Cause.die(error))), userId: null, mark: 0 }
  })

/**
 * Publishes a Slack user's Home tab (`views.publish`, through the client that fails fast: they are
 * looking at it). Who they are is looked up before the work takes a slot, and the view is
 * published after the slot is given back. Once published, core remembers that they use the tab
 * and which changes it shows, so that later changes to their lists publish it again. A failed
 * publish is logged; the next opening tries again.
 */
export const publishHome = async (bot: Bot, slackUserId: string, notice?: Reply): Promise<void> => {
  const known = await Effect.runPromiseExit(bot.identity.verifiedEmail(slackUserId))
  const built: BuiltHome = Exit.isSuccess(known)
    ? await bot.work(() => homeFor(bot, slackUserId, notice))
    : { view: unavailableHome(shownError(known.cause)), userId: null, mark: 0 }
  try {
    await bot.client.views.publish({ user_id: slackUserId, view: built.view })
  } catch (error) {
    bot.logger.warn(`usher-slack: could not publish the Home tab of ${slackUserId} (${slackErrorCode(error)})`)
    return
  }
  const userId = built.userId
  if (userId !== null) await runLogged(bot, "remembering a Home tab", Core.Jobs.recordSlackHome(slackUserId, userId, built.mark).pipe(Core.Jobs.asSystem("slack")))
}
