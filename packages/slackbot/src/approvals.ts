import * as Core from "@usher/core"
import { Cause, Duration, Effect, Either, Option, Queue, Stream } from "effect"
import { approvalMessage, postAdvice, requestFiled, requesterNotice, type TargetDetail } from "./blocks/approvals.js"
import type { Reply } from "./blocks/mrkdwn.js"
import type { Bot } from "./bot.js"
import { callSlack, FINAL_ERRORS, SlackApiFailed } from "./identity.js"
import { targetDetails } from "./requests.js"

/** The least time between two sync passes woken by change signals. */
const SIGNALLED_PASS_GAP_MS = 100

/** Slack's error code of a failure, or the message of another one. */
const codeOf = (e: { readonly _tag: string; readonly message: string }) => e instanceof SlackApiFailed ? e.error : e.message

/** Where a request was posted, or why it could not be. */
export type PostOutcome = { readonly channel: string } | { readonly error: string }

/** How long a command's post may wait for the approvals channel's turn before the sync loop is left to post it. */
const COMMAND_POST_MAX_WAIT_MS = 1_500

/** Which client a call goes through: someone is waiting on it (fails fast), or nobody is (waits out rate limits). */
export type Path = "interactive" | "background"

const clientFor = (bot: Bot, path: Path) => path === "interactive" ? bot.client : bot.background

/** Posts a message to a channel in its turn (about one a second per channel). */
const post = (bot: Bot, path: Path, channel: string, message: Reply) =>
  callSlack("chat.postMessage", () =>
    bot.pace(
      channel,
      () => clientFor(bot, path).chat.postMessage({ channel, text: message.text, blocks: [...message.blocks], unfurl_links: false }),
      path === "interactive" ? { maxWaitMs: COMMAND_POST_MAX_WAIT_MS } : {}
    )).pipe(
      Effect.flatMap(({ channel, ts }) =>
        channel === undefined || ts === undefined
          ? Effect.fail(new SlackApiFailed({ method: "chat.postMessage", error: "no message id returned" }))
          : Effect.succeed({ channel, ts }))
    )

/**
 * The accounts a request acts on as they are now, for its approvals message, read as its
 * requester: the message is theirs, and shows what they may read (core's `showUser` rule), not
 * what the bot could. Decoration only: any failure leaves the details out.
 */
const channelTargets = (bot: Bot, approval: Core.ApprovalRequest) =>
  targetDetails(approval).pipe(
    // the requester's id as core stored it: the acting user of a read, never of a change
    Core.as(approval.requestedById as Core.UserId, "slack"),
    Effect.catchAllCause((cause) =>
      Effect.sync((): ReadonlyArray<TargetDetail> => {
        bot.logger.warn(`usher-slack: could not read the accounts of ${approval.id} for its message: ${Cause.pretty(cause)}`)
        return []
      }))
  )

/**
 * Posts a new request to the approvals channel and records where (so its message can be
 * updated after the response URL has expired). Each request is posted once across replicas and
 * paths (the command that filed it, the sync loop for requests filed elsewhere); a post that
 * fails gives its claim back, so the sync loop's next pass tries again.
 */
export const postToChannel = (bot: Bot, approval: Core.ApprovalRequest, requesterSlackId: string | null, path: Path = "background") =>
  Effect.gen(function*() {
    const message = approvalMessage(approval, { requester: requesterSlackId }, yield* channelTargets(bot, approval))
    const posted = yield* Effect.either(Core.Jobs.claimSlackDelivery(`post:${approval.id}`, post(bot, path, bot.config.approvalsChannel, message)).pipe(Core.Jobs.asSystem("slack")))
    if (Either.isLeft(posted)) {
      bot.logger.warn(`usher-slack: could not post approval request ${approval.id} to ${bot.config.approvalsChannel}: ${posted.left.error}. ${postAdvice(posted.left.error)}`)
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
 * The requester is waiting: the post fails fast, and the sync loop posts it later.
 */
export const postApproval = (bot: Bot, approval: Core.ApprovalRequest, requesterSlackId: string | null) =>
  Effect.map(postToChannel(bot, approval, requesterSlackId, "interactive"), (outcome): Reply => requestFiled(approval, outcome))

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
 * How a message update ended: updated; posted anew (the old message was gone, its channel
 * archived, the bot removed from it); or given up after a final error (the repost failed too,
 * or was made already), logged.
 */
export type RefreshOutcome =
  | { readonly _tag: "Updated" }
  | { readonly _tag: "Reposted"; readonly channel: string }
  | { readonly _tag: "GaveUp"; readonly error: string }
  | { readonly _tag: "NotPosted" }

const outcome = (o: RefreshOutcome): RefreshOutcome => o

/**
 * Shows a request's current state in its approvals-channel message (`chat.update` with the
 * stored channel and ts) and records that the message is up to date. When Slack answers with an
 * error that no retry can fix (`message_not_found`, `channel_not_found`, `is_archived`,
 * `not_in_channel`, …), the request is posted anew to the approvals channel once (across
 * replicas); when that fails too, or was done already, the bot gives up on the message: it is
 * marked up to date and the failure logged. Other failures (a rate limit, a timeout) fail, for
 * the caller to try again later.
 */
export const refreshMessage = (bot: Bot, approval: Core.ApprovalRequest, slack: MessageContext = {}) =>
  Effect.gen(function*() {
    const where = approval.slack ?? (slack.message?.channel && slack.message.ts ? slack.message : null)
    if (where === null) return outcome({ _tag: "NotPosted" })
    const requester = slack.requester ?? (yield* bot.identity.slackIdOf(approval.requestedBy))
    const message = approvalMessage(approval, { requester, ...(slack.decidedBy === undefined ? {} : { decidedBy: slack.decidedBy }) }, yield* channelTargets(bot, approval))
    const updated = yield* Effect.either(callSlack("chat.update", () => bot.background.chat.update({ channel: where.channel, ts: where.ts, text: message.text, blocks: [...message.blocks] })))
    if (Either.isRight(updated)) {
      yield* Core.Jobs.markSlackSynced(approval.id, approval.version).pipe(Core.Jobs.asSystem("slack"))
      return outcome({ _tag: "Updated" })
    }
    if (!FINAL_ERRORS.has(updated.left.error)) return yield* Effect.fail(updated.left)
    if (yield* Core.Jobs.claimSlackDelivery(`repost:${approval.id}`).pipe(Core.Jobs.asSystem("slack"))) {
      const reposted = yield* Effect.either(post(bot, "background", bot.config.approvalsChannel, message))
      if (Either.isRight(reposted)) {
        yield* Core.Jobs.recordSlackMessage(approval.id, reposted.right.channel, reposted.right.ts).pipe(Core.Jobs.asSystem("slack"))
        bot.logger.warn(`usher-slack: the message of ${approval.id} could not be updated (${updated.left.error}); posted it anew to ${bot.config.approvalsChannel}`)
        return outcome({ _tag: "Reposted", channel: reposted.right.channel })
      }
      bot.logger.warn(`usher-slack: could not post ${approval.id} anew either (${reposted.left.error}). ${postAdvice(reposted.left.error)}`)
    }
    yield* Core.Jobs.markSlackSynced(approval.id, approval.version).pipe(Core.Jobs.asSystem("slack"))
    bot.logger.warn(`usher-slack: gave up on the Slack message of ${approval.id} (${updated.left.error}); the request itself is ${approval.status}, see \`usher approvals show ${approval.id}\``)
    return outcome({ _tag: "GaveUp", error: updated.left.error })
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
    yield* callSlack("chat.postMessage", () => bot.pace(requester, () => bot.background.chat.postMessage({ channel: requester, text: notice.text, blocks: [...notice.blocks] })))
  })

/**
 * After a decision: the channel message is updated and the requester told, each on its own, so
 * that a message that cannot be updated does not keep the notice from going out. Resolves with
 * how the update ended (a failure as `GaveUp` with its error) once both are done.
 */
export const afterDecision = (bot: Bot, approval: Core.ApprovalRequest, slack: MessageContext) =>
  Effect.map(
    Effect.all([
      Effect.catchAll(refreshMessage(bot, approval, slack), (e): Effect.Effect<RefreshOutcome> => Effect.succeed({ _tag: "GaveUp", error: codeOf(e) })),
      Effect.either(notifyRequester(bot, approval, slack))
    ], { concurrency: 2 }),
    ([refreshed, notified]) => {
      if (Either.isLeft(notified)) bot.logger.warn(`usher-slack: could not tell the requester of ${approval.id}: ${notified.left.message}`)
      return refreshed
    }
  )

const MAX_FAILED_POSTS_PER_PASS = 3

/** How many times in a row the sync loop tries to update one message before it gives up on it. */
export const MAX_SYNC_TRIES = 6

/**
 * One pass of the sync: requests past their expiry are recorded as expired, pending requests
 * filed outside Slack (CLI, dashboard) are posted to the approvals channel, and every posted
 * request whose message is behind its state (decided in the CLI or dashboard, expired) is
 * updated, and its requester told. A post or update that failed is tried again after a back-off
 * that doubles (from the sync interval up to five minutes); an update is given up (logged)
 * after `MAX_SYNC_TRIES` failures in a row.
 */
export const syncOnce = (bot: Bot) =>
  Effect.gen(function*() {
    yield* Core.Jobs.expireApprovals.pipe(Core.Jobs.asSystem("slack"))
    let failures = 0
    for (const approval of yield* Core.Jobs.unpostedApprovals.pipe(Core.Jobs.asSystem("slack"))) {
      // a channel the bot cannot post to fails every post: a few tries per pass, not one per request
      if (failures >= MAX_FAILED_POSTS_PER_PASS) break
      const key = `post:${approval.id}`
      if (!bot.retries.ready(key)) continue
      const outcome = yield* postToChannel(bot, approval, yield* bot.identity.slackIdOf(approval.requestedBy))
      if ("error" in outcome) {
        failures++
        bot.retries.failed(key)
      } else bot.retries.forget(key)
    }
    const behind = yield* Core.Jobs.slackMessagesToSync.pipe(Core.Jobs.asSystem("slack"))
    for (const approval of behind) {
      const key = `update:${approval.id}`
      if (!bot.retries.ready(key)) continue
      const updated = yield* Effect.either(refreshMessage(bot, approval))
      if (Either.isLeft(updated)) {
        const tries = bot.retries.failed(key)
        if (tries >= MAX_SYNC_TRIES) {
          bot.retries.forget(key)
          yield* Core.Jobs.markSlackSynced(approval.id, approval.version).pipe(Core.Jobs.asSystem("slack"))
          bot.logger.warn(`usher-slack: gave up updating the message of ${approval.id} after ${tries} tries (${codeOf(updated.left)})`)
        } else bot.logger.warn(`usher-slack: could not update the message of ${approval.id} (try ${tries} of ${MAX_SYNC_TRIES}): ${updated.left.message}`)
      } else bot.retries.forget(key)
      // the requester is told whatever became of the message
      yield* Effect.ignore(notifyRequester(bot, approval))
    }
    return behind.length
  })

/** The sync pass every `syncIntervalMs`, for as long as the bot runs (a failed pass is logged and the next one runs). */
export const syncLoop = (bot: Bot) =>
  Effect.gen(function*() {
    // on PostgreSQL every commit anywhere is signalled at once (LISTEN/NOTIFY): a request filed or
    // decided in another process is posted or updated now rather than at the next pass. Signals
    // coalesce (one waiting wake-up at most), and the interval stays for SQLite and as a fallback.
    const wake = yield* Queue.sliding<void>(1)
    yield* Effect.forkScoped(Stream.runForEach(Core.Jobs.changes, () => Queue.offer(wake, undefined)).pipe(Core.Jobs.asSystem("slack")))
    const pass = syncOnce(bot).pipe(
      Effect.catchAllCause((cause) => Effect.sync(() => bot.logger.warn(`usher-slack: approval sync failed: ${Cause.pretty(cause)}`)))
    )
    for (;;) {
      yield* pass
      // a pass's own writes signal too: the next one waits a moment, so they cannot keep it spinning
      yield* Effect.raceFirst(Queue.take(wake).pipe(Effect.zipRight(Effect.sleep(Duration.millis(SIGNALLED_PASS_GAP_MS)))), Effect.sleep(Duration.millis(bot.config.syncIntervalMs)))
    }
  }).pipe(Effect.scoped)
