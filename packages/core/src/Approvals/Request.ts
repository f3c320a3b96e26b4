import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { accountScopes, Actor, loadSubject, now } from "../Actor.js"
import { record } from "../Audit.js"
import { ApprovalAction, statusAt, summarize, targetKey, type ApprovalRequest, type ApprovalStatus } from "../Domain/Approval.js"
import { ApprovalAlreadyPending, NoEligibleApprover, ReasonRequired } from "../Domain/Errors.js"
import { newId } from "../Domain/Ids.js"
import * as Permissions from "../Domain/Permissions.js"
import type * as Scope from "../Domain/Scope.js"
import { currentSettings, type OptionalGate } from "../Settings.js"

/** An approvals row as stored. */
export interface ApprovalRow {
  readonly id: string
  readonly action: ApprovalAction["_tag"]
  readonly payload: string
  readonly summary: string
  readonly scopes: string
  readonly requestedBy: string
  readonly requestedByEmail: string | null
  readonly requestedVia: string
  readonly reason: string
  readonly status: ApprovalStatus
  readonly createdAt: string
  readonly expiresAt: string
  readonly decidedBy: string | null
  readonly decidedByEmail: string | null
  readonly decidedAt: string | null
  readonly note: string | null
  readonly result: string | null
  readonly error: string | null
  readonly slackChannel: string | null
  readonly slackTs: string | null
  readonly version: number
}

/** The SELECT every approvals read shares (requester and decider e-mails joined in). */
export const SELECT_APPROVAL = `SELECT a.*, r.email AS requested_by_email, d.email AS decided_by_email
  FROM approvals a LEFT JOIN users r ON r.id = a.requested_by LEFT JOIN users d ON d.id = a.decided_by`

const decodeAction = Schema.decodeUnknownSync(Schema.parseJson(ApprovalAction))

/** A stored row as the request front-ends see, its status taken at `at`. */
export const toRequest = (row: ApprovalRow, at: Date): ApprovalRequest => ({
  id: row.id,
  action: row.action,
  payload: decodeAction(row.payload),
  summary: row.summary,
  scopes: JSON.parse(row.scopes) as ReadonlyArray<string>,
  requestedBy: row.requestedByEmail ?? row.requestedBy,
  requestedById: row.requestedBy,
  requestedVia: row.requestedVia,
  reason: row.reason,
  status: statusAt(row.status, row.expiresAt, at),
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  decidedBy: row.decidedBy === null ? null : row.decidedByEmail ?? row.decidedBy,
  decidedAt: row.decidedAt,
  note: row.note,
  result: row.result === null ? null : JSON.parse(row.result),
  error: row.error,
  slack: row.slackChannel !== null && row.slackTs !== null ? { channel: row.slackChannel, ts: row.slackTs } : null,
  version: Number(row.version)
})

/** Reads one request row (none when the id is unknown). */
export const approvalRow = (id: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<ApprovalRow>`${sql.literal(SELECT_APPROVAL)} WHERE a.id = ${id.trim().toLowerCase()}`).pipe(
    Effect.map((rows) => rows[0]),
    Effect.orDie
  )

/**
 * Where `approvals.decide` is needed to decide an action (DESIGN §2, "where an action is
 * checked"): every organization of an account for account actions, the organization for a
 * membership change, the grant's scope for a grant.
 */
export const decisionScopes = (action: ApprovalAction) =>
  Effect.gen(function*() {
    switch (action._tag) {
      case "user.delete":
        return yield* liveAccountScopes([action.user.id])
      case "users.suspend":
        return yield* liveAccountScopes(action.users.map((u) => u.id))
      case "org.members.remove":
        return [`org:${action.org}` as Scope.Scope]
      case "role.grant":
        return [action.scope as Scope.Scope]
      case "user.register":
        return [`org:${action.org}` as Scope.Scope]
    }
  })

/** The organizations of the accounts that still exist (a deleted account has none left to check). */
const liveAccountScopes = (userIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const all = new Set<Scope.Scope>()
    for (const id of userIds) {
      const [user] = yield* sql<{ status: string }>`SELECT status FROM users WHERE id = ${id}`.pipe(Effect.orDie)
      if (user === undefined || user.status === "deleted") continue
      for (const s of yield* accountScopes(id)) all.add(s)
    }
    return [...all].sort()
  })

/**
 * What of a would-be decider's rights counts for a request filed by `requester` at `filedAt`
 * (four eyes): grants that existed then and that the requester did not make, directly or by
 * adding the decider to a group; nothing at all when the requester invited the decider or the
 * account was not active before the request.
 */
export const countingSubject = (deciderId: string, requester: string, filedAt: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [account] = yield* sql<{ since: string; invitedBy: string | null }>`
      SELECT COALESCE(u.registered_at, u.created_at) AS since, i.invited_by
        FROM users u LEFT JOIN invitations i ON i.user_id = u.id WHERE u.id = ${deciderId}`.pipe(Effect.orDie)
    const subject = yield* loadSubject(deciderId, { requester, filedAt })
    const counts = account !== undefined && account.since <= filedAt && account.invitedBy !== requester
    return counts ? subject : { ...subject, paths: [] }
  })

/**
 * The active accounts other than `requester` holding a role that carries `approvals.decide`
 * somewhere (directly or through a group): who could decide one of their requests, before the
 * scopes and four eyes are checked. By e-mail.
 */
export const deciderCandidates = (requester: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const pattern = `%"approvals.decide"%`
    return yield* sql<{ id: string; email: string }>`
      SELECT u.id, u.email FROM users u WHERE u.status = 'active' AND u.id <> ${requester} AND EXISTS (
        SELECT 1 FROM grants g JOIN roles r ON r.id = g.role_id
         WHERE r.permissions LIKE ${pattern}
           AND ((g.principal_type = 'user' AND g.principal_id = u.id)
             OR (g.principal_type = 'group' AND g.principal_id IN (SELECT group_id FROM group_members WHERE user_id = u.id))))
       ORDER BY u.email, u.id`.pipe(Effect.orDie)
  })

/** Whether some active user other than `requester` could decide, at every scope, a request filed now. */
const someoneElseCanDecide = (requester: string, scopes: ReadonlyArray<Scope.Scope>) =>
  Effect.gen(function*() {
    const at = yield* now
    for (const { id } of yield* deciderCandidates(requester)) {
      const subject = yield* countingSubject(id, requester, at.toISOString())
      if (scopes.every((s) => Permissions.has(subject, "approvals.decide", s, at))) return true
    }
    return false
  })

/**
 * The request already waiting for the same action on the same target, if any. One past its
 * expiry no longer counts: it is marked expired here (audited), so the new one can be filed.
 */
const alreadyPending = (action: ApprovalAction, key: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const rows = yield* sql<ApprovalRow>`${sql.literal(SELECT_APPROVAL)}
      WHERE a.status = 'pending' AND a.action = ${action._tag} AND a.target_key = ${key}`.pipe(Effect.orDie)
    for (const row of rows) {
      if (Date.parse(row.expiresAt) > at.getTime()) return row
      yield* sql`UPDATE approvals SET status = 'expired', version = version + 1 WHERE id = ${row.id} AND status = 'pending'`.pipe(Effect.orDie)
      yield* record({ action: "approval.expire", target: targetOf(action), details: { summary: row.summary, expiresAt: row.expiresAt }, approvalId: row.id })
    }
    return undefined
  })

/** Whether configuration puts an optional gate in front of an action. */
export const gated = (gate: OptionalGate) => Effect.map(currentSettings, (s) => s["approval.gates"].includes(gate))

/** The roles whose grants configuration can put behind approval (`approval.gates` admin-grants). */
export const ADMIN_ROLES: ReadonlyArray<string> = ["provider-admin", "org-admin"]

/** The names of the roles whose grants wait for approval under the current configuration. */
export const gatedRoles = Effect.map(gated("admin-grants"), (on): ReadonlySet<string> => new Set(on ? ADMIN_ROLES : []))

/**
 * Files a request for an action that waits for a second person, in the caller's transaction
 * (the caller has checked the requester's own permission). Refused without a reason, and when
 * nobody else could ever decide it.
 */
export const requestApproval = (action: ApprovalAction, reason: string | undefined) =>
  Effect.gen(function*() {
    const text = reason?.trim() ?? ""
    if (text === "") return yield* Effect.fail(new ReasonRequired({ action: summarize(action) }))
    const actor = yield* Actor
    const key = targetKey(action)
    const waiting = yield* alreadyPending(action, key)
    if (waiting !== undefined) {
      return yield* Effect.fail(new ApprovalAlreadyPending({ id: waiting.id, summary: waiting.summary, requestedBy: waiting.requestedByEmail ?? waiting.requestedBy }))
    }
    const scopes = yield* decisionScopes(action)
    if (!(yield* someoneElseCanDecide(actor.id, scopes))) return yield* Effect.fail(new NoEligibleApprover({ scopes }))
    const at = yield* now
    const settings = yield* currentSettings
    const sql = yield* SqlClient.SqlClient
    const id = newId()
    const summary = summarize(action)
    yield* sql`INSERT INTO approvals ${
      sql.insert({
        id,
        action: action._tag,
        payload: JSON.stringify(action),
        summary,
        scopes: JSON.stringify(scopes),
        targetKey: key,
        requestedBy: actor.id,
        requestedVia: actor.via,
        reason: text.slice(0, 2000),
        status: "pending",
        createdAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + settings["approval.ttl-hours"] * 3_600_000).toISOString()
      })
    }`.pipe(Effect.orDie)
    yield* record({ action: "approval.request", target: targetOf(action), details: { action: action._tag, summary, scopes }, reason: text, approvalId: id })
    return toRequest((yield* approvalRow(id))!, at)
  })

/** The user an action is about, for the audit row's target (none for bulk actions). */
export const targetOf = (action: ApprovalAction): string | null =>
  action._tag === "user.delete" || action._tag === "user.register" ? action.user.id :
  action._tag === "role.grant" && action.principal.type === "user" ? action.principal.id :
  null
