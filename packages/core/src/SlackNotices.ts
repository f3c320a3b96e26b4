/**
 * What the Slack bot tells people without being asked, decided here: who may decide a new request
 * (a direct message each, with Approve/Deny), a reminder to them after `approval.remind-hours`,
 * the approvals channel an hour before a request expires, a grant's holder and granter an hour
 * before it ends (the granter with the duration to extend it by), its holder when it ended, the
 * organization's admins when the policy runner notified or suspended a dormant account, and whose
 * Home tabs a change to a request put behind. The bot plans (`planNotices`, from the tables and
 * from the audit log after the feed's cursor), takes what is due (`noticesToSend`, checked again
 * as things are now), sends it and settles it; each notice has a key that says what and to whom,
 * so every replica plans and sends it once. Run as the system through `Jobs`.
 */
import { Effect } from "effect"
import { now } from "./Actor.js"
import { decidersAmong, possibleDeciders } from "./Approvals.js"
import { approvalRow, deciderCandidates, toRequest } from "./Approvals/Request.js"
import * as AccessDuration from "./Domain/AccessDuration.js"
import type { ApprovalRequest } from "./Domain/Approval.js"
import type { UserId } from "./Domain/Ids.js"
import { transaction } from "./internal/tx.js"
import { currentSettings } from "./Settings.js"
import * as Repo from "./SlackNotices/NoticesRepo.js"

/** How long before its end a request is raised in the approvals channel, and a grant's holder and granter told. */
export const NOTICE_AHEAD_MS = 3_600_000
/** An event older than this when the feed reads it is not announced (the bot was away): it is old news. */
const EVENT_MAX_AGE_MS = 24 * 3_600_000
/** How long planned notices are remembered: longer than a request may wait (90 days) or a grant's last hour lasts. */
const KEEP_MS = 100 * 86_400_000
/** A Home tab not opened for this long is not published again on changes (and forgotten after three times as long). */
const HOME_MS = 30 * 86_400_000
/** Requests whose deciders one pass plans for (each costs a few queries per candidate). */
const REQUESTS_PER_PASS = 20
/** Audit events one pass reads. */
const EVENTS_PER_PASS = 500

/** The kinds of notices, as stored. */
export const NoticeKind = {
  decide: "approval.decide",
  remind: "approval.remind",
  expiring: "approval.expiring",
  grantEnding: "grant.ending",
  grantEnded: "grant.ended",
  dormant: "dormant.account",
  marker: "marker"
} as const

/** Someone a notice goes to: the account, and the Slack user linked or pinned to it (null: find them by e-mail). */
export interface NoticeRecipient {
  readonly id: UserId
  readonly email: string
  readonly slackUserId: string | null
}

/** A grant about to end, as its notices show it. */
export interface EndingGrant {
  readonly id: string
  readonly role: string
  readonly scope: string
  readonly expiresAt: string
  readonly holder: { readonly id: UserId; readonly email: string }
}

/** A dormant-account step of the policy runner, as an organization's admin is told of it. */
export interface DormantEvent {
  readonly email: string
  readonly step: "notified" | "suspended"
  readonly inactiveSince: string | null
  /** when it will be suspended unless used (notified only; null: the rule does not suspend) */
  readonly suspendsAt: string | null
  /** the organizations of the account that the recipient is admin of */
  readonly orgs: ReadonlyArray<string>
  readonly at: string
}

/** A notice due now, with what it says. */
export type SlackNotice =
  /** a direct message to one who may decide the request: when it was filed, and again as a reminder */
  | { readonly _tag: "DecisionWanted"; readonly key: string; readonly reminder: boolean; readonly approval: ApprovalRequest; readonly to: NoticeRecipient }
  /** the request is raised in the approvals channel: it expires in under an hour */
  | { readonly _tag: "ApprovalExpiring"; readonly key: string; readonly approval: ApprovalRequest }
  /**
   * a direct message to a grant's holder (`toHolder`) or to whoever granted it: it ends within the
   * hour; `extendFor` is the duration an Extend re-grants it for (the one it was granted for), for
   * the granter only
   */
  | { readonly _tag: "GrantEnding"; readonly key: string; readonly to: NoticeRecipient; readonly toHolder: boolean; readonly grant: EndingGrant; readonly extendFor: string | null }
  /** a direct message to a grant's holder: the policy runner revoked it at its expiry */
  | { readonly _tag: "GrantEnded"; readonly key: string; readonly to: NoticeRecipient; readonly grant: { readonly role: string; readonly scope: string; readonly expiresAt: string } }
  /** a direct message to an admin of the account's organization */
  | { readonly _tag: "DormantAccount"; readonly key: string; readonly to: NoticeRecipient; readonly account: DormantEvent }

const notice = (kind: string, key: string, subject: string, recipient: string | null, details: Record<string, unknown> = {}): Repo.NewNotice =>
  ({ key, kind, subject, recipient, details })

const marker = (key: string, subject: string): Repo.NewNotice => ({ key, kind: NoticeKind.marker, subject, recipient: null, details: {} })

/** The actions the feed reads: changes to requests (Home tabs), a grant's expiry, the dormant-account steps. */
const FEED_ACTIONS = [
  "approval.request", "approval.approve", "approval.deny", "approval.cancel", "approval.expire", "approval.execute", "approval.fail",
  "grant.expire", "user.dormant.notify", "user.suspend"
] as const

/**
 * The length a time-bound grant was made for (its expiry less when it was granted), as a
 * duration an Extend can re-grant: whole minutes, within `AccessDuration`'s bounds.
 */
export const extensionOf = (grantedAt: string, expiresAt: string): string => {
  const ms = Math.round((Date.parse(expiresAt) - Date.parse(grantedAt)) / AccessDuration.MIN_MS) * AccessDuration.MIN_MS
  return AccessDuration.format(Math.min(AccessDuration.MAX_MS, Math.max(AccessDuration.MIN_MS, ms)))
}

/** The planning of one kind of fan-out: a request's deciders, each a notice, and the marker saying it was planned. */
const fanOut = (kind: string, rows: ReadonlyArray<{ readonly id: string }>, notices: Array<Repo.NewNotice>, markers: Array<Repo.NewNotice>) =>
  Effect.forEach(rows, (row) =>
    Effect.map(possibleDeciders(row.id), (deciders) => {
      for (const d of deciders) notices.push(notice(kind, `${kind}:${row.id}:${d.id}`, row.id, d.id))
      markers.push(marker(`${kind === NoticeKind.decide ? "approval.announce" : kind}:${row.id}`, row.id))
    }), { discard: true })

/** The notices an audit event calls for, and the accounts whose Home tabs it puts behind. */
const fromEvent = (event: Repo.FeedEvent, at: Date, notices: Array<Repo.NewNotice>, homes: Map<string, number>, approvals: Map<string, number>) =>
  Effect.gen(function*() {
    const fresh = Date.parse(event.at) >= at.getTime() - EVENT_MAX_AGE_MS
    const d = event.details
    if (event.action.startsWith("approval.")) {
      if (event.approvalId !== null) approvals.set(event.approvalId, Math.max(event.seq, approvals.get(event.approvalId) ?? 0))
      return
    }
    if (event.action === "grant.expire") {
      if (d["principalType"] !== "user" || event.target === null) return
      homes.set(event.target, Math.max(event.seq, homes.get(event.target) ?? 0))
      if (fresh) {
        notices.push(notice(NoticeKind.grantEnded, `${NoticeKind.grantEnded}:${event.seq}`, event.target, event.target, {
          role: d["role"], scope: d["scope"], expiresAt: d["expiresAt"]
        }))
      }
      return
    }
    const dormant = event.action === "user.dormant.notify" ? "notified" : event.action === "user.suspend" && d["policy"] === "dormant" ? "suspended" : null
    if (dormant === null || event.target === null || !fresh) return
    for (const admin of yield* Repo.orgAdminsOf(event.target, at.toISOString())) {
      notices.push(notice(NoticeKind.dormant, `${NoticeKind.dormant}:${event.seq}:${admin.id}`, event.target, admin.id, {
        email: d["email"],
        step: dormant,
        inactiveSince: d["inactiveSince"] ?? null,
        suspendsAt: d["suspendsAt"] ?? null,
        orgs: admin.orgs,
        at: event.at
      }))
    }
  })

/** Who a change to a request shows differently to: its requester, and the Home viewers whose rights decide it. */
const homesOf = (approvalId: string, viewers: ReadonlyArray<{ readonly id: string }>) =>
  Effect.gen(function*() {
    const row = yield* approvalRow(approvalId)
    if (row === undefined) return []
    const candidates = new Set((yield* deciderCandidates(row.requestedBy)).map((c) => c.id))
    const deciders = yield* decidersAmong(approvalId, viewers.filter((v) => candidates.has(v.id)))
    return [row.requestedBy, ...deciders.map((v) => v.id)]
  })

/** What one planning pass found to do (counts). */
export interface NoticePlan {
  readonly planned: number
  readonly homesBehind: number
}

/**
 * Plans every notice that has come due and was not planned before: deciders of requests filed
 * (their set as core sees it now), reminders, expiring requests, grants ending within the hour,
 * and what the audit events after the feed's cursor call for; marks the Home tabs those events
 * put behind. Reads first; writes, in one transaction and only when there is something to write,
 * what is new (planned keys are never planned again), so two replicas planning at once plan once.
 */
export const planNotices = Effect.gen(function*() {
  const at = yield* now
  const iso = at.toISOString()
  const ahead = new Date(at.getTime() + NOTICE_AHEAD_MS).toISOString()
  const settings = yield* currentSettings
  const notices: Array<Repo.NewNotice> = []
  const markers: Array<Repo.NewNotice> = []

  yield* fanOut(NoticeKind.decide, yield* Repo.requestsToAnnounce(iso, REQUESTS_PER_PASS), notices, markers)
  const remindHours = settings["approval.remind-hours"]
  if (remindHours > 0) {
    const filedBy = new Date(at.getTime() - remindHours * 3_600_000).toISOString()
    yield* fanOut(NoticeKind.remind, yield* Repo.requestsToRemind(iso, filedBy, REQUESTS_PER_PASS), notices, markers)
  }
  for (const row of yield* Repo.requestsExpiring(iso, ahead, 50)) notices.push(notice(NoticeKind.expiring, `${NoticeKind.expiring}:${row.id}`, row.id, null))
  for (const g of yield* Repo.grantsEnding(iso, ahead, 50)) {
    const key = `${NoticeKind.grantEnding}:${g.id}:${g.expiresAt}`
    markers.push(marker(key, g.id))
    // a grant made for an hour or less: whoever made it knew it ends soon
    if (Date.parse(g.expiresAt) - Date.parse(g.grantedAt) <= NOTICE_AHEAD_MS) continue
    const grant: EndingGrant = { id: g.id, role: g.role, scope: g.scope, expiresAt: g.expiresAt, holder: { id: g.holderId as UserId, email: g.holderEmail } }
    const extendFor = extensionOf(g.grantedAt, g.expiresAt)
    const byHolder = g.grantedBy === g.holderId
    notices.push(notice(NoticeKind.grantEnding, `${key}:holder`, g.id, g.holderId, { grant, toHolder: true, extendFor: byHolder ? extendFor : null }))
    if (!byHolder && g.grantedBy !== "system") {
      notices.push(notice(NoticeKind.grantEnding, `${key}:granter`, g.id, g.grantedBy, { grant, toHolder: false, extendFor }))
    }
  }

  const from = yield* Repo.feedSeq
  const head = yield* Repo.headSeq
  let through: number | undefined
  const homes = new Map<string, number>()
  if (from === undefined) through = head
  else if (head > from) {
    const events = yield* Repo.eventsBetween(from, head, FEED_ACTIONS, EVENTS_PER_PASS)
    through = events.length === EVENTS_PER_PASS ? events[events.length - 1]!.seq : head
    const approvals = new Map<string, number>()
    for (const event of events) yield* fromEvent(event, at, notices, homes, approvals)
    const viewers = approvals.size === 0 ? [] : yield* Repo.homeViewers(new Date(at.getTime() - HOME_MS).toISOString())
    if (viewers.length > 0) {
      for (const [id, seq] of approvals) {
        for (const userId of yield* homesOf(id, viewers)) homes.set(userId, Math.max(seq, homes.get(userId) ?? 0))
      }
    }
  }

  if (notices.length === 0 && markers.length === 0 && through === undefined) return { planned: 0, homesBehind: 0 } satisfies NoticePlan
  yield* transaction(Effect.gen(function*() {
    yield* Repo.insertNotices(notices, markers, iso)
    if (through !== undefined && (yield* Repo.advanceFeed(from, through))) {
      // the replica that moved the cursor marks what those events put behind (once)
      const bySeq = new Map<number, Array<string>>()
      for (const [userId, seq] of homes) bySeq.set(seq, [...(bySeq.get(seq) ?? []), userId])
      for (const [seq, userIds] of bySeq) yield* Repo.markHomesStale(userIds, seq)
    }
    yield* Repo.forgetNotices(new Date(at.getTime() - KEEP_MS).toISOString())
    yield* Repo.forgetHomes(new Date(at.getTime() - 3 * HOME_MS).toISOString())
  }))
  return { planned: notices.length, homesBehind: homes.size } satisfies NoticePlan
})

const recipientOf = (row: Repo.RecipientRow | undefined): NoticeRecipient | undefined =>
  row === undefined || row.status !== "active" || row.email === null ? undefined : { id: row.id, email: row.email, slackUserId: row.slackUserId }

/**
 * The planned notices not sent yet (at most `limit`, oldest first), as things are now: one about
 * a request no longer pending, to someone who may no longer decide it, about a grant extended or
 * revoked meanwhile, or to an account no longer active, is settled as not needed and left out.
 */
export const noticesToSend = (limit = 50) =>
  Effect.gen(function*() {
    const rows = yield* Repo.unsentNotices(limit)
    if (rows.length === 0) return [] as ReadonlyArray<SlackNotice>
    const at = yield* now
    const people = yield* Repo.recipients([...new Set(rows.flatMap((r) => r.recipient === null ? [] : [r.recipient]))])
    const due: Array<SlackNotice> = []
    const unneeded: Array<string> = []
    for (const row of rows) {
      const to = row.recipient === null ? undefined : recipientOf(people.get(row.recipient))
      if (row.recipient !== null && to === undefined) {
        unneeded.push(row.key)
        continue
      }
      const details = JSON.parse(row.details) as Record<string, unknown>
      const found = yield* noticeOf(row, details, to, at)
      if (found === undefined) unneeded.push(row.key)
      else due.push(found)
    }
    if (unneeded.length > 0) yield* transaction(Repo.settleNotices(unneeded, "not needed", at.toISOString()))
    return due as ReadonlyArray<SlackNotice>
  })

/** A stored notice as it stands now, or undefined when it is not needed any more. */
const noticeOf = (row: Repo.NoticeRow, details: Record<string, unknown>, to: NoticeRecipient | undefined, at: Date) =>
  Effect.gen(function*() {
    let found: SlackNotice | undefined
    switch (row.kind) {
      case NoticeKind.decide:
      case NoticeKind.remind: {
        const stored = yield* approvalRow(row.subject)
        if (stored === undefined || to === undefined) break
        const approval = toRequest(stored, at)
        if (approval.status !== "pending" || (yield* decidersAmong(row.subject, [to])).length === 0) break
        found = { _tag: "DecisionWanted", key: row.key, reminder: row.kind === NoticeKind.remind, approval, to }
        break
      }
      case NoticeKind.expiring: {
        const stored = yield* approvalRow(row.subject)
        if (stored === undefined) break
        const approval = toRequest(stored, at)
        if (approval.status === "pending") found = { _tag: "ApprovalExpiring", key: row.key, approval }
        break
      }
      case NoticeKind.grantEnding: {
        const grant = details["grant"] as EndingGrant
        const expiresAt = yield* Repo.grantExpiry(row.subject)
        if (to === undefined || expiresAt !== grant.expiresAt || Date.parse(grant.expiresAt) <= at.getTime()) break
        found = { _tag: "GrantEnding", key: row.key, to, toHolder: details["toHolder"] === true, grant, extendFor: typeof details["extendFor"] === "string" ? details["extendFor"] : null }
        break
      }
      case NoticeKind.grantEnded:
        if (to !== undefined) found = { _tag: "GrantEnded", key: row.key, to, grant: details as { role: string; scope: string; expiresAt: string } }
        break
      case NoticeKind.dormant:
        if (to !== undefined) found = { _tag: "DormantAccount", key: row.key, to, account: details as unknown as DormantEvent }
        break
    }
    return found
  })

/** Takes notices for sending (none a second time, across replicas): the keys taken. */
export const claimNotices = (keys: ReadonlyArray<string>) =>
  Effect.flatMap(now, (at) => keys.length === 0 ? Effect.succeed([] as ReadonlyArray<string>) : transaction(Repo.claimNotices(keys, at.toISOString())))

/** Records how taken notices went (`sent`, or why they were given up): they are done. */
export const settleNotices = (keys: ReadonlyArray<string>, outcome: string) =>
  Effect.flatMap(now, (at) => keys.length === 0 ? Effect.void : transaction(Repo.settleNotices(keys, outcome, at.toISOString())))

/** Gives taken notices back after a send that failed for a passing reason, for a later pass. */
export const releaseNotices = (keys: ReadonlyArray<string>) => keys.length === 0 ? Effect.void : transaction(Repo.releaseNotices(keys))

/** The mark a Home tab built now reflects (read it before reading the tab's data). */
export const homeMark = Repo.headSeq

/** Remembers that a Slack user's Home tab was published, as this account, reflecting `mark`. */
export const recordHome = (slackUserId: string, userId: string, mark: number) =>
  Effect.flatMap(now, (at) => transaction(Repo.upsertHome(slackUserId, userId, at.toISOString(), mark)))

/** Home tabs (opened in the last 30 days) whose lists changed since they were published, at most `limit`. */
export const homesToRefresh = (limit = 20) => Effect.flatMap(now, (at) => Repo.staleHomes(new Date(at.getTime() - HOME_MS).toISOString(), limit))

/**
 * Takes a Home tab for publishing again: its mark moves from what it was published at to `mark`
 * (read before building it); false when another replica took it first.
 */
export const claimHome = (home: Repo.HomeRow, mark: number) => transaction(Repo.moveHomeMark(home.slackUserId, home.publishedSeq, mark))

/** Gives a Home tab back after a publish that failed, so that a later pass tries again. */
export const releaseHome = (home: Repo.HomeRow, mark: number) => transaction(Repo.moveHomeMark(home.slackUserId, mark, home.publishedSeq))

export type { HomeRow } from "./SlackNotices/NoticesRepo.js"
