import type * as Core from "@usher/core"
import { Ids } from "../ids.js"
import { decisionButtons, encodeDecision, person } from "./approvals.js"
import { clip, context, escape, fallback, fields, header, section, when, type KnownBlock, type Reply } from "./mrkdwn.js"

const requestFields = (a: Core.ApprovalRequest, requester: string | null): KnownBlock =>
  fields([
    ["Requested by", `${person(a.requestedBy, requester)} via ${escape(a.requestedVia)}`],
    ["Reason", escape(clip(a.reason, 1500))],
    ["Expires", when(a.expiresAt)],
    ["Needs", `approvals.decide at ${a.scopes.map(escape).join(", ")}`]
  ])

/**
 * The direct message to one who may decide a request, when it is filed and (`reminder`) again
 * after `approval.remind-hours`: what it is, who asked and why, until when, with the Approve and
 * Deny buttons of the channel message (the same modals).
 */
export const decisionWanted = (a: Core.ApprovalRequest, requester: string | null, reminder: boolean): Reply => ({
  text: fallback(`${reminder ? "Reminder: still waiting for your decision" : "Your decision is wanted"}: ${escape(clip(a.summary, 2000))} (requested by ${escape(a.requestedBy)})`),
  blocks: [
    header(reminder ? "Reminder: approval needed" : "Approval needed"),
    section(reminder
      ? `:alarm_clock: Still waiting for a decision since ${when(a.createdAt)}. You are one of those who may decide it:\n*${escape(a.summary)}*`
      : `:raised_hand: You are one of those who may decide this request:\n*${escape(a.summary)}*`),
    requestFields(a, requester),
    decisionButtons(encodeDecision({ id: a.id, requester })),
    context(`Request ${a.id} · also on the app's Home tab, and in the CLI: \`usher approvals show ${a.id}\``)
  ]
})

/** The reply in a request's approvals-channel thread an hour before it expires. */
export const expiringReply = (a: Core.ApprovalRequest): Reply => ({
  text: fallback(`This request expires in under an hour: ${escape(clip(a.summary, 2000))}`),
  blocks: [section(`:hourglass_flowing_sand: *This request expires in under an hour* (${when(a.expiresAt)}) and nobody has decided it yet.`), context(`Request ${a.id}`)]
})

/** A new approvals-channel message for a request that expires in under an hour and has no message there: it, with Approve/Deny. */
export const expiringMessage = (a: Core.ApprovalRequest, requester: string | null): Reply => ({
  text: fallback(`Expires in under an hour: ${escape(clip(a.summary, 2000))} (requested by ${escape(a.requestedBy)})`),
  blocks: [
    header("Expires in under an hour"),
    section(`:hourglass_flowing_sand: *${escape(a.summary)}* expires in under an hour (${when(a.expiresAt)}) and nobody has decided it yet.`),
    requestFields(a, requester),
    decisionButtons(encodeDecision({ id: a.id, requester })),
    context(`Request ${a.id} · also in the CLI: \`usher approvals show ${a.id}\``)
  ]
})

/** What an Extend button carries: whose grant, which role at which scope, for how long it is granted again. */
export interface ExtendValue {
  readonly user: string
  readonly role: string
  readonly scope: string
  readonly for: string
}

/** The button value as text (well under Slack's 2000 characters: an id, a role name, a scope, a duration). */
export const encodeExtend = (value: ExtendValue): string => JSON.stringify(value)

/** Reads an Extend button's value back; undefined when it is not one of ours. */
export const decodeExtend = (text: string | undefined): ExtendValue | undefined => {
  if (text === undefined) return undefined
  try {
    const v = JSON.parse(text) as Partial<Record<keyof ExtendValue, unknown>>
    return typeof v.user === "string" && typeof v.role === "string" && typeof v.scope === "string" && typeof v.for === "string"
      ? { user: v.user, role: v.role, scope: v.scope, for: v.for }
      : undefined
  } catch {
    return undefined
  }
}

const extendButton = (grant: Core.EndingGrant, duration: string): KnownBlock => ({
  type: "actions",
  block_id: "extend",
  elements: [{
    type: "button",
    action_id: Ids.extend,
    style: "primary",
    text: { type: "plain_text", text: `Extend by ${duration}` },
    value: encodeExtend({ user: grant.holder.id, role: grant.role, scope: grant.scope, for: duration })
  }]
})

/**
 * An hour before a grant ends: to its holder ("your ROLE at SCOPE ends at …"), or to whoever
 * granted it, with Extend (granting it again for the duration it had, as the clicker: core checks
 * that they still may).
 */
export const grantEnding = (n: Extract<Core.SlackNotice, { readonly _tag: "GrantEnding" }>, holderSlack: string | null): Reply => {
  const g = n.grant
  const what = `*${escape(g.role)}* at ${escape(g.scope)}`
  const line = n.toHolder
    ? `:hourglass_flowing_sand: Your ${what} ends ${when(g.expiresAt)}.`
    : `:hourglass_flowing_sand: ${what}, which you granted to ${person(g.holder.email, holderSlack)}, ends ${when(g.expiresAt)}.`
  const blocks: Array<KnownBlock> = [section(line)]
  if (n.extendFor !== null) {
    blocks.push(extendButton(g, n.extendFor), context(`Extend grants it again for ${escape(n.extendFor)} from now, as you, if you still may grant it.`))
  } else if (n.toHolder) blocks.push(context("If you still need it, ask whoever granted it to extend it."))
  return {
    text: fallback(n.toHolder ? `Your ${escape(g.role)} at ${escape(g.scope)} ends soon.` : `${escape(g.role)} at ${escape(g.scope)} of ${escape(g.holder.email)} ends soon.`),
    blocks
  }
}

/** The holder's notice that a time-bound grant ended (the policy runner revoked it at its expiry). */
export const grantEnded = (n: Extract<Core.SlackNotice, { readonly _tag: "GrantEnded" }>): Reply => ({
  text: fallback(`Your ${escape(n.grant.role)} at ${escape(n.grant.scope)} ended.`),
  blocks: [section(`:lock: Your *${escape(n.grant.role)}* at ${escape(n.grant.scope)} ended ${when(n.grant.expiresAt)}: its time ran out.`)]
})

/** Lines joined into texts of at most `max` characters each (a longer line stands alone, clipped by its section). */
const packed = (lines: ReadonlyArray<string>, max = 2_900): Array<string> => {
  const out: Array<string> = []
  for (const line of lines) {
    const last = out.length - 1
    if (last >= 0 && out[last]!.length + 1 + line.length <= max) out[last] = `${out[last]}\n${line}`
    else out.push(line)
  }
  return out
}

/** How many accounts one dormant-account message lists. */
export const DORMANT_SHOWN = 20

const dormantLine = (a: Core.DormantEvent): string => {
  const notes = [
    ...(a.inactiveSince === null ? [] : [`inactive since ${when(a.inactiveSince)}`]),
    ...(a.step === "notified" && a.suspendsAt !== null ? [`suspended ${when(a.suspendsAt)} unless used`] : [])
  ]
  const what = a.step === "suspended" ? "suspended as dormant" : "sent the dormant-account notice"
  return `• *${escape(clip(a.email, 254))}*: ${what}${notes.length === 0 ? "" : ` (${notes.join("; ")})`}`
}

/** An organization admin's message about the dormant accounts the policy runner notified or suspended (one message per pass of the bot). */
export const dormantAccounts = (events: ReadonlyArray<Core.DormantEvent>): Reply => {
  const orgs = [...new Set(events.flatMap((e) => e.orgs))].sort().map(escape).join(", ")
  const shown = events.slice(0, DORMANT_SHOWN)
  const more = events.length - shown.length
  return {
    text: fallback(`Dormant accounts at ${orgs}: ${events.length}.`),
    blocks: [
      header("Dormant accounts"),
      section(`At ${orgs}, which you administer:`),
      // a section holds 3,000 characters: the lines are packed into as many as they need
      ...packed([...shown.map(dormantLine), ...(more > 0 ? [`…and ${more} more: \`usher audit list\``] : [])]).map(section),
      context("The policy runner's dormant-account rule (settings dormant.notify-days, dormant.suspend-days): activity starts a new spell; `usher users reactivate` brings a suspended account back.")
    ]
  }
}

/** The reply to an Extend that granted again. */
export const extended = (grant: { readonly role: string; readonly scope: string; readonly principal: string; readonly expiresAt: string | null }): Reply => ({
  text: fallback(`Extended ${escape(grant.role)} at ${escape(grant.scope)} for ${escape(grant.principal)}.`),
  blocks: [section(`:key: Extended *${escape(grant.role)}* at ${escape(grant.scope)} for ${escape(grant.principal)}${grant.expiresAt === null ? "" : ` until ${when(grant.expiresAt)}`}.`)]
})
