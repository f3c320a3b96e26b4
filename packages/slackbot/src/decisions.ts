import * as Core from "@usher/core"
import { Effect, Exit } from "effect"
import { afterDecision, type MessageContext } from "./approvals.js"
import { decisionNotice, messageNotUpdated, pendingList } from "./blocks/approvals.js"
import type { Reply } from "./blocks/mrkdwn.js"
import { runLogged, runToReply, tellDirectly, type Bot } from "./bot.js"
import { publishHome } from "./home.js"
import { callSlack } from "./identity.js"
import { clickedMessage, type Origin } from "./origin.js"
import { pendingSeen } from "./requests.js"

/** Posts a message to a response URL (a command's or a click's); false when it was not taken (expired, used up, unreachable). */
export const respondAt = async (url: string, message: { readonly text: string; readonly blocks: ReadonlyArray<unknown> } & Record<string, unknown>): Promise<boolean> => {
  if (!/^https?:\/\//.test(url)) return false
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(message) }).then((r) => r.ok, () => false)
}

/** `/usher pending` again for a person, as core sees it now, with a notice on top. */
const pendingAgain = (bot: Bot, slackUserId: string, notice: Reply) =>
  bot.work(() =>
    runToReply(bot, Effect.gen(function*() {
      const actor = yield* bot.identity.actor(slackUserId)
      return pendingList(yield* pendingSeen.pipe(Core.as(actor.id, "slack")), notice)
    })))

/**
 * Shows a person, where they acted, what came of it: the Home tab published again with the notice
 * on top, the `/usher pending` list replaced by a fresh one (through its response URL), the
 * direct message that asked them updated with the outcome (a refusal: a new direct message), or —
 * on an approvals message, only when `inChannel` (a decision shows in the message itself) — an
 * ephemeral message in that channel. When none of that can be done, a direct message.
 */
export const tellAt = async (bot: Bot, origin: Origin, slackUserId: string, notice: Reply, inChannel: boolean): Promise<void> => {
  switch (origin._tag) {
    case "Home":
      return publishHome(bot, slackUserId, notice)
    case "Pending": {
      const list = (await pendingAgain(bot, slackUserId, notice)) ?? notice
      if (await respondAt(origin.responseUrl, { response_type: "ephemeral", replace_original: true, text: list.text, blocks: list.blocks })) return
      return tellDirectly(bot, slackUserId, notice)
    }
    case "Direct": {
      // the decision shows in the direct message itself; a refusal comes as a new one
      if (inChannel || origin.ts === "") return tellDirectly(bot, slackUserId, notice)
      const shown = await bot.runtime.runPromiseExit(callSlack("chat.update", () =>
        bot.background.chat.update({ channel: origin.channel, ts: origin.ts, text: notice.text, blocks: [...notice.blocks] })))
      return Exit.isSuccess(shown) ? undefined : tellDirectly(bot, slackUserId, notice)
    }
    case "Channel": {
      if (!inChannel) return
      const channel = origin.channel
      if (channel === "") return tellDirectly(bot, slackUserId, notice)
      return runLogged(bot, "telling the decider", callSlack("chat.postEphemeral", () =>
        bot.client.chat.postEphemeral({ channel, user: slackUserId, text: notice.text, blocks: [...notice.blocks] })))
    }
  }
}

/**
 * What follows a decision (approve, deny, withdraw), once the work slot is free: the decider is
 * shown the outcome where they clicked, and — each on its own — the approvals message is updated
 * and the requester told. When the message could not show the decision (posted anew, or given
 * up), the decider hears of it in a direct message.
 */
export const concluded = (bot: Bot, origin: Origin, deciderSlackId: string, approval: Core.ApprovalRequest, requester: string | null): () => Promise<void> => async () => {
  const message = clickedMessage(origin)
  const slack: MessageContext = { requester, decidedBy: deciderSlackId, ...(message === undefined ? {} : { message }) }
  await Promise.all([
    tellAt(bot, origin, deciderSlackId, decisionNotice(approval, deciderSlackId), false),
    runLogged(bot, "updating the approval message", Effect.flatMap(afterDecision(bot, approval, slack), (outcome) => {
      if (outcome._tag !== "GaveUp" && outcome._tag !== "Reposted") return Effect.void
      const notice = messageNotUpdated(approval, outcome, deciderSlackId)
      return callSlack("chat.postMessage", () =>
        bot.pace(deciderSlackId, () => bot.background.chat.postMessage({ channel: deciderSlackId, text: notice.text, blocks: [...notice.blocks] })))
    }))
  ])
}

/** A decision core refused (decided already, not theirs to decide, …): the refusal where the person clicked. */
export const refused = (bot: Bot, origin: Origin, slackUserId: string, reply: Reply): () => Promise<void> => () => tellAt(bot, origin, slackUserId, reply, true)
