import type * as Core from "@usher/core"
import { Ids } from "../ids.js"
import { clip, clipMrkdwn, context, divider, escape, fallback, fields, header, section, when, type KnownBlock, type Reply } from "./mrkdwn.js"

/** What an Approve/Deny button carries: the request, and who asked in Slack (to tell them the outcome). */
export interface DecisionValue {
  readonly id: string
  readonly requester: string | null
}

/** The button value as text (Slack caps it at 2000 characters; ids are short). */
export const encodeDecision = (value: DecisionValue): string => JSON.stringify(value)

/** Reads a button value back; undefined when it is not one of ours. */
export const decodeDecision = (text: string | undefined): DecisionValue | undefined => {
  if (text === undefined) return undefined
  try {
    const value = JSON.parse(text) as Partial<DecisionValue>
    return typeof value.id === "string" ? { id: value.id, requester: typeof value.requester === "string" ? value.requester : null } : undefined
  } catch {
    return undefined
  }
}

/** A channel as mrkdwn: a mention for an id (`<#C0123>`); a configured `#name` as text, which Slack cannot link. */
export const channelRef = (channel: string): string => channel.startsWith("#") ? escape(channel) : `<#${escape(channel)}>`

const person = (email: string, slackId: string | null | undefined) => slackId ? `<@${slackId}> (${escape(email)})` : escape(email)

/** One line saying how a request ended (or that it waits). */
export const outcomeLine = (a: Core.ApprovalRequest, decidedBySlack?: string): string => {
  const by = a.decidedBy === null ? "someone" : person(a.decidedBy, decidedBySlack)
  const at = a.decidedAt === null ? "" : ` ${when(a.decidedAt)}`
  const note = a.note === null ? "" : `: “${escape(a.note)}”`
  switch (a.status) {
    case "pending":
      return `:hourglass_flowing_sand: Waiting for an approver until ${when(a.expiresAt)}.`
    case "approved":
    case "executed":
      return `:white_check_mark: *Approved* by ${by}${at}${a.status === "executed" ? " and done" : ""}${a.note === null ? "." : note}`
    case "failed":
      return `:warning: *Approved* by ${by}${at}, but it could not be carried out: ${escape(a.error ?? "unknown error")}. Nothing of it was applied.`
    case "denied":
      return `:x: *Denied* by ${by}${at}${note}`
    case "expired":
      return `:hourglass: *Expired* ${when(a.expiresAt)} without a decision; ask again if it is still needed.`
    case "canceled":
      return `:leftwards_arrow_with_hook: *Withdrawn* by ${escape(a.requestedBy)}${at}.`
  }
}

/**
 * The approvals-channel message for a request: who asked, whom it is about, why, until when;
 * Approve/Deny buttons while it is pending, the outcome and who decided once it is not.
 */
export const approvalMessage = (a: Core.ApprovalRequest, slack: { readonly requester?: string | null; readonly decidedBy?: string } = {}): Reply => {
  const value = encodeDecision({ id: a.id, requester: slack.requester ?? null })
  const blocks: Array<KnownBlock> = [
    header(a.status === "pending" ? "Approval needed" : "Approval request"),
    section(`*${escape(a.summary)}*`),
    fields([
      ["Requested by", `${person(a.requestedBy, slack.requester)} via ${escape(a.requestedVia)}`],
      ["Reason", escape(clip(a.reason, 1500))],
      ["Expires", when(a.expiresAt)],
      ["Needs", `approvals.decide at ${a.scopes.map(escape).join(", ")}`]
    ])
  ]
  if (a.status === "pending") {
    blocks.push({
      type: "actions",
      block_id: "decision",
      elements: [
        {
          type: "button",
          action_id: Ids.approve,
          style: "primary",
          text: { type: "plain_text", text: "Approve" },
          value,
          confirm: {
            title: { type: "plain_text", text: "Approve this request?" },
            text: { type: "mrkdwn", text: clipMrkdwn(`${escape(clip(a.summary, 200))}. It is carried out at once and cannot be undone.`, 300) },
            confirm: { type: "plain_text", text: "Approve" },
            deny: { type: "plain_text", text: "Cancel" }
          }
        },
        { type: "button", action_id: Ids.deny, style: "danger", text: { type: "plain_text", text: "Deny" }, value }
      ]
    })
  }
  blocks.push(section(outcomeLine(a, slack.decidedBy)), context(`Request ${a.id} · also in the CLI: \`usher approvals show ${a.id}\``))
  return { text: fallback(`${a.status === "pending" ? "Approval needed" : `Approval request ${a.status}`}: ${escape(clip(a.summary, 2000))} (requested by ${escape(a.requestedBy)})`), blocks }
}

/** The requester's notice that their request was decided. */
export const requesterNotice = (a: Core.ApprovalRequest, decidedBySlack?: string): Reply => ({
  text: fallback(`Your request "${escape(clip(a.summary, 2000))}" is ${a.status}.`),
  blocks: [section(`Your request *${escape(a.summary)}*:\n${outcomeLine(a, decidedBySlack)}`), context(`Request ${a.id}`)]
})

/**
 * What to do about a post to the approvals channel that failed, by Slack's error code: the bot
 * is not in the channel, the channel is archived, Slack is rate-limiting or did not answer.
 */
export const postAdvice = (error: string): string => {
  switch (error) {
    case "not_in_channel":
    case "channel_not_found":
      return "Invite the bot to the approvals channel (`/invite @usher` there; check that USHER_SLACK_APPROVALS_CHANNEL names it) so that the next one shows up there."
    case "is_archived":
      return "The approvals channel is archived: set USHER_SLACK_APPROVALS_CHANNEL to another channel and invite the bot there."
    case "ratelimited":
      return "Slack is limiting how fast the bot may post; it will be posted there in a moment."
    case "timeout":
      return "Slack did not answer in time; the bot tries again in a few seconds."
    case "invalid_auth":
    case "token_revoked":
    case "account_inactive":
    case "not_authed":
      return "Slack refused the bot's token: an admin should check SLACK_BOT_TOKEN (the app may have been uninstalled)."
    default:
      return "The bot tries to post it again in a few seconds."
  }
}

/** The requester's confirmation that a request was filed and where approvers will see it. */
export const requestFiled = (a: Core.ApprovalRequest, posted: { readonly channel: string } | { readonly error: string }): Reply => {
  const where = "channel" in posted
    ? `It is waiting for an approver in ${channelRef(posted.channel)}.`
    : `It could not be posted to the approvals channel (${escape(posted.error)}); an approver can decide it with \`usher approvals approve ${a.id}\`. ${postAdvice(posted.error)}`
  return {
    text: fallback(`Requested: ${escape(clip(a.summary, 2000))}. It needs someone else's approval.`),
    blocks: [section(`:raised_hand: *${escape(a.summary)}* needs someone else's approval. ${where}`), context(`Request ${a.id} · expires ${when(a.expiresAt)}`)]
  }
}

/** `/usher pending`: the pending requests the person can see. */
export const pendingList = (requests: ReadonlyArray<Core.ApprovalRequest>): Reply => {
  if (requests.length === 0) return { text: "No pending approval requests.", blocks: [section("No pending approval requests you could decide or asked for.")] }
  const shown = requests.slice(0, 15)
  const blocks: Array<KnownBlock> = [header(`Pending approval requests (${requests.length})`)]
  for (const a of shown) {
    blocks.push(divider, section(`*${escape(a.summary)}*\nRequested by ${escape(a.requestedBy)} ${when(a.createdAt)} · expires ${when(a.expiresAt)}\n_${escape(clip(a.reason, 300))}_`))
    blocks.push(context(`Request ${a.id}${a.slack === null ? "" : ` · ${channelRef(a.slack.channel)}`}`))
  }
  if (requests.length > shown.length) blocks.push(context(`…and ${requests.length - shown.length} more: \`usher approvals list --status pending\``))
  return { text: `${requests.length} pending approval request(s).`, blocks }
}

/** What the decider is told when the channel message could not show their decision: posted anew, or not shown at all. */
export const messageNotUpdated = (
  a: Core.ApprovalRequest,
  outcome: { readonly _tag: "Reposted"; readonly channel: string } | { readonly _tag: "GaveUp"; readonly error: string },
  decidedBySlack?: string
): Reply => {
  const where = outcome._tag === "Reposted"
    ? `The approvals message could not be updated, so it was posted anew in ${channelRef(outcome.channel)}.`
    : `The approvals message could not be updated (${escape(outcome.error)}); the request itself is decided.`
  return { text: fallback(`Request ${a.id} is ${a.status}.`), blocks: [section(`Your decision on *${escape(a.summary)}*:\n${outcomeLine(a, decidedBySlack)}\n${where}`), context(`Request ${a.id}`)] }
}
