import type { types } from "@slack/bolt"
import * as Core from "@usher/core"
import { Cause, Effect, Exit } from "effect"
import { shownError } from "./blocks/errors.js"
import { homeView, unavailableHome } from "./blocks/home.js"
import type { Reply } from "./blocks/mrkdwn.js"
import { loopFriendly, type Bot } from "./bot.js"
import { slackErrorCode } from "./identity.js"
import { homeData } from "./requests.js"

/**
 * A Slack user's Home tab, built from core as their directory identity, or why there is none
 * (no account, suspended, Slack did not answer); a defect is logged and shown as a generic message.
 */
export const homeFor = async (bot: Bot, slackUserId: string, notice?: Reply): Promise<types.HomeView> => {
  const work = Effect.gen(function*() {
    const actor = yield* bot.identity.actor(slackUserId)
    return homeView(yield* homeData.pipe(Core.as(actor.id, "slack")), notice)
  })
  const exit = await bot.runtime.runPromiseExit(Effect.withScheduler(work, loopFriendly)).catch((error: unknown) => Exit.die(error))
  if (Exit.isSuccess(exit)) return exit.value
  const shown = shownError(exit.cause)
  if (shown._tag === "InternalError") bot.logger.error(`usher-slack: ${Cause.pretty(exit.cause)}`)
  return unavailableHome(shown)
}

/**
 * Publishes a Slack user's Home tab (`views.publish`, through the client that fails fast: they are
 * looking at it). Who they are is looked up before the work takes a slot, and the view is
 * published after the slot is given back. A failed publish is logged; the next opening tries again.
 */
export const publishHome = async (bot: Bot, slackUserId: string, notice?: Reply): Promise<void> => {
  const known = await Effect.runPromiseExit(bot.identity.verifiedEmail(slackUserId))
  const view = Exit.isSuccess(known) ? await bot.work(() => homeFor(bot, slackUserId, notice)) : unavailableHome(shownError(known.cause))
  try {
    await bot.client.views.publish({ user_id: slackUserId, view })
  } catch (error) {
    bot.logger.warn(`usher-slack: could not publish the Home tab of ${slackUserId} (${slackErrorCode(error)})`)
  }
}
