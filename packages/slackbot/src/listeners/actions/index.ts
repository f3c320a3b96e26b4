import type { App, BlockAction, ButtonAction } from "@slack/bolt"
import * as Core from "@usher/core"
import { Effect, Exit } from "effect"
import { refreshMessage } from "../../approvals.js"
import { decodeDecision } from "../../blocks/approvals.js"
import { shownError } from "../../blocks/errors.js"
import type { Reply } from "../../blocks/mrkdwn.js"
import { approveModal, denyModal } from "../../blocks/modals.js"
import { decodeExtend, extended } from "../../blocks/notices.js"
import { afterWork, lookUpPeople, replyWith, runToReply, tellDirectly, type AfterWork, type Bot, type Respond } from "../../bot.js"
import { concluded, refused } from "../../decisions.js"
import { Ids } from "../../ids.js"
import { postApproval } from "../../approvals.js"
import { answerIn, openLoading, showModal } from "../../modal.js"
import { clickedMessage, encodeMetadata, originOf } from "../../origin.js"
import { targetDetails } from "../../requests.js"

/** The request a click is about (from the button's value). */
const clicked = (action: ButtonAction) => {
  const value = decodeDecision(action.value)
  return value === undefined
    ? Effect.fail({ _tag: "UnknownButton", message: "This button is not one of usher's; nothing was done." })
    : Effect.succeed(value)
}

/** Decisions that say the message is out of date: show the request as it stands now. */
const STALE = new Set(["ApprovalNotPending", "ApprovalExpired"])

/** What each decision button opens. */
const MODALS = {
  approve: { title: "Approve request", modal: approveModal },
  deny: { title: "Deny request", modal: denyModal }
} as const

/** The click's response URL, when it has one (a click on the Home tab has none). */
const respondOf = (body: BlockAction<ButtonAction>, respond: Respond): Respond | undefined => body.response_url ? respond : undefined

/** Answers the person who clicked: in the loading modal when one is open, else where the click came from. */
const answerClick = (bot: Bot, body: BlockAction<ButtonAction>, respond: Respond, reply: Reply, loading: string | undefined, title: string) =>
  answerIn(bot, respondOf(body, respond), reply, loading, title, body.user.id)

/**
 * An Approve or Deny click opens its modal (an optional note, a required reason) with the account
 * as the clicker may read it now; the decision itself happens when the modal is submitted.
 * Whoever could not decide it (the requester, a non-approver), and a request no longer pending
 * or expired, is refused at the click (core's `checkCanDecide`), before typing anything; a stale
 * approvals message is brought up to date.
 */
export const handleDecisionClick = async (
  bot: Bot,
  kind: keyof typeof MODALS,
  body: BlockAction<ButtonAction>,
  action: ButtonAction,
  respond: Respond,
  loading?: string
): Promise<AfterWork> => {
  const origin = originOf(body)
  let after: Effect.Effect<unknown, unknown, Core.CoreServices> | undefined
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`action:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const request = yield* clicked(action)
    const actor = yield* bot.identity.actor(body.user.id)
    const check = yield* Effect.exit(Core.checkCanDecide(request.id).pipe(Core.as(actor.id, "slack")))
    if (Exit.isFailure(check)) {
      if (STALE.has(shownError(check.cause)._tag)) {
        const message = clickedMessage(origin)
        after = Effect.flatMap(Core.showApproval(request.id).pipe(Core.as(actor.id, "slack")), (current) =>
          refreshMessage(bot, current, { requester: request.requester, ...(message === undefined ? {} : { message }) }))
      }
      return yield* Effect.failCause(check.cause)
    }
    const targets = yield* targetDetails(check.value).pipe(Core.as(actor.id, "slack"))
    yield* showModal(bot, loading, body.trigger_id, MODALS[kind].modal(check.value, encodeMetadata(request, origin), targets))
    return null
  }))
  if (reply !== null) await answerClick(bot, body, respond, reply, loading, MODALS[kind].title)
  return after === undefined ? undefined : afterWork(bot, after)
}

/**
 * A Withdraw click (the requester's own pending request, on the Home tab or `/usher pending`):
 * core's cancel as the clicker; then the approvals message shows it and the list or tab they
 * clicked on is shown again. A refusal (not theirs, decided meanwhile) is shown there too.
 */
export const handleWithdraw = async (bot: Bot, body: BlockAction<ButtonAction>, action: ButtonAction): Promise<AfterWork> => {
  const origin = originOf(body)
  let canceled: Core.ApprovalRequest | undefined
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`action:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const request = yield* clicked(action)
    const actor = yield* bot.identity.actor(body.user.id)
    canceled = yield* Core.cancelRequest(request.id).pipe(Core.as(actor.id, "slack"))
    return null
  }))
  if (canceled !== undefined) return concluded(bot, origin, body.user.id, canceled, body.user.id)
  return reply === null ? undefined : refused(bot, origin, body.user.id, reply)
}

/**
 * An Extend click (on the notice that a grant ends within the hour): core's grant use case as the
 * clicker, for the grant's own duration from now, so every permission, delegation and
 * organization check applies as if they granted it anew; a role that configuration gates files
 * a request instead (posted to the approvals channel). Resolves with the reply, and whether it
 * replaces the notice (an extension done: its button is spent).
 */
export const handleExtend = async (bot: Bot, body: BlockAction<ButtonAction>, action: ButtonAction): Promise<{ readonly reply: Reply; readonly done: boolean } | null> => {
  let done = false
  const reply = await runToReply(bot, Effect.gen(function*() {
    if (!(yield* Core.Jobs.claimSlackDelivery(`action:${body.team?.id ?? ""}:${body.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const value = decodeExtend(action.value)
    if (value === undefined) return yield* Effect.fail({ _tag: "UnknownButton", message: "This button is not one of usher's; nothing was done." })
    const actor = yield* bot.identity.actor(body.user.id)
    const result = yield* Core.decodeThen(Core.GrantInput, Core.grantRole)({ role: value.role, to: { user: value.user }, scope: value.scope, expiresIn: value.for }).pipe(
      Core.as(actor.id, "slack")
    )
    if (result._tag === "ApprovalRequested") return yield* postApproval(bot, result.approval, body.user.id)
    done = true
    return extended(result)
  }))
  return reply === null ? null : { reply, done }
}

/** Registers the Approve, Deny, Withdraw and Extend buttons: acknowledge at once, then open the modal, withdraw or extend. */
export const register = (app: App, bot: Bot): void => {
  for (const kind of ["approve", "deny"] as const) {
    app.action<BlockAction<ButtonAction>>(Ids[kind], async ({ ack, body, action, respond }) => {
      await ack()
      // the modal opens first (its trigger lives three seconds); the form replaces it once the clicker may decide
      const loading = await openLoading(bot, body.trigger_id, MODALS[kind].title)
      // who clicked is looked up before the work takes a slot (a slow users.info holds none)
      const failed = await lookUpPeople(bot, [body.user.id])
      if (failed !== null) return answerClick(bot, body, respond, failed, loading, MODALS[kind].title)
      const after = await bot.work(() => handleDecisionClick(bot, kind, body, action, respond, loading))
      await after?.()
    })
  }
  app.action<BlockAction<ButtonAction>>(Ids.extend, async ({ ack, body, action, respond }) => {
    await ack()
    const answer = async (reply: Reply, replace: boolean) => {
      if (body.response_url === undefined) return tellDirectly(bot, body.user.id, reply)
      if (!replace) return replyWith(bot, respond, reply)
      await respond({ response_type: "ephemeral", replace_original: true, text: reply.text, blocks: [...reply.blocks] }).catch(() => tellDirectly(bot, body.user.id, reply))
    }
    const failed = await lookUpPeople(bot, [body.user.id])
    if (failed !== null) return answer(failed, false)
    const outcome = await bot.work(() => handleExtend(bot, body, action))
    if (outcome !== null) await answer(outcome.reply, outcome.done)
  })
  app.action<BlockAction<ButtonAction>>(Ids.withdraw, async ({ ack, body, action }) => {
    await ack()
    const failed = await lookUpPeople(bot, [body.user.id])
    if (failed !== null) return refused(bot, originOf(body), body.user.id, failed)()
    const after = await bot.work(() => handleWithdraw(bot, body, action))
    await after?.()
  })
}
