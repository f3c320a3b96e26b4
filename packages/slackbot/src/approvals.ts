import * as Core from "@usher/core"
import { Cause, Duration, Effect, Schedule } from "effect"
import { approvalMessage, requestFiled, requesterNotice } from "./blocks/approvals.js"
import type { Bot } from "./bot.js"
import { callSlack } from "./identity.js"

/**
 * Posts a new request to the approvals channel and records where (so its message can be
 * updated after the response URL has expired); returns the requester's confirmation. Each
 * request is posted once across replicas and paths (the command that filed it, the sync loop
 * for requests filed elsewhere). A post that fails leaves the request filed and says how to
 * decide it without Slack.
 */
export const postApproval = (bot: Bot, approval: Core.ApprovalRequest, requesterSlackId: string | null) =>
  Effect.gen(function*() {
    if (!(yield* Core.claimSlackDelivery(`post:${approval.id}`))) return requestFiled(approval, { channel: bot.config.approvalsChannel })
    const message = approvalMessage(approval, { requester: requesterSlackId })
    const posted = yield* Effect.either(callSlack("chat.postMessage", () =>
      bot.client.chat.postMessage({ channel: bot.config.approvalsChannel, text: message.text, blocks: [...message.blocks], unfurl_links: false })))
    if (posted._tag === "Left" || posted.right.channel === undefined || posted.right.ts === undefined) {
      const error = posted._tag === "Left" ? posted.left.error : "no message id returned"
      bot.logger.warn(`usher-slack: could not post approval request ${approval.id} to ${bot.config.approvalsChannel}: ${error}`)
      return requestFiled(approval, { error })
    }
    yield* Core.recordSlackMessage(approval.id, posted.right.channel, posted.right.ts)
    return requestFiled(approval, { channel: posted.right.channel })
  })

/** What the bot knows about a request's Slack side beyond what core stored. */
export interface MessageContext {
  /** the requester's Slack user id */
  readonly requester?: string | null
  /** the Slack user id of who decided, when it was decided in Slack */
  readonly decidedBy?: string
  /** the message a button was clicked on (used when core has no stored position) */
  readonly message?: { readonly channel: string; readonly ts: string }
}

/**
 * Shows a request's current state in its approvals-channel message (`chat.update` with the
 * stored channel and ts) and records that the message is up to date. Nothing to do for a
 * request that was never posted.
 */
export const refreshMessage = (bot: Bot, approval: Core.ApprovalRequest, slack: MessageContext = {}) =>
  Effect.gen(function*() {
    const where = approval.slack ?? (slack.message?.channel && slack.message.ts ? slack.message : null)
    if (where === null) return
    const requester = slack.requester ?? (yield* bot.identity.slackIdOf(approval.requestedBy))
    const message = approvalMessage(approval, { requester, ...(slack.decidedBy === undefined ? {} : { decidedBy: slack.decidedBy }) })
    yield* callSlack("chat.update", () => bot.client.chat.update({ channel: where.channel, ts: where.ts, text: message.text, blocks: [...message.blocks] }))
    yield* Core.markSlackSynced(approval.id, approval.version)
  })

/**
 * Tells the requester in a direct message how their request ended, once across every replica
 * and every path that noticed (the click, the sync loop).
 */
export const notifyRequester = (bot: Bot, approval: Core.ApprovalRequest, slack: MessageContext = {}) =>
  Effect.gen(function*() {
    if (approval.status === "pending") return
    const requester = slack.requester ?? (yield* bot.identity.slackIdOf(approval.requestedBy))
    if (requester === null) return
    if (!(yield* Core.claimSlackDelivery(`notify:${approval.id}:${approval.status}`))) return
    const notice = requesterNotice(approval, slack.decidedBy)
    yield* callSlack("chat.postMessage", () => bot.client.chat.postMessage({ channel: requester, text: notice.text, blocks: [...notice.blocks] }))
  })

/**
 * One pass of the sync: requests past their expiry are recorded as expired, pending requests
 * filed outside Slack (CLI, dashboard) are posted to the approvals channel, and every posted
 * request whose message is behind its state (decided in the CLI or dashboard, expired) is updated.
 */
export const syncOnce = (bot: Bot) =>
  Effect.gen(function*() {
    yield* Core.expireApprovals.pipe(Core.as("system", "slack"))
    for (const approval of yield* Core.unpostedApprovals) {
      yield* postApproval(bot, approval, yield* bot.identity.slackIdOf(approval.requestedBy)).pipe(Core.as("system", "slack"))
    }
    const behind = yield* Core.slackMessagesToSync
    for (const approval of behind) {
      const updated = yield* Effect.either(refreshMessage(bot, approval))
      if (updated._tag === "Left") bot.logger.warn(`usher-slack: could not update the message of ${approval.id}: ${updated.left.message}`)
      else yield* Effect.ignore(notifyRequester(bot, approval))
    }
    return behind.length
  })

/** The sync pass every `syncIntervalMs`, for as long as the bot runs (a failed pass is logged and the next one runs). */
export const syncLoop = (bot: Bot) =>
  syncOnce(bot).pipe(
    Effect.catchAllCause((cause) => Effect.sync(() => bot.logger.warn(`usher-slack: approval sync failed: ${Cause.pretty(cause)}`))),
    Effect.repeat(Schedule.spaced(Duration.millis(bot.config.syncIntervalMs)))
  )
