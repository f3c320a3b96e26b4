/**
 * The expiries a policy pass records: grants past their `expires_at` are revoked (`grant.expire`),
 * invitations past theirs are marked (`invitation.expire`), approval requests past theirs are
 * closed (`Approvals.expireApprovals`). Each item in its own write transaction with its audit
 * row, and each change conditional on the state it was selected in, so two runners (or a person
 * revoking the same grant meanwhile) never record one expiry twice.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now } from "../Actor.js"
import * as Approvals from "../Approvals.js"
import { record } from "../Audit.js"
import { transaction } from "../internal/tx.js"

/** Rows read per query; a pass reads batches until none is full. */
const BATCH = 200
/** Batches one step takes at most in a pass (the next pass goes on from there). */
const MAX_BATCHES = 50

/** A grant revoked because its time ran out. */
export interface ExpiredGrant {
  readonly id: string
  readonly role: string
  readonly scope: string
  readonly principalType: "user" | "group"
  /** the user's e-mail or the group's `org/name` */
  readonly principal: string
  readonly expiresAt: string
}

/** An invitation whose expiry a pass recorded. */
export interface ExpiredInvitation {
  readonly id: string
  readonly userId: string
  readonly email: string
  readonly org: string
  readonly expiresAt: string
}

interface GrantRow {
  readonly id: string
  readonly principalType: "user" | "group"
  readonly principalId: string
  readonly role: string
  readonly scope: string
  readonly expiresAt: string
  readonly label: string | null
}

/** Runs `batch` until it returns fewer than a full batch (at most `MAX_BATCHES` times), collecting what it did. */
const inBatches = <A, E, R>(batch: Effect.Effect<{ readonly read: number; readonly done: ReadonlyArray<A> }, E, R>) =>
  Effect.gen(function*() {
    const out: Array<A> = []
    for (let i = 0; i < MAX_BATCHES; i++) {
      const { read, done } = yield* batch
      out.push(...done)
      if (read < BATCH) break
    }
    return out as ReadonlyArray<A>
  })

/**
 * Revokes every grant whose expiry has passed: the row goes, and `grant.expire` records the
 * grant's principal, role, scope and expiry (what `Audit/Replay.ts` needs to remove it too).
 * Resolution ignored such a grant already; this makes the tables, `roles show` and the user's
 * detail say so. No last-admin check: an expired provider-admin grant gave nothing already.
 */
export const expireGrants = inBatches(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const at = (yield* now).toISOString()
  const rows = yield* sql<GrantRow>`
    SELECT g.id, g.principal_type, g.principal_id, r.name AS role, g.scope, g.expires_at,
           CASE WHEN g.principal_type = 'user' THEN u.email ELSE o.slug || '/' || ug.name END AS label
      FROM grants g JOIN roles r ON r.id = g.role_id
      LEFT JOIN users u ON g.principal_type = 'user' AND u.id = g.principal_id
      LEFT JOIN user_groups ug ON g.principal_type = 'group' AND ug.id = g.principal_id
      LEFT JOIN organizations o ON o.id = ug.org_id
     WHERE g.expires_at IS NOT NULL AND g.expires_at <= ${at}
     ORDER BY g.expires_at, g.id LIMIT ${BATCH}`.pipe(Effect.orDie)
  const done: Array<ExpiredGrant> = []
  for (const row of rows) {
    const expired = yield* transaction(Effect.gen(function*() {
      const [removed] = yield* sql<{ id: string }>`
        DELETE FROM grants WHERE id = ${row.id} AND expires_at IS NOT NULL AND expires_at <= ${at} RETURNING id`.pipe(Effect.orDie)
      if (removed === undefined) return null
      const grant: ExpiredGrant = {
        id: row.id, role: row.role, scope: row.scope, principalType: row.principalType, principal: row.label ?? row.principalId, expiresAt: row.expiresAt
      }
      yield* record({
        action: "grant.expire",
        target: row.principalType === "user" ? row.principalId : null,
        details: { principal: grant.principal, principalType: grant.principalType, role: grant.role, scope: grant.scope, expiresAt: grant.expiresAt }
      })
      return grant
    }))
    if (expired !== null) done.push(expired)
  }
  return { read: rows.length, done }
}))

/**
 * Records the expiry of pending invitations past their date: `expired_at` set and one
 * `invitation.expire` row each. The invitation reads `expired` by its date as before (its link
 * stopped working then); the account stays invited, so the invitation can still be resent
 * (which clears the mark) or cancelled.
 */
export const expireInvitations = inBatches(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const at = (yield* now).toISOString()
  const rows = yield* sql<ExpiredInvitation>`
    SELECT i.id, i.user_id, COALESCE(u.email, '') AS email, o.slug AS org, i.expires_at
      FROM invitations i JOIN users u ON u.id = i.user_id JOIN organizations o ON o.id = i.org_id
     WHERE i.status = 'pending' AND i.expired_at IS NULL AND i.expires_at <= ${at}
     ORDER BY i.expires_at, i.id LIMIT ${BATCH}`.pipe(Effect.orDie)
  const done: Array<ExpiredInvitation> = []
  for (const row of rows) {
    const marked = yield* transaction(Effect.gen(function*() {
      const [updated] = yield* sql<{ id: string }>`
        UPDATE invitations SET expired_at = ${at}, version = version + 1
         WHERE id = ${row.id} AND status = 'pending' AND expired_at IS NULL AND expires_at <= ${at} RETURNING id`.pipe(Effect.orDie)
      if (updated === undefined) return false
      yield* record({ action: "invitation.expire", target: row.userId, details: { email: row.email, invitation: row.id, org: row.org, expiresAt: row.expiresAt } })
      return true
    }))
    if (marked) done.push(row)
  }
  return { read: rows.length, done }
}))

/**
 * Closes pending approval requests past their date through `Approvals.expireApprovals` (200 a
 * transaction), and names them: inside the same transaction, the `approval.expire` rows after
 * the head it started from are its own.
 */
export const expireApprovalRequests = inBatches(transaction(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [head] = yield* sql<{ seq: number }>`SELECT seq FROM audit_head WHERE id = 1`.pipe(Effect.orDie)
  const read = yield* Approvals.expireApprovals
  const rows = yield* sql<{ approvalId: string | null }>`
    SELECT approval_id FROM audit_events WHERE seq > ${Number(head?.seq ?? 0)} AND action = 'approval.expire' ORDER BY seq`.pipe(Effect.orDie)
  return { read, done: rows.flatMap((r) => (r.approvalId === null ? [] : [r.approvalId])) }
})))
