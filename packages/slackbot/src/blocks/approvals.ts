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

/** What a message tells about one account a request acts on, read from core when the message is built. */
export type TargetDetail =
  | { readonly _tag: "Found"; readonly detail: Core.UserDetail }
  | { readonly _tag: "Unavailable"; readonly email: string; readonly why: string }

/** How many of the accounts a request acts on a message describes (a bulk request names the rest in its summary). */
export const MAX_TARGETS = 3

const list = (items: ReadonlyArray<string>, none: string) => items.length === 0 ? none : items.join("\n")

/** The account's current state: status, last activity, roles (with scope and expiry) and groups. */
export const targetBlocks = (targets: ReadonlyArray<TargetDetail>): Array<KnownBlock> =>
  targets.slice(0, MAX_TARGETS).map((t) => {
    if (t._tag === "Unavailable") return context(`${escape(t.email)}: no current details (${escape(clip(t.why, 300))})`)
    const { user, grants, groups } = t.detail
    return fields([
      ["Account now", `${escape(user.email)} · ${escape(user.status)}`],
      ["Last active", user.lastActiveAt === null ? "never" : when(user.lastActiveAt)],
      ["Roles", list(grants.map((g) => `${escape(g.role)} @ ${escape(g.scope)}${g.group === null ? "" : ` (group ${escape(g.group)})`}${g.expiresAt === null ? "" : ` until ${when(g.expiresAt)}`}`), "none")],
      ["Groups", list(groups.map((g) => escape(`${g.org}/${g.name}`)), "none")]
    ])
  })

/** Approve (opens the note modal) and Deny (opens the reason modal) for one request; `blockId` is unique within its message or view. */
export const decisionButtons = (value: string, blockId = "decision"): KnownBlock => ({
  type: "actions",
  block_id: blockId,
  elements: [
    { type: "button", action_id: Ids.approve, style: "primary", text: { type: "plain_text", text: "Approve" }, value },
    { type: "button", action_id: Ids.deny, style: "danger", text: { type: "plain_text", text: "Deny" }, value }
  ]
})

/** Withdraw, for the requester's own pending request (core's cancel), after a confirmation. */
export const withdrawButton = (a: Core.ApprovalRequest, blockId: string): KnownBlock => ({
  type: "actions",
  block_id: blockId,
  elements: [{
    type: "button",
    action_id: Ids.withdraw,
    text: { type: "plain_text", text: "Withdraw" },
    value: encodeDecision({ id: a.id, requester: null }),
    confirm: {
      title: { type: "plain_text", text: "Withdraw this request?" },
      text: { type: "mrkdwn", text: clipMrkdwn(`${escape(clip(a.summary, 200))}: nobody will be able to approve it any more.`, 300) },
      confirm: { type: "plain_text", text: "Withdraw" },
      deny: { type: "plain_text", text: "Keep it" }
    }
  }]
})

/** A channel as mrkdwn: a mention for an id (`<#C0123>`); a configured `#name` as text, which Slack cannot link. */
export const channelRef = (channel: string): string => channel.startsWith("#") ? escape(channel) : `<#${escape(channel)}>`

/** Someone as mrkdwn: a mention and their e-mail when their Slack user is known, else the e-mail. */
export const person = (email: string, slackId: string | null | undefined) => slackId ? `<@${slackId}> (${escape(email)})` : escape(email)

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
 * The approvals-channel message for a request: who asked, whom it is about (the account as it is
 * now), why, until when; Approve/Deny buttons while it is pending, the outcome and who decided
 * (and no expiry) once it is not.
 */
export const approvalMessage = (
  a: Core.ApprovalRequest,
  slack: { readonly requester?: string | null; readonly decidedBy?: string } = {},
  targets: ReadonlyArray<TargetDetail> = []
): Reply => {
  const value = encodeDecision({ id: a.id, requester: slack.requester ?? null })
  const pending = a.status === "pending"
  const blocks: Array<KnownBlock> = [
    header(pending ? "Approval needed" : "Approval request"),
    section(`*${escape(a.summary)}*`),
    fields([
      ["Requested by", `${person(a.requestedBy, slack.requester)} via ${escape(a.requestedVia)}`],
      ["Reason", escape(clip(a.reason, 1500))],
      ...(pending ? [["Expires", when(a.expiresAt)] as const] : []),
      ["Needs", `approvals.decide at ${a.scopes.map(escape).join(", ")}`]
    ]),
    ...targetBlocks(targets)
  ]
  if (pending) blocks.push(decisionButtons(value))
  blocks.push(section(outcomeLine(a, slack.decidedBy)), context(`Request ${a.id} · also in the CLI: \`usher approvals show ${a.id}\``))
  return { text: fallback(`${pending ? "Approval needed" : `Approval request ${a.status}`}: ${escape(clip(a.summary, 2000))} (requested by ${escape(a.requestedBy)})`), blocks }
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

/** What the person looking at a pending request may do about it, by core's checks. */
export type May =
  | { readonly _tag: "Decide" }
  | { readonly _tag: "Withdraw" }
  | { readonly _tag: "Cannot"; readonly why: string }
  /** beyond the requests checked for one answer; a click still gets core's answer */
  | { readonly _tag: "Unchecked" }

/** A pending request as one person sees it. */
export interface SeenRequest {
  readonly request: Core.ApprovalRequest
  readonly may: May
}

/** A request in a list: what it does, who asked when and why, until when, where it is posted. */
export const requestLine = (a: Core.ApprovalRequest, reasonMax = 300): string =>
  `*${escape(a.summary)}*\nRequested by ${escape(a.requestedBy)} ${when(a.createdAt)} · expires ${when(a.expiresAt)}\n_${escape(clip(a.reason, reasonMax))}_\n` +
  `Request ${a.id}${a.slack === null ? "" : ` · ${channelRef(a.slack.channel)}`}`

/** The blocks of one pending request in a list: the request, and its buttons or why there are none (at most two blocks). */
export const seenBlocks = ({ request: a, may }: SeenRequest): Array<KnownBlock> => {
  const value = encodeDecision({ id: a.id, requester: null })
  switch (may._tag) {
    case "Decide":
    case "Unchecked":
      return [section(requestLine(a)), decisionButtons(value, `decision:${a.id}`)]
    case "Withdraw":
      return [section(`${requestLine(a)}\n_You filed it._`), withdrawButton(a, `withdraw:${a.id}`)]
    case "Cannot":
      return [section(requestLine(a)), context(`You cannot decide it: ${escape(clip(may.why, 500))}`)]
  }
}

/** How many requests `/usher pending` shows (three blocks each, within a message's 50). */
export const PENDING_SHOWN = 15

/**
 * `/usher pending`: the pending requests the person can see, each with Approve/Deny when core
 * says they may decide it, Withdraw when they filed it, or why not; `notice` (the outcome of a
 * decision made from the list) goes first.
 */
export const pendingList = (seen: ReadonlyArray<SeenRequest>, notice?: Reply): Reply => {
  const top = notice === undefined ? [] : [...notice.blocks.slice(0, 2), divider]
  if (seen.length === 0) {
    return { text: notice?.text ?? "No pending approval requests.", blocks: [...top, section("No pending approval requests you could decide or asked for.")] }
  }
  const shown = seen.slice(0, PENDING_SHOWN)
  const blocks: Array<KnownBlock> = [...top, header(`Pending approval requests (${seen.length})`)]
  for (const entry of shown) blocks.push(divider, ...seenBlocks(entry))
  if (seen.length > shown.length) blocks.push(context(`…and ${seen.length - shown.length} more: \`usher approvals list --status pending\``))
  return { text: notice?.text ?? `${seen.length} pending approval request(s).`, blocks }
}

/** What the decider is told where they decided (the list or Home they clicked on): the outcome of their decision. */
export const decisionNotice = (a: Core.ApprovalRequest, decidedBySlack?: string): Reply => ({
  text: fallback(`${escape(clip(a.summary, 2000))}: ${a.status}.`),
  blocks: [section(`*${escape(a.summary)}*\n${outcomeLine(a, decidedBySlack)}`)]
})

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
