import { SqlClient } from "@effect/sql"
import { Effect, FiberRef } from "effect"
import { Actor, now, readableOrgsFor, requireAt, requireReadable } from "./Actor.js"
import * as AuditDomain from "./Domain/Audit.js"
import * as Scope from "./Domain/Scope.js"

/** What a use case says about its change; who, when and the chain are filled in here. */
export interface AuditEntry {
  readonly action: string
  readonly target: string | null
  readonly details?: unknown
  readonly reason?: string | null
  readonly approvalId?: string | null
}

interface Head {
  readonly seq: number
  readonly hash: string
}

/**
 * The approval request a change is carried out for: set around an approved action's execution,
 * so every audit row it writes names the request (`approvalId`).
 */
export const currentApproval: FiberRef.FiberRef<string | null> = FiberRef.unsafeMake<string | null>(null)

const head = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<Head>`SELECT seq, hash FROM audit_head WHERE id = 1`
  return row ?? { seq: 0, hash: AuditDomain.GENESIS }
})

/**
 * Appends audit events in the caller's transaction, chained to the last one. Batches insert
 * many rows per statement, so a bulk use case pays one round trip per thousand events.
 */
export const recordMany = (entries: ReadonlyArray<AuditEntry>) =>
  Effect.gen(function*() {
    if (entries.length === 0) return
    const sql = yield* SqlClient.SqlClient
    const actor = yield* Actor
    const at = (yield* now).toISOString()
    const approval = yield* FiberRef.get(currentApproval)
    let { hash: prevHash, seq } = yield* head
    const rows = entries.map((entry) => {
      seq++
      const event = {
        seq,
        at,
        actor: actor.id,
        via: actor.via,
        action: entry.action,
        target: entry.target,
        details: entry.details ?? {},
        reason: entry.reason ?? null,
        approvalId: entry.approvalId ?? approval,
        prevHash
      }
      const details = AuditDomain.canonicalJson(event.details)
      prevHash = AuditDomain.hashEvent(event, details)
      return { ...event, details, hash: prevHash }
    })
    for (let i = 0; i < rows.length; i += 500) {
      yield* sql`INSERT INTO audit_events ${sql.insert(rows.slice(i, i + 500))}`
    }
    yield* sql`INSERT INTO audit_head (id, seq, hash) VALUES (1, ${seq}, ${prevHash})
               ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`
  }).pipe(Effect.orDie)

/** Appends one audit event in the caller's transaction. */
export const record = (entry: AuditEntry) => recordMany([entry])

interface AuditRow {
  readonly seq: number
  readonly at: string
  readonly actor: string
  readonly via: AuditDomain.Via
  readonly action: string
  readonly target: string | null
  readonly details: string
  readonly reason: string | null
  readonly approvalId: string | null
  readonly prevHash: string
  readonly hash: string
}

const toEvent = (row: AuditRow): AuditDomain.AuditEvent => ({ ...row, seq: Number(row.seq), details: JSON.parse(row.details) })

/** Filters for `audit list`. */
export interface AuditQuery {
  /** only events whose target or actor is this user id */
  readonly userId?: string
  readonly limit?: number
  /** only events after this sequence number (for a live tail) */
  readonly afterSeq?: number
}

/**
 * Which audit events the actor may read, as a condition on `audit_events` (alias `a`): all of
 * them with `audit.read` at provider; otherwise those about members of the organizations where
 * the actor holds it (by target, so nothing about other organizations shows).
 */
export const auditVisibility = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const orgs = yield* readableOrgsFor("audit.read")
  return orgs === "everywhere" ? sql`1 = 1` : sql`a.target IN (SELECT user_id FROM memberships WHERE ${sql.in("org_id", orgs)})`
})

/**
 * Recent audit events, newest first: the whole log with `audit.read` at provider, otherwise the
 * events about members of the organizations where the actor holds it. One user's events need it
 * at provider or at an organization of that user.
 */
export const listAudit = (query: AuditQuery = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const visible = query.userId === undefined ? yield* auditVisibility : sql`1 = 1`
    if (query.userId !== undefined) yield* requireReadable(query.userId, "audit.read")
    const limit = Math.max(1, Math.min(query.limit ?? 50, 10_000))
    const conditions = [
      visible,
      query.userId !== undefined ? sql`(a.target = ${query.userId} OR a.actor = ${query.userId})` : undefined,
      query.afterSeq !== undefined ? sql`a.seq > ${query.afterSeq}` : undefined
    ].filter((c) => c !== undefined)
    const rows = yield* sql<AuditRow>`SELECT a.* FROM audit_events a WHERE ${sql.and(conditions)} ORDER BY a.seq DESC LIMIT ${limit}`.pipe(Effect.orDie)
    return rows.map(toEvent)
  })

/** The outcome of walking the audit chain. */
export interface AuditVerification {
  readonly ok: boolean
  readonly events: number
  readonly problem: string | null
}

/** Walks the whole chain and compares its end to the recorded head (needs `audit.read` at provider). */
export const verifyAudit = Effect.gen(function*() {
  yield* requireAt("audit.read", Scope.provider)
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<AuditRow>`SELECT * FROM audit_events ORDER BY seq`.pipe(Effect.orDie)
  const recorded = yield* head.pipe(Effect.orDie)
  const events = rows.map(toEvent)
  const broken = AuditDomain.verifyChain(events)
  const last = events.at(-1)
  const problem = broken !== undefined
    ? broken.kind === "gap"
      ? `event ${broken.expectedSeq} is missing (next found is ${broken.foundSeq})`
      : broken.kind === "link"
      ? `event ${broken.seq} does not follow the event before it`
      : `event ${broken.seq} was altered after it was written`
    : (last?.seq ?? 0) !== Number(recorded.seq) || (last?.hash ?? AuditDomain.GENESIS) !== recorded.hash
    ? `the log ends at event ${last?.seq ?? 0} but ${recorded.seq} were written: events were removed from the end`
    : null
  return { ok: problem === null, events: events.length, problem } satisfies AuditVerification
})
