import type { types } from "@slack/bolt"
import type * as Core from "@usher/core"
import { decisionButtons, encodeDecision, outcomeLine, requestLine, withdrawButton, type SeenRequest } from "./approvals.js"
import type { ShownError } from "./errors.js"
import { clipMrkdwn, context, divider, escape, header, section, when, type KnownBlock, type Reply } from "./mrkdwn.js"

/** What a person's Home tab is built from, read from core as them. */
export interface HomeData {
  /** their account, roles (with scope, expiry and why) and groups */
  readonly account: Core.MyAccount
  /** the pending requests they can see, with what they may do about each */
  readonly pending: ReadonlyArray<SeenRequest>
  /** their own requests that were decided, newest first */
  readonly decided: ReadonlyArray<Core.ApprovalRequest>
}

/** How many requests each part of the Home tab lists (two blocks each; a view holds 100 blocks). */
export const HOME_SHOWN = { waiting: 15, mine: 10, decided: 5, grants: 40 } as const

const more = (count: number, where: string): Array<KnownBlock> => count > 0 ? [context(`…and ${count} more: ${where}`)] : []

const waitingForYou = (pending: ReadonlyArray<SeenRequest>): Array<KnownBlock> => {
  const decidable = pending.filter((s) => s.may._tag === "Decide")
  const unchecked = pending.filter((s) => s.may._tag === "Unchecked").length
  const blocks: Array<KnownBlock> = [header(`Waiting for you (${decidable.length}${unchecked > 0 ? "+" : ""})`)]
  if (decidable.length === 0) blocks.push(section("_Nothing is waiting for your decision._"))
  for (const { request } of decidable.slice(0, HOME_SHOWN.waiting)) {
    blocks.push(section(requestLine(request, 200)), decisionButtons(encodeDecision({ id: request.id, requester: null }), `decision:${request.id}`))
  }
  blocks.push(...more(decidable.length - HOME_SHOWN.waiting, "`/usher pending`"))
  if (unchecked > 0) blocks.push(context(`${unchecked} more pending request(s) were not checked for you: \`/usher pending\` lists them all.`))
  return blocks
}

const yourRequests = (pending: ReadonlyArray<SeenRequest>, decided: ReadonlyArray<Core.ApprovalRequest>): Array<KnownBlock> => {
  const mine = pending.filter((s) => s.may._tag === "Withdraw")
  const blocks: Array<KnownBlock> = [header("Your requests")]
  if (mine.length === 0 && decided.length === 0) blocks.push(section("_You have no approval requests._"))
  for (const { request } of mine.slice(0, HOME_SHOWN.mine)) blocks.push(section(requestLine(request, 200)), withdrawButton(request, `withdraw:${request.id}`))
  blocks.push(...more(mine.length - HOME_SHOWN.mine, "`/usher pending`"))
  if (decided.length > 0) {
    blocks.push(section(`*Decided lately*\n${decided.slice(0, HOME_SHOWN.decided).map((a) => `• *${escape(a.summary)}*: ${outcomeLine(a)}`).join("\n")}`))
  }
  return blocks
}

const yourAccess = (account: Core.MyAccount): Array<KnownBlock> => {
  const grants = account.grants.slice(0, HOME_SHOWN.grants).map((g) =>
    `• *${escape(g.role)}* @ ${escape(g.scope)}${g.expiresAt === null ? "" : ` until ${when(g.expiresAt)}`} · ${escape(g.why)}`)
  const orgs = account.organizations.map((o) => escape(o.slug)).join(", ") || "none"
  const groups = account.groups.map((g) => escape(`${g.org}/${g.name}`)).join(", ") || "none"
  return [
    header("Your access"),
    section(grants.length === 0 ? "You hold no roles." : grants.join("\n")),
    ...more(account.grants.length - HOME_SHOWN.grants, "`usher users show` lists them all"),
    context(clipMrkdwn(`As ${escape(account.user.email)} · organizations: ${orgs} · groups: ${groups}`, 3000))
  ]
}

/**
 * The Home tab: the requests waiting for the person's decision (Approve/Deny), their own requests
 * (Withdraw while pending) and their roles with scope and expiry; `notice` (the outcome of
 * something they did from the tab) goes first.
 */
export const homeView = (home: HomeData, notice?: Reply): types.HomeView => ({
  type: "home",
  blocks: [
    ...(notice === undefined ? [] : [...notice.blocks.slice(0, 2), divider]),
    ...waitingForYou(home.pending),
    divider,
    ...yourRequests(home.pending, home.decided),
    divider,
    ...yourAccess(home.account)
  ]
})

/** The Home tab of someone usher cannot act for (no directory account, suspended, Slack did not answer): why, in a few words. */
export const unavailableHome = (error: ShownError): types.HomeView => ({
  type: "home",
  blocks: [
    header("usher"),
    section(`:wave: ${escape(error.message)}`),
    context("Once you act as a directory account here, this tab lists the requests waiting for your decision, your own requests and your access.")
  ]
})
