import * as Core from "@usher/core"
import { Cause, Duration, Effect, Either, Queue, Stream } from "effect"
import type { Reply } from "./blocks/mrkdwn.js"
import { decisionWanted, dormantAccounts, expiringMessage, expiringReply, grantEnded, grantEnding } from "./blocks/notices.js"
import type { Bot } from "./bot.js"
import { buildHome } from "./home.js"
import { callSlack, FINAL_ERRORS, SlackApiFailed } from "./identity.js"
import { MAX_SYNC_TRIES } from "./approvals.js"

const system = Core.Jobs.asSystem("slack")

/** The least time between two notice passes woken by change signals (a pass's own bookkeeping signals too). */
const SIGNALLED_PASS_GAP_MS = 500

/** How many Home tabs one pass publishes again (the rest wait for the next pass). */
const HOMES_PER_PASS = 20

/** What a notice cannot be sent for however often it is tried: beyond `FINAL_ERRORS`, an account with no Slack user. */
const NO_SLACK_USER = "no_slack_user"

/**
 * Posts a message in the channel's turn (`pace.ts`) through the background client (it waits out
 * rate limits and retries): a direct message when `channel` is a Slack user id, a thread reply
 * with `thread`.
 */
const postPaced = (bot: Bot, channel: string, message: Reply, thread?: string) =>
  callSlack("chat.postMessage", () =>
    bot.pace(channel, () =>
      bot.background.chat.postMessage({
        channel,
        text: message.text,
        blocks: [...message.blocks],
        unfurl_links: false,
        ...(thread === undefined ? {} : { thread_ts: thread })
      })))

/** A direct message to an account: to its linked Slack user, else the one with its e-mail (see `Identity.directTo`). */
const direct = (bot: Bot, to: Core.NoticeRecipient, message: Reply) =>
  Effect.flatMap(bot.identity.directTo(to), (slackUserId) =>
    slackUserId === null
      ? Effect.fail(new SlackApiFailed({ method: "users.lookupByEmail", error: NO_SLACK_USER }))
      : postPaced(bot, slackUserId, message))

/** Sends one notice (or an admin's dormant accounts, as one message), rendered from what core said. */
const deliver = (bot: Bot, notices: ReadonlyArray<Core.SlackNotice>) =>
  Effect.gen(function*() {
    const n = notices[0]!
    switch (n._tag) {
      case "DecisionWanted":
        return yield* direct(bot, n.to, decisionWanted(n.approval, yield* bot.identity.slackIdOf(n.approval.requestedBy), n.reminder))
      case "ApprovalExpiring": {
        const at = n.approval.slack
        return at === null
          ? yield* postPaced(bot, bot.config.approvalsChannel, expiringMessage(n.approval, yield* bot.identity.slackIdOf(n.approval.requestedBy)))
          : yield* postPaced(bot, at.channel, expiringReply(n.approval), at.ts)
      }
      case "GrantEnding":
        return yield* direct(bot, n.to, grantEnding(n, n.toHolder ? null : yield* bot.identity.slackIdOf(n.grant.holder.email)))
      case "GrantEnded":
        return yield* direct(bot, n.to, grantEnded(n))
      case "DormantAccount":
        return yield* direct(bot, n.to, dormantAccounts(notices.flatMap((d) => d._tag === "DormantAccount" ? [d.account] : [])))
    }
  })

/** Notices sent together: an admin's dormant accounts in one message, every other notice on its own. */
const batches = (due: ReadonlyArray<Core.SlackNotice>): ReadonlyArray<ReadonlyArray<Core.SlackNotice>> => {
  const dormant = new Map<string, Array<Core.SlackNotice>>()
  const out: Array<Array<Core.SlackNotice>> = []
  for (const n of due) {
    if (n._tag !== "DormantAccount") {
      out.push([n])
      continue
    }
    const batch = dormant.get(n.to.id)
    if (batch === undefined) {
      const fresh = [n]
      dormant.set(n.to.id, fresh)
      out.push(fresh)
    } else batch.push(n)
  }
  return out
}

/**
 * Sends the notices core says are due, each once across replicas: taken (claimed) first, then
 * sent, then settled. A failure that trying again cannot fix (no Slack user for the account, a
 * channel gone) gives the notice up, logged; another gives it back, to be tried again after a
 * back-off that doubles, `MAX_SYNC_TRIES` times at most.
 */
const sendDue = (bot: Bot) =>
  Effect.gen(function*() {
    let sent = 0
    for (const batch of batches(yield* Core.Jobs.slackNoticesToSend().pipe(system))) {
      const key = `notice:${batch[0]!.key}`
      if (!bot.retries.ready(key)) continue
      const taken = yield* Core.Jobs.claimSlackNotices(batch.map((n) => n.key)).pipe(system)
      const mine = batch.filter((n) => taken.includes(n.key))
      if (mine.length === 0) continue
      const result = yield* Effect.either(deliver(bot, mine))
      if (Either.isRight(result)) {
        bot.retries.forget(key)
        yield* Core.Jobs.settleSlackNotices(taken, "sent").pipe(system)
        sent += taken.length
        continue
      }
      const error = result.left.error
      const tries = bot.retries.failed(key)
      if (FINAL_ERRORS.has(error) || error === NO_SLACK_USER || tries >= MAX_SYNC_TRIES) {
        bot.retries.forget(key)
        yield* Core.Jobs.settleSlackNotices(taken, `failed: ${error}`).pipe(system)
        bot.logger.warn(`usher-slack: gave up the notice ${batch[0]!.key}${batch.length > 1 ? ` (and ${batch.length - 1} more)` : ""}: ${error}`)
      } else {
        yield* Core.Jobs.releaseSlackNotices(taken).pipe(system)
        bot.logger.warn(`usher-slack: could not send the notice ${batch[0]!.key} (try ${tries} of ${MAX_SYNC_TRIES}): ${error}`)
      }
    }
    return sent
  })

/**
 * Publishes again the Home tabs whose lists a change made elsewhere put behind (core says whose:
 * the requester's and the deciders', among those who opened the tab), a few per pass, each once
 * across replicas, through the background client (nobody is waiting on it). A failed publish
 * gives the tab back for the next pass.
 */
export const refreshHomes = (bot: Bot) =>
  Effect.gen(function*() {
    let published = 0
    for (const home of yield* Core.Jobs.slackHomesToRefresh(HOMES_PER_PASS).pipe(system)) {
      const mark = yield* Core.Jobs.slackHomeMark.pipe(system)
      if (!(yield* Core.Jobs.claimSlackHome(home, mark).pipe(system))) continue
      const built = yield* buildHome(bot, home.slackUserId)
      if (built.failure === "SlackApiFailed") {
        // Slack did not say who they are just now: their tab stays as it is until a later pass
        yield* Core.Jobs.releaseSlackHome(home, mark).pipe(system)
        continue
      }
      const done = yield* Effect.either(callSlack("views.publish", () => bot.background.views.publish({ user_id: home.slackUserId, view: built.view })))
      if (Either.isRight(done)) published++
      else {
        yield* Core.Jobs.releaseSlackHome(home, mark).pipe(system)
        bot.logger.warn(`usher-slack: could not publish the Home tab of ${home.slackUserId} again (${done.left.error})`)
      }
    }
    return published
  })

/**
 * One pass of the notices: core plans what has come due (deciders of new requests, reminders,
 * requests about to expire, grants about to end or ended, dormant accounts), the bot sends it,
 * then publishes again the Home tabs that changes put behind.
 */
export const noticesOnce = (bot: Bot) =>
  Effect.gen(function*() {
    yield* Core.Jobs.planSlackNotices.pipe(system)
    const sent = yield* sendDue(bot)
    const homes = yield* refreshHomes(bot)
    return { sent, homes }
  })

/** The notice pass every `syncIntervalMs` and on change signals (PostgreSQL), for as long as the bot runs; a failed pass is logged. */
export const noticeLoop = (bot: Bot) =>
  Effect.gen(function*() {
    const wake = yield* Queue.sliding<void>(1)
    yield* Effect.forkScoped(Stream.runForEach(Core.Jobs.changes, () => Queue.offer(wake, undefined)).pipe(system))
    const pass = noticesOnce(bot).pipe(
      Effect.catchAllCause((cause) => Effect.sync(() => bot.logger.warn(`usher-slack: notice pass failed: ${Cause.pretty(cause)}`)))
    )
    for (;;) {
      yield* pass
      yield* Effect.raceFirst(Queue.take(wake).pipe(Effect.zipRight(Effect.sleep(Duration.millis(SIGNALLED_PASS_GAP_MS)))), Effect.sleep(Duration.millis(bot.config.syncIntervalMs)))
    }
  }).pipe(Effect.scoped)
