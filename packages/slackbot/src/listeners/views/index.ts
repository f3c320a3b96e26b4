import type { App, ViewSubmitAction } from "@slack/bolt"
import * as Core from "@usher/core"
import { Effect, Either } from "effect"
import type { Reply } from "../../blocks/mrkdwn.js"
import { invited } from "../../blocks/users.js"
import { runToReply, tellDirectly, type AfterWork, type Bot } from "../../bot.js"
import { concluded, refused, respondAt } from "../../decisions.js"
import { Ids } from "../../ids.js"
import { decodeMetadata } from "../../origin.js"
import { readApproveForm, readDenyForm, readInviteForm, type InviteForm } from "../../parse/form.js"
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
  if (responseUrl !== undefined && await respondAt(responseUrl, { response_type: "ephemeral", text: reply.text, blocks: reply.blocks })) return
  await tellDirectly(bot, userId, reply)
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

/** The decision a modal's submission asks core for: approve with an optional note, or deny with a reason. */
export type Decide =
  | { readonly _tag: "Approve"; readonly note: string | undefined }
  | { readonly _tag: "Deny"; readonly reason: string }

/**
 * An Approve or Deny modal submitted (and acknowledged): core's approve (with the note) or deny
 * (with the reason) as the submitter. Then the approvals message shows the outcome, the requester
 * is told, and the list or Home tab the modal was opened from is shown again; a refusal is shown
 * where they clicked (in the approvals channel only to them).
 */
export const handleDecisionSubmission = async (bot: Bot, body: ViewSubmitAction, decide: Decide): Promise<AfterWork> => {
  const request = decodeMetadata(body.view.private_metadata)
  let decided: Core.ApprovalRequest | undefined
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`view:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const actor = yield* bot.identity.actor(body.user.id)
    const as = Core.as(actor.id, "slack")
    decided = decide._tag === "Approve"
      ? (yield* Core.approveRequest(request.id, decide.note === undefined ? {} : { note: decide.note }).pipe(as)).approval
      : yield* Core.denyRequest(request.id, { reason: decide.reason }).pipe(as)
    return null
  }))
  if (decided !== undefined) return concluded(bot, request.origin, body.user.id, decided, request.requester)
  return reply === null ? undefined : refused(bot, request.origin, body.user.id, reply)
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
  app.view<ViewSubmitAction>(Ids.approveView, async ({ ack, body }) => {
    const form = readApproveForm(body.view.state.values)
    if (Either.isLeft(form)) {
      await ack({ response_action: "errors", errors: { ...form.left } })
      return
    }
    await ack()
    const after = await bot.work(() => handleDecisionSubmission(bot, body, { _tag: "Approve", note: form.right }))
    await after?.()
  })
  app.view<ViewSubmitAction>(Ids.denyView, async ({ ack, body }) => {
    const form = readDenyForm(body.view.state.values)
    if (Either.isLeft(form)) {
      await ack({ response_action: "errors", errors: { ...form.left } })
      return
    }
    await ack()
    const after = await bot.work(() => handleDecisionSubmission(bot, body, { _tag: "Deny", reason: form.right }))
    await after?.()
  })
}
