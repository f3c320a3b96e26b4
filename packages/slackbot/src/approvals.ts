import * as Core from "@usher/core"
import { Cause, Duration, Effect, Either, Option, Schedule } from "effect"
import { approvalMessage, requestFiled, requesterNotice } from "./blocks/approvals.js"
import type { Reply } from "./blocks/mrkdwn.js"
import type { Bot } from "./bot.js"
import { callSlack, SlackApiFailed } from "./identity.js"

/** Where a request was posted, or why it could not be. */
export type PostOutcome = { readonly channel: string } | { readonly error: string }

/**
 * Posts a new request to the approvals channel and records where (so its message can be
 * updated after the response URL has expired). Each request is posted once across replicas and
 * paths (the command that filed it, the sync loop for requests filed elsewhere); a post that
 * fails gives its claim back, so the sync loop's next pass tries again.
 */
export const postToChannel = (bot: Bot, approval: Core.ApprovalRequest, requesterSlackId: string | null) =>
  Effect.gen(function*() {
    const message = approvalMessage(approval, { requester: requesterSlackId })
    const post = callSlack("chat.postMessage", () =>
      bot.client.chat.postMessage({ channel: bot.config.approvalsChannel, text: message.text, blocks: [...message.blocks], unfurl_links: false })).pipe(
        Effect.flatMap(({ channel, ts }) =>
          channel === undefined || ts === undefined
            ? Effect.fail(new SlackApiFailed({ method: "chat.postMessage", error: "no message id returned" }))
            : Effect.succeed({ channel, ts }))
      )
    const posted = yield* Effect.either(Core.Jobs.claimSlackDelivery(`post:${approval.id}`, post).pipe(Core.Jobs.asSystem("slack")))
    if (Either.isLeft(posted)) {
      bot.logger.warn(`usher-slack: could not post approval request ${approval.id} to ${bot.config.approvalsChannel}: ${posted.left.error}`)
      return { error: posted.left.error } satisfies PostOutcome
    }
    // posted just now by another replica or path: to the configured channel
    if (Option.isNone(posted.right)) return { channel: bot.config.approvalsChannel } satisfies PostOutcome
    yield* Core.Jobs.recordSlackMessage(approval.id, posted.right.value.channel, posted.right.value.ts).pipe(Core.Jobs.asSystem("slack"))
    return { channel: posted.right.value.channel } satisfies PostOutcome
  })

/**
 * Posts a request filed from Slack and returns the requester's confirmation: where approvers
 * will see it, or, when the post failed, how to decide it without Slack (the request stays filed).
 */
export const postApproval = (bot: Bot, approval: Core.ApprovalRequest, requesterSlackId: string | null) =>
  Effect.map(postToChannel(bot, approval, requesterSlackId), (outcome): Reply => requestFiled(approval, outcome))

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
    yield* Core.Jobs.markSlackSynced(approval.id, approval.version).pipe(Core.Jobs.asSystem("slack"))
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
    if (!(yield* Core.Jobs.claimSlackDelivery(`notify:${approval.id}:${approval.status}`).pipe(Core.Jobs.asSystem("slack")))) return
    const notice = requesterNotice(approval, slack.decidedBy)
    yield* callSlack("chat.postMessage", () => bot.client.chat.postMessage({ channel: requester, text: notice.text, blocks: [...notice.blocks] }))
  })

const MAX_FAILED_POSTS_PER_PASS = 3

/**
 * One pass of the sync: requests past their expiry are recorded as expired, pending requests
 * filed outside Slack (CLI, dashboard) are posted to the approvals channel, and every posted
 * request whose message is behind its state (decided in the CLI or dashboard, expired) is updated.
 */
export const syncOnce = (bot: Bot) =>
  Effect.gen(function*() {
    yield* Core.Jobs.expireApprovals.pipe(Core.Jobs.asSystem("slack"))
    let failures = 0
    for (const approval of yield* Core.Jobs.unpostedApprovals.pipe(Core.Jobs.asSystem("slack"))) {
      // a channel the bot cannot post to fails every post: a few tries per pass, not one per request
      if (failures >= MAX_FAILED_POSTS_PER_PASS) break
      const outcome = yield* postToChannel(bot, approval, yield* bot.identity.slackIdOf(approval.requestedBy)).pipe(Core.as("system", "slack"))
      if ("error" in outcome) failures++
    }
    const behind = yield* Core.Jobs.slackMessagesToSync.pipe(Core.Jobs.asSystem("slack"))
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
