import type { App, ViewSubmitAction } from "@slack/bolt"
import * as Core from "@usher/core"
import { Effect, Either } from "effect"
import { afterDecision } from "../../approvals.js"
import { messageNotUpdated } from "../../blocks/approvals.js"
import type { Reply } from "../../blocks/mrkdwn.js"
import { invited } from "../../blocks/users.js"
import { afterWork, runLogged, runToReply, type AfterWork, type Bot } from "../../bot.js"
import { Ids } from "../../ids.js"
import { callSlack } from "../../identity.js"
import { readDenyForm, readInviteForm, type InviteForm } from "../../parse/form.js"
import type { DenyMetadata } from "../actions/index.js"
import type { InviteFormMetadata } from "../commands/index.js"

const metadataOf = <A>(text: string): Partial<A> => {
  try {
    return JSON.parse(text) as Partial<A>
  } catch {
    return {}
  }
}

/** Answers in the channel the command came from (its response URL), else in a direct message. */
const answer = async (bot: Bot, userId: string, responseUrl: string | undefined, reply: Reply): Promise<void> => {
  if (responseUrl !== undefined && /^https?:\/\//.test(responseUrl)) {
    const sent = await fetch(responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "ephemeral", text: reply.text, blocks: reply.blocks })
    }).then((r) => r.ok, () => false)
    if (sent) return
  }
  await runLogged(bot, "answering in a direct message", callSlack("chat.postMessage", () =>
    bot.client.chat.postMessage({ channel: userId, text: reply.text, blocks: [...reply.blocks] })))
}

/** The invite modal submitted (and acknowledged): invite as the submitter, answer where the command was typed. */
export const handleInviteSubmission = async (bot: Bot, body: ViewSubmitAction, form: InviteForm): Promise<void> => {
  const metadata = metadataOf<InviteFormMetadata>(body.view.private_metadata)
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`view:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const actor = yield* bot.identity.actor(body.user.id)
    const sent = yield* Core.decodeThen(Core.InviteInput, Core.inviteUser)({
      email: form.email,
      roles: form.roles,
      groups: form.groups,
      link: form.link,
      ...(form.scope === undefined ? {} : { scope: form.scope }),
      ...(form.firstName === undefined ? {} : { firstName: form.firstName }),
      ...(form.lastName === undefined ? {} : { lastName: form.lastName })
    }).pipe(Core.as(actor.id, "slack"))
    return invited(sent)
  }))
  if (reply !== null) await answer(bot, body.user.id, metadata.responseUrl, reply)
}

/**
 * The deny modal submitted (and acknowledged): deny as the submitter with their reason; the
 * channel message shows the outcome and the requester is told. A refusal is shown to the
 * submitter only, in the approvals channel.
 */
export const handleDenySubmission = async (bot: Bot, body: ViewSubmitAction): Promise<AfterWork> => {
  const metadata = metadataOf<DenyMetadata>(body.view.private_metadata)
  const reason = body.view.state.values[Ids.input.reason]?.[Ids.input.reason]?.value ?? ""
  let after: Effect.Effect<unknown, unknown, Core.CoreServices> | undefined
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`view:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const actor = yield* bot.identity.actor(body.user.id)
    const denied = yield* Core.denyRequest(metadata.id ?? "", { reason }).pipe(Core.as(actor.id, "slack"))
    const slack = {
      requester: metadata.requester ?? null,
      decidedBy: body.user.id,
      ...(metadata.channel && metadata.ts ? { message: { channel: metadata.channel, ts: metadata.ts } } : {})
    }
    // the decider hears of it in a direct message when the channel message could not show it
    after = Effect.flatMap(afterDecision(bot, denied, slack), (outcome) => {
      if (outcome._tag !== "GaveUp" && outcome._tag !== "Reposted") return Effect.void
      const notice = messageNotUpdated(denied, outcome, body.user.id)
      return callSlack("chat.postMessage", () => bot.pace(body.user.id, () => bot.background.chat.postMessage({ channel: body.user.id, text: notice.text, blocks: [...notice.blocks] })))
    })
    return null
  }))
  if (reply !== null) {
    const channel = metadata.channel
    if (channel) {
      await runLogged(bot, "telling the decider", callSlack("chat.postEphemeral", () =>
        bot.client.chat.postEphemeral({ channel, user: body.user.id, text: reply.text, blocks: [...reply.blocks] })))
    } else await answer(bot, body.user.id, undefined, reply)
  }
  return after === undefined ? undefined : afterWork(bot, after)
}

/** Registers the modals' submissions: field errors go back in the acknowledgement, the work runs after it. */
export const register = (app: App, bot: Bot): void => {
  app.view<ViewSubmitAction>(Ids.inviteView, async ({ ack, body }) => {
    const form = readInviteForm(body.view.state.values)
    if (Either.isLeft(form)) {
      await ack({ response_action: "errors", errors: { ...form.left } })
      return
    }
    await ack()
    await bot.work(() => handleInviteSubmission(bot, body, form.right))
  })
  app.view<ViewSubmitAction>(Ids.denyView, async ({ ack, body }) => {
    const form = readDenyForm(body.view.state.values)
    if (Either.isLeft(form)) {
      await ack({ response_action: "errors", errors: { ...form.left } })
      return
    }
    await ack()
    const after = await bot.work(() => handleDenySubmission(bot, body))
    await after?.()
  })
}
