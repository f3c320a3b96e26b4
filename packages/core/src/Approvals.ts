import { SqlClient } from "@effect/sql"
import { Effect, Either, Option } from "effect"
import { Actor, actorSubject, now, requireAt, requireForAccount } from "./Actor.js"
import { currentApproval, record } from "./Audit.js"
import { approvalRequested, type ApprovalRequest, type ApprovalStatus } from "./Domain/Approval.js"
import {
  ApprovalExpired, ApprovalNotFound, ApprovalNotPending, ConcurrentModification, DeciderNotEligible, PermissionDenied, ReasonRequired, SelfApproval
} from "./Domain/Errors.js"
import type { UserId } from "./Domain/Ids.js"
import * as Permissions from "./Domain/Permissions.js"
import * as Scope from "./Domain/Scope.js"
import { findUser } from "./internal/lookup.js"
import { collectingRemovals, transaction } from "./internal/tx.js"
import { execute } from "./Approvals/Execute.js"
import { approvalRow, countingSubject, deciderCandidates, decisionScopes, requestApproval, SELECT_APPROVAL, targetOf, toRequest, type ApprovalRow } from "./Approvals/Request.js"
import type { Via } from "./Domain/Audit.js"

export type { ApprovalRequest } from "./Domain/Approval.js"

/**
 * Asks for a user's deletion: never deletes directly, it files an approval request that someone
 * else decides. Needs `users.delete` at every organization of the user, and a reason; a stale
 * `expectedVersion` (the account changed since the caller read it) is a `ConcurrentModification`.
 */
export const deleteUser = (ref: string, options: { readonly reason?: string; readonly expectedVersion?: number } = {}) =>
  transaction(Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireForAccount("users.delete", user.id)
    if (options.expectedVersion !== undefined && options.expectedVersion !== user.version) {
      return yield* Effect.fail(new ConcurrentModification({ entity: "user", id: user.id }))
    }
    return approvalRequested(yield* requestApproval({ _tag: "user.delete", user: { id: user.id, email: user.email } }, options.reason))
  }))

const found = (id: string) =>
  Effect.flatMap(approvalRow(id), (row) => row === undefined ? Effect.fail(new ApprovalNotFound({ id })) : Effect.succeed(row))

/** A decision's first checks: the request is still pending and not expired (or the error a decision would fail with). */
const checkPending = (row: ApprovalRow) =>
  Effect.gen(function*() {
    const at = yield* now
    if (row.status === "expired" || (row.status === "pending" && Date.parse(row.expiresAt) <= at.getTime())) {
      return yield* Effect.fail(new ApprovalExpired({ id: row.id, expiredAt: row.expiresAt }))
    }
    if (row.status !== "pending") {
      return yield* Effect.fail(new ApprovalNotPending({ id: row.id, status: row.status, decidedBy: row.decidedByEmail ?? row.decidedBy }))
    }
  })

/** Where a request needs `approvals.decide`: its scopes when requested, and those its action has now. */
const scopesToDecide = (request: ApprovalRequest) =>
  Effect.map(decisionScopes(request.payload), (current) => [...new Set<string>([...request.scopes, ...current])].sort() as Array<Scope.Scope>)

/**
 * Whether the actor's rights decide a request (whatever its status): not its requester, holding
 * `approvals.decide` at every scope it needs, through rights that count for it (four eyes).
 */
const checkEligible = (row: ApprovalRow, request: ApprovalRequest, scopes: ReadonlyArray<Scope.Scope>) =>
  Effect.gen(function*() {
    const at = yield* now
    const actor = yield* Actor
    if (actor.id === row.requestedBy) return yield* Effect.fail(new SelfApproval({ id: row.id }))
    for (const scope of scopes) yield* requireAt("approvals.decide", scope)
    // four eyes: only rights that predate the request and do not come from its requester count
    const counting = yield* countingSubject(actor.id, row.requestedBy, row.createdAt)
    const short = scopes.filter((scope) => !Permissions.has(counting, "approvals.decide", scope, at))
    if (short.length > 0) return yield* Effect.fail(new DeciderNotEligible({ id: row.id, scopes: short }))
    return request
  })

/**
 * The checks every decision makes, in its transaction: still pending, not expired, not the
 * requester's own, and the decider holds `approvals.decide` wherever the action applies (its
 * scopes when requested, and again now).
 */
const checkDecider = (row: ApprovalRow) =>
  Effect.gen(function*() {
    yield* checkPending(row)
    const request = toRequest(row, yield* now)
    return yield* checkEligible(row, request, yield* scopesToDecide(request))
  })

/** Of these accounts, those whose rights would decide the request were it pending (`checkEligible` as each of them). */
const eligibleAmong = <P extends { readonly id: string }>(row: ApprovalRow, people: ReadonlyArray<P>) =>
  Effect.gen(function*() {
    const request = toRequest(row, yield* now)
    const scopes = yield* scopesToDecide(request)
    const via = (yield* Effect.serviceOption(Actor)).pipe(Option.map((a) => a.via), Option.getOrElse((): Via => "system"))
    const out: Array<P> = []
    for (const person of people) {
      const check = yield* Effect.either(Effect.provideService(checkEligible(row, request, scopes), Actor, { id: person.id as UserId, via }))
      if (Either.isRight(check)) out.push(person)
    }
    return out as ReadonlyArray<P>
  })

/** One who may decide a request: the account and its e-mail. */
export interface Decider {
  readonly id: UserId
  readonly email: string
}

/**
 * The accounts that may decide a request now, by e-mail: each one `checkCanDecide` would let
 * through (not the requester, `approvals.decide` wherever the action applies, rights that count
 * for it under four eyes, an active account). None once it is decided or expired, or when the id
 * is unknown. For notices to approvers; no permission of its own (a job's).
 */
export const possibleDeciders = (id: string) =>
  Effect.gen(function*() {
    const row = yield* approvalRow(id)
    if (row === undefined || Either.isLeft(yield* Effect.either(checkPending(row)))) return [] as ReadonlyArray<Decider>
    return (yield* eligibleAmong(row, yield* deciderCandidates(row.requestedBy))) as ReadonlyArray<Decider>
  })

/**
 * Of the given accounts, those whose lists of requests to decide show (or showed, while it was
 * pending) this request: whose rights decide it whatever its status now. For the Home tabs to
 * publish again after it changed.
 */
export const decidersAmong = <P extends { readonly id: string }>(id: string, people: ReadonlyArray<P>) =>
  Effect.flatMap(approvalRow(id), (row) => row === undefined ? Effect.succeed([] as ReadonlyArray<P>) : eligibleAmong(row, people))

/** Moves a pending request to its decision, only if nobody decided it meanwhile (zero rows: someone did). */
const claim = (row: ApprovalRow, status: "approved" | "denied" | "canceled", note: string | null) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const actor = yield* Actor
    const at = (yield* now).toISOString()
    const updated = yield* sql<{ id: string }>`
      UPDATE approvals SET status = ${status}, decided_by = ${actor.id}, decided_via = ${actor.via}, decided_at = ${at},
             note = ${note}, version = version + 1
       WHERE id = ${row.id} AND status = 'pending' RETURNING id`.pipe(Effect.orDie)
    if (updated.length === 0) {
      const now = yield* approvalRow(row.id)
      return yield* Effect.fail(new ApprovalNotPending({ id: row.id, status: now?.status ?? "gone", decidedBy: now?.decidedByEmail ?? null }))
    }
  })

/** What an approval did: the request as it ends, and whether its action was carried out. */
export interface Decision {
  readonly approval: ApprovalRequest
  /** the action ran (`executed`); false when it failed and nothing of it was applied (`failed`) */
  readonly executed: boolean
}

/**
 * Approves a pending request and carries out its action, in one transaction: the conditional
 * update from `pending` lets exactly one of any number of concurrent approvals through. The action
 * runs as the requester (checked again) inside a savepoint; if it fails, nothing of it is applied
 * and the request ends `failed` with the reason. Every audit row names the request.
 */
export const approveRequest = (id: string, options: { readonly note?: string } = {}) =>
  transaction(Effect.gen(function*() {
    const row = yield* found(id)
    const request = yield* checkDecider(row)
    const note = options.note?.trim() || null
    yield* claim(row, "approved", note)
    const actor = yield* Actor
    const sql = yield* SqlClient.SqlClient
    yield* record({ action: "approval.approve", target: targetOf(request.payload), details: { summary: request.summary, requestedBy: request.requestedBy }, reason: note, approvalId: row.id })
    const outcome = yield* collectingRemovals(sql.withTransaction(execute(request.payload, request.reason))).pipe(
      Effect.provideService(Actor, { id: row.requestedBy as UserId, via: actor.via }),
      Effect.locally(currentApproval, row.id),
      Effect.either
    )
    const at = (yield* now).toISOString()
    if (outcome._tag === "Right") {
      yield* sql`UPDATE approvals SET status = 'executed', result = ${JSON.stringify(outcome.right)}, version = version + 1 WHERE id = ${row.id}`.pipe(Effect.orDie)
      yield* record({ action: "approval.execute", target: targetOf(request.payload), details: { summary: request.summary, at }, approvalId: row.id })
    } else {
      const error = outcome.left as { readonly _tag: string; readonly message: string }
      yield* sql`UPDATE approvals SET status = 'failed', error = ${error.message}, version = version + 1 WHERE id = ${row.id}`.pipe(Effect.orDie)
      yield* record({ action: "approval.fail", target: targetOf(request.payload), details: { summary: request.summary, error: error._tag, message: error.message }, approvalId: row.id })
    }
    return { approval: toRequest((yield* approvalRow(row.id))!, yield* now), executed: outcome._tag === "Right" } satisfies Decision
  }))

/** Denies a pending request, with a reason; nothing of its action happens. Same checks as approving. */
export const denyRequest = (id: string, options: { readonly reason?: string } = {}) =>
  transaction(Effect.gen(function*() {
    const row = yield* found(id)
    const request = yield* checkDecider(row)
    const reason = options.reason?.trim() ?? ""
    if (reason === "") return yield* Effect.fail(new ReasonRequired({ action: request.summary, denial: true }))
    yield* claim(row, "denied", reason)
    yield* record({ action: "approval.deny", target: targetOf(request.payload), details: { summary: request.summary, requestedBy: request.requestedBy }, reason, approvalId: row.id })
    return toRequest((yield* approvalRow(row.id))!, yield* now)
  }))

/** The requester withdraws their own pending request. */
export const cancelRequest = (id: string) =>
  transaction(Effect.gen(function*() {
    const row = yield* found(id)
    const actor = yield* Actor
    if (actor.id !== row.requestedBy) return yield* Effect.fail(new PermissionDenied({ permission: "approvals.cancel (only the requester)", scope: row.id }))
    if (row.status !== "pending") {
      return yield* Effect.fail(new ApprovalNotPending({ id: row.id, status: row.status, decidedBy: row.decidedByEmail ?? row.decidedBy }))
    }
    yield* claim(row, "canceled", null)
    const request = toRequest(row, yield* now)
    yield* record({ action: "approval.cancel", target: targetOf(request.payload), details: { summary: request.summary }, approvalId: row.id })
    return toRequest((yield* approvalRow(row.id))!, yield* now)
  }))

/**
 * Records the expiry of pending requests past their date: status `expired`, one audit row each.
 * Expiry counts without it (a late approval is refused either way); the sweep makes the stored
 * state say so, so that views and the Slack messages of those requests can show it. Run by the
 * bot's sync loop as `system`.
 */
export const expireApprovals = transaction(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const at = yield* now
  const rows = yield* sql<ApprovalRow>`${sql.literal(SELECT_APPROVAL)}
    WHERE a.status = 'pending' AND a.expires_at <= ${at.toISOString()} ORDER BY a.expires_at LIMIT 200`.pipe(Effect.orDie)
  for (const row of rows) {
    yield* sql`UPDATE approvals SET status = 'expired', version = version + 1 WHERE id = ${row.id} AND status = 'pending'`.pipe(Effect.orDie)
    const request = toRequest(row, at)
    yield* record({ action: "approval.expire", target: targetOf(request.payload), details: { summary: request.summary, expiresAt: row.expiresAt }, approvalId: row.id })
  }
  return rows.length
}))

/** Filters of `listApprovals`. */
export interface ApprovalQuery {
  readonly status?: ApprovalStatus
  readonly limit?: number
}

/**
 * Requests the actor may see, newest first: those they could decide, those they asked for, and
 * all of them with `audit.read` at provider.
 */
export const listApprovals = (query: ApprovalQuery = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const iso = at.toISOString()
    const actor = yield* Actor
    const subject = yield* actorSubject
    const condition =
      query.status === undefined ? sql`1 = 1` :
      query.status === "pending" ? sql`a.status = 'pending' AND a.expires_at > ${iso}` :
      query.status === "expired" ? sql`(a.status = 'expired' OR (a.status = 'pending' AND a.expires_at <= ${iso}))` :
      sql`a.status = ${query.status}`
    const rows = yield* sql<ApprovalRow>`${sql.literal(SELECT_APPROVAL)} WHERE ${condition}
      ORDER BY a.created_at DESC, a.id DESC LIMIT ${Math.max(1, Math.min(query.limit ?? 200, 10_000))}`.pipe(Effect.orDie)
    const everything = Permissions.has(subject, "audit.read", Scope.provider, at)
    return rows
      .map((row) => toRequest(row, at))
      .filter((r) =>
        everything || r.requestedById === actor.id ||
        r.scopes.every((s) => Permissions.has(subject, "approvals.decide", s as Scope.Scope, at))
      )
  })

/** One request (same visibility as the list). */
export const showApproval = (id: string) =>
  Effect.gen(function*() {
    const row = yield* found(id)
    const at = yield* now
    const actor = yield* Actor
    const subject = yield* actorSubject
    const request = toRequest(row, at)
    const visible = Permissions.has(subject, "audit.read", Scope.provider, at) || request.requestedById === actor.id ||
      request.scopes.every((s) => Permissions.has(subject, "approvals.decide", s as Scope.Scope, at))
    if (!visible) return yield* Effect.fail(new PermissionDenied({ permission: "approvals.decide", scope: request.scopes[0] ?? "provider" }))
    return request
  })

/**
 * Whether the actor may decide a request now, without deciding it: the request as it stands, or
 * the error a decision would fail with. A front-end that asks for a reason before denying checks
 * first, so nobody writes a reason only to be told the request was never theirs to decide.
 */
export const checkCanDecide = (id: string) => Effect.flatMap(found(id), checkDecider)

/** How many pending requests the actor could decide (the dashboard header's count). */
export const pendingApprovalCount = Effect.map(listApprovals({ status: "pending" }), (list) => list.length)

/**
 * Records where a request was posted in Slack, so its message can be updated after the
 * interaction's response URL has expired. Bookkeeping of the bot, audited like any change.
 */
export const recordSlackMessage = (id: string, channel: string, ts: string) =>
  transaction(Effect.gen(function*() {
    const row = yield* found(id)
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE approvals SET slack_channel = ${channel}, slack_ts = ${ts}, slack_synced_version = version WHERE id = ${row.id}`.pipe(Effect.orDie)
    yield* record({ action: "approval.slack.post", target: null, details: { channel, ts }, approvalId: row.id })
  }))

/** Requests posted to Slack whose message no longer shows their state (decided elsewhere, say). */
export const slackMessagesToSync = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const at = yield* now
  const rows = yield* sql<ApprovalRow>`${sql.literal(SELECT_APPROVAL)}
    WHERE a.slack_ts IS NOT NULL AND a.slack_synced_version < a.version ORDER BY a.created_at`.pipe(Effect.orDie)
  return rows.map((row) => toRequest(row, at))
})

/** Pending requests that were never posted to Slack (filed in the CLI or dashboard), oldest first. */
export const unpostedApprovals = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const at = yield* now
  const rows = yield* sql<ApprovalRow>`${sql.literal(SELECT_APPROVAL)}
    WHERE a.status = 'pending' AND a.expires_at > ${at.toISOString()} AND a.slack_ts IS NULL ORDER BY a.created_at LIMIT 50`.pipe(Effect.orDie)
  return rows.map((row) => toRequest(row, at))
})

/** Marks a request's Slack message as showing `version` (only moves forward). */
export const markSlackSynced = (id: string, version: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`UPDATE approvals SET slack_synced_version = ${version} WHERE id = ${id} AND slack_synced_version < ${version}`).pipe(
      Effect.asVoid,
      Effect.orDie
    )
