import type { types } from "@slack/bolt"
import type { Reply } from "./blocks/mrkdwn.js"
import { loadingModal, noticeModal } from "./blocks/modals.js"
import { replyWith, tellDirectly, type Bot, type Respond } from "./bot.js"
import { Effect } from "effect"
import { callSlack, slackErrorCode, type SlackApiFailed } from "./identity.js"

/**
 * Opens the loading modal right after the ack, before any other work (a `trigger_id` is good
 * for three seconds): its view id, or undefined when Slack did not open it (then the form is
 * opened with `views.open` later, and a refusal is answered ephemerally).
 */
export const openLoading = async (bot: Bot, triggerId: string, title: string): Promise<string | undefined> => {
  try {
    const opened = await bot.client.views.open({ trigger_id: triggerId, view: loadingModal(title) })
    return opened.view?.id
  } catch (error) {
    bot.logger.warn(`usher-slack: could not open a modal (${slackErrorCode(error)})`)
    return undefined
  }
}

/** Shows a form: in place of the loading modal when one is open, else in a new modal. */
export const showModal = (bot: Bot, loading: string | undefined, triggerId: string, view: types.ModalView): Effect.Effect<void, SlackApiFailed> =>
  Effect.asVoid(
    loading === undefined
      ? callSlack("views.open", () => bot.client.views.open({ trigger_id: triggerId, view }))
      : callSlack("views.update", () => bot.client.views.update({ view_id: loading, view }))
  )

/**
 * Answers in the loading modal when one is open (the person is looking at it), else ephemerally
 * through the response URL, else (a click on the Home tab has none) in a direct message to `slackUserId`.
 */
export const answerIn = async (bot: Bot, respond: Respond | undefined, reply: Reply, loading: string | undefined, title: string, slackUserId?: string): Promise<void> => {
  if (loading !== undefined) {
    const shown = await bot.client.views.update({ view_id: loading, view: noticeModal(title, reply) }).then(() => true, () => false)
    if (shown) return
  }
  if (respond !== undefined) return replyWith(bot, respond, reply)
  if (slackUserId !== undefined) return tellDirectly(bot, slackUserId, reply)
}
