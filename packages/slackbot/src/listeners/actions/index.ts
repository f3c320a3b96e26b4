import type { App, BlockAction, ButtonAction } from "@slack/bolt"
import * as Core from "@usher/core"
import { Effect, Exit } from "effect"
import { afterDecision, refreshMessage } from "../../approvals.js"
import { decodeDecision, messageNotUpdated, type DecisionValue } from "../../blocks/approvals.js"
import { shownError } from "../../blocks/errors.js"
import { denyModal } from "../../blocks/modals.js"
import { afterWork, lookUpPeople, replyWith, runToReply, type AfterWork, type Bot, type Respond } from "../../bot.js"
import { Ids } from "../../ids.js"
import { answerIn, openLoading, showModal } from "../../modal.js"

/** What the deny modal carries to its submission. */
export interface DenyMetadata extends DecisionValue {
  readonly channel: string
  readonly ts: string
}

/** The request a click is about, with the message it was on. */
const clicked = (body: BlockAction<ButtonAction>, action: ButtonAction) => {
  const value = decodeDecision(action.value)
  if (value === undefined) return Effect.fail({ _tag: "UnknownButton", message: "This button is not one of usher's; nothing was done." })
  const channel = body.container?.channel_id ?? body.channel?.id ?? ""
  const ts = body.container?.message_ts ?? body.message?.ts ?? ""
  return Effect.succeed({ ...value, channel, ts })
}

/** Decisions that say the message is out of date: show the request as it stands now. */
const STALE = new Set(["ApprovalNotPending", "ApprovalExpired"])

/**
 * An Approve click: core's approve use case as the clicker. On success the channel message shows
 * the outcome (updated in place through the stored channel/ts) and the requester is told; a
 * refusal (own request, not an approver, already decided, expired) is an ephemeral answer.
 */
export const handleApprove = async (bot: Bot, body: BlockAction<ButtonAction>, action: ButtonAction, respond: Respond): Promise<AfterWork> => {
  let after: Effect.Effect<unknown, unknown, Core.CoreServices> | undefined
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`action:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const request = yield* clicked(body, action)
    const actor = yield* bot.identity.actor(body.user.id)
    const decision = yield* Effect.exit(Core.approveRequest(request.id).pipe(Core.as(actor.id, "slack")))
    if (Exit.isSuccess(decision)) {
      const approval = decision.value.approval
      const slack = { requester: request.requester, decidedBy: body.user.id, message: { channel: request.channel, ts: request.ts } }
      // the message and the requester's notice each on their own; the approver hears of it when the message could not show it
      after = Effect.flatMap(afterDecision(bot, approval, slack), (outcome) =>
        outcome._tag === "GaveUp" || outcome._tag === "Reposted"
          ? Effect.promise(() => replyWith(bot, respond, messageNotUpdated(approval, outcome, body.user.id)))
          : Effect.void)
      return null
    }
    const shown = shownError(decision.cause)
    if (STALE.has(shown._tag)) {
      after = Effect.flatMap(Core.showApproval(request.id).pipe(Core.as(actor.id, "slack")), (current) =>
        refreshMessage(bot, current, { requester: request.requester, message: { channel: request.channel, ts: request.ts } }))
    }
    return yield* Effect.failCause(decision.cause)
  }))
  if (reply !== null) await replyWith(bot, respond, reply)
  return after === undefined ? undefined : afterWork(bot, after)
}

/**
 * A Deny click opens a modal asking why (core requires a reason); the decision itself happens
 * when the modal is submitted. Whoever could not decide it (the requester, a non-approver), and
 * a request no longer pending or expired, is refused at the click, before typing a reason.
 */
export const handleDeny = async (bot: Bot, body: BlockAction<ButtonAction>, action: ButtonAction, respond: Respond, loading?: string): Promise<AfterWork> => {
  let after: Effect.Effect<unknown, unknown, Core.CoreServices> | undefined
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`action:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const request = yield* clicked(body, action)
    const actor = yield* bot.identity.actor(body.user.id)
    const check = yield* Effect.exit(Core.checkCanDecide(request.id).pipe(Core.as(actor.id, "slack")))
    if (Exit.isFailure(check)) {
      if (STALE.has(shownError(check.cause)._tag)) {
        after = Effect.flatMap(Core.showApproval(request.id).pipe(Core.as(actor.id, "slack")), (current) =>
          refreshMessage(bot, current, { requester: request.requester, message: { channel: request.channel, ts: request.ts } }))
      }
      return yield* Effect.failCause(check.cause)
    }
    const current = check.value
    const metadata: DenyMetadata = { id: current.id, requester: request.requester, channel: request.channel, ts: request.ts }
    yield* showModal(bot, loading, body.trigger_id, denyModal(current, JSON.stringify(metadata)))
    return null
  }))
  if (reply !== null) await answerIn(bot, respond, reply, loading, DENY_TITLE)
  return after === undefined ? undefined : afterWork(bot, after)
}

const DENY_TITLE = "Deny request"

/** Registers the Approve and Deny buttons: acknowledge at once, then decide. */
export const register = (app: App, bot: Bot): void => {
  app.action<BlockAction<ButtonAction>>(Ids.approve, async ({ ack, body, action, respond }) => {
    await ack()
    // who clicked is looked up before the work takes a slot (a slow users.info holds none)
    const failed = await lookUpPeople(bot, [body.user.id])
    if (failed !== null) return replyWith(bot, respond, failed)
    const after = await bot.work(() => handleApprove(bot, body, action, respond))
    await after?.()
  })
  app.action<BlockAction<ButtonAction>>(Ids.deny, async ({ ack, body, action, respond }) => {
    await ack()
    // the modal opens first (its trigger lives three seconds); the form replaces it once the clicker may deny
    const loading = await openLoading(bot, body.trigger_id, DENY_TITLE)
    const failed = await lookUpPeople(bot, [body.user.id])
    if (failed !== null) return answerIn(bot, respond, failed, loading, DENY_TITLE)
    const after = await bot.work(() => handleDeny(bot, body, action, respond, loading))
    await after?.()
  })
}
