import { SqlClient } from "@effect/sql"
import { Effect, FiberRef, Option } from "effect"
import { Actor, now, readableOrgsFor, requireAt, requireReadable } from "./Actor.js"
import { AuditCheckpointer } from "./Audit/Checkpointer.js"
import * as Replay from "./Audit/Replay.js"
import * as Signing from "./Audit/Signing.js"
import { auditFiles, CoreConfig } from "./CoreConfig.js"
import * as AuditDomain from "./Domain/Audit.js"
import * as Scope from "./Domain/Scope.js"
import { transaction } from "./internal/tx.js"
import { limitOffset } from "./internal/sqlText.js"

/** What a use case says about its change; who, when and the chain are filled in here. */
export interface AuditEntry {
  readonly action: string
  readonly target: string | null
  readonly details?: unknown
  readonly reason?: string | null
  readonly approvalId?: string | null
  /**
   * The scopes the event concerns, when the use case knows better than `scopesFromDetails` (e.g. the
   * organizations of an account it is about to erase).
   */
  readonly scopes?: ReadonlyArray<string>
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

/** The organization scopes of these accounts now (provider for an account in none). */
const accountScopesOf = (userIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const out = new Map<string, Array<string>>()
    const unique = [...new Set(userIds)]
    for (let i = 0; i < unique.length; i += 500) {
      const rows = yield* sql<{ userId: string; slug: string }>`
        SELECT m.user_id, o.slug FROM memberships m JOIN organizations o ON o.id = m.org_id
         WHERE ${sql.in("m.user_id", unique.slice(i, i + 500))} ORDER BY o.slug`
      for (const row of rows) out.set(row.userId, [...(out.get(row.userId) ?? []), Scope.org(row.slug)])
    }
    return out
  })

/** The scopes of an account as an audit event about it would record them (for use cases that must read them before a change). */
export const accountAuditScopes = (userId: string) =>
  Effect.map(accountScopesOf([userId]), (m) => m.get(userId) ?? [Scope.provider]).pipe(Effect.orDie)

/**
 * Appends audit events in the caller's transaction, chained to the last one. Batches insert
 * many rows per statement, so a bulk use case pays one round trip per thousand events. Each
 * event records the scopes it concerns (`scopesFromDetails`, else its target's organizations).
 */
export const recordMany = (entries: ReadonlyArray<AuditEntry>) =>
  Effect.gen(function*() {
    if (entries.length === 0) return
    const sql = yield* SqlClient.SqlClient
    const actor = yield* Actor
    const at = (yield* now).toISOString()
    const approval = yield* FiberRef.get(currentApproval)
    let { hash: prevHash, seq } = yield* head
    const named = entries.map((entry) => entry.scopes ?? AuditDomain.scopesFromDetails(entry.details))
    const lookup = entries.flatMap((entry, i) => (named[i] === undefined && entry.target !== null ? [entry.target] : []))
    const ofTargets = lookup.length === 0 ? new Map<string, Array<string>>() : yield* accountScopesOf(lookup)
    const rows = entries.map((entry, i) => {
      seq++
      const scopes = named[i] ?? (entry.target === null ? undefined : ofTargets.get(entry.target)) ?? [Scope.provider]
      const event = {
        seq,
        at,
        actor: actor.id,
        via: actor.via,
        action: entry.action,
        target: entry.target,
        // a program's rows name the API token it acted through
        details: actor.token === undefined ? entry.details ?? {} : { ...(entry.details as Record<string, unknown> | undefined), viaToken: { id: actor.token.id, name: actor.token.name } },
        reason: entry.reason ?? null,
        approvalId: entry.approvalId ?? approval,
        scopes,
        prevHash
      }
      const details = AuditDomain.canonicalJson(event.details)
      prevHash = AuditDomain.hashEvent(event, details)
      return { ...event, details, scopes: JSON.stringify(scopes), hash: prevHash }
    })
    for (let i = 0; i < rows.length; i += 500) {
      yield* sql`INSERT INTO audit_events ${sql.insert(rows.slice(i, i + 500))}`
    }
    yield* sql`INSERT INTO audit_head (id, seq, hash) VALUES (1, ${seq}, ${prevHash})
               ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`
    const checkpointer = yield* Effect.serviceOption(AuditCheckpointer)
    if (Option.isSome(checkpointer)) checkpointer.value.noteWrite()
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
  readonly scopes: string | null
  readonly legacyScopes: string | null
  readonly prevHash: string
  readonly hash: string
}

const toEvent = (row: AuditRow): AuditDomain.AuditEvent => {
  const { scopes, legacyScopes: _legacy, ...rest } = row
  return {
    ...rest,
    seq: Number(row.seq),
    details: JSON.parse(row.details),
    ...(scopes === null || scopes === undefined ? {} : { scopes: JSON.parse(scopes) as ReadonlyArray<string> })
  }
}

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
 * them with `audit.read` at provider; otherwise those recorded at an organization where the
 * actor holds it (for an event older than scoping, the scopes migration 0005 gave it).
 */
export const auditVisibility = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const orgs = yield* readableOrgsFor("audit.read")
  if (orgs === "everywhere") return sql`1 = 1`
  const slugs = yield* sql<{ slug: string }>`SELECT slug FROM organizations WHERE ${sql.in("id", orgs)}`.pipe(Effect.orDie)
  const scopes = slugs.map((o) => Scope.org(o.slug))
  const held = sql.in("j.value", scopes)
  return sql.onDialectOrElse({
    pg: () => sql`EXISTS (SELECT 1 FROM jsonb_array_elements_text(COALESCE(a.scopes, a.legacy_scopes, '["provider"]')::jsonb) j(value) WHERE ${held})`,
    orElse: () => sql`EXISTS (SELECT 1 FROM json_each(COALESCE(a.scopes, a.legacy_scopes, '["provider"]')) j WHERE ${held})`
  })
})

/**
 * Recent audit events, newest first: the whole log with `audit.read` at provider, otherwise the
 * events recorded at the organizations where the actor holds it. One user's events need it at
 * provider or at an organization of that user, and show only at those scopes: an account that
 * belongs to another organization too keeps that organization's events from this reader.
 */
export const listAudit = (query: AuditQuery = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    if (query.userId !== undefined) yield* requireReadable(query.userId, "audit.read")
    const visible = yield* auditVisibility
    const limit = Math.max(1, Math.min(query.limit ?? 50, 10_000))
    const conditions = [
      visible,
      query.userId !== undefined ? sql`(a.target = ${query.userId} OR a.actor = ${query.userId})` : undefined,
      query.afterSeq !== undefined ? sql`a.seq > ${query.afterSeq}` : undefined
    ].filter((c) => c !== undefined)
    const rows = yield* sql<AuditRow>`SELECT a.* FROM audit_events a WHERE ${sql.and(conditions)} ORDER BY a.seq DESC ${limitOffset(sql, limit)}`.pipe(Effect.orDie)
    return rows.map(toEvent)
  })

/** One thing `verifyAudit` found wrong. */
export interface AuditProblem {
  /** chain: an event altered, missing or out of place; head: the recorded end; checkpoint: a signed head; state: a table row */
  readonly kind: "chain" | "head" | "checkpoint" | "state"
  readonly message: string
  readonly seq?: number
  readonly table?: string
  readonly id?: string
}

/** What `verifyAudit` found about the signed checkpoints. */
export interface CheckpointSummary {
  /** the checkpoint file (null: this process has none configured, an in-memory directory) */
  readonly file: string | null
  readonly count: number
  /** checkpoints with a valid signature that match the chain */
  readonly valid: number
  /** the newest valid checkpoint */
  readonly latest: { readonly seq: number; readonly at: string } | null
  /** events after the newest valid checkpoint (not covered by a signature yet) */
  readonly newerEvents: number
}

/** The outcome of `audit verify`. */
export interface AuditVerification {
  readonly ok: boolean
  readonly events: number
  readonly checkpoints: CheckpointSummary
  readonly problems: ReadonlyArray<AuditProblem>
}

/** An event as verification reads it: raw columns, no row transforms (100k rows). */
interface RawAuditRow {
  readonly seq: number
  readonly at: string
  readonly actor: string
  readonly via: AuditDomain.Via
  readonly action: string
  readonly target: string | null
  readonly details: string
  readonly reason: string | null
  readonly approval_id: string | null
  readonly scopes: string | null
  readonly prev_hash: string
  readonly hash: string
}

/** Walks the chain from genesis with the stored details and scopes text (what was hashed) and compares its end with the head. */
const checkChain = (rows: ReadonlyArray<RawAuditRow>, recorded: Head): ReadonlyArray<AuditProblem> => {
  let prev = AuditDomain.GENESIS
  let expected = 1
  for (const row of rows) {
    const seq = Number(row.seq)
    if (seq !== expected) return [{ kind: "chain", seq: expected, message: `event ${expected} is missing (next found is ${seq})` }]
    if (row.prev_hash !== prev) return [{ kind: "chain", seq, message: `event ${seq} does not follow the event before it` }]
    const event = {
      seq,
      at: row.at,
      actor: row.actor,
      via: row.via,
      action: row.action,
      target: row.target,
      details: null,
      reason: row.reason,
      approvalId: row.approval_id,
      prevHash: row.prev_hash
    }
    if (AuditDomain.hashEvent(event, row.details, row.scopes ?? undefined) !== row.hash) {
      return [{ kind: "chain", seq, message: `event ${seq} was altered after it was written` }]
    }
    prev = row.hash
    expected++
  }
  const last = rows.at(-1)
  const lastSeq = last === undefined ? 0 : Number(last.seq)
  if (lastSeq !== Number(recorded.seq) || (last?.hash ?? AuditDomain.GENESIS) !== recorded.hash) {
    return [{ kind: "head", seq: lastSeq, message: `the log ends at event ${lastSeq} but ${recorded.seq} were written: events were removed from the end` }]
  }
  return []
}

/** Checks every signed checkpoint against the key and the chain. */
const checkCheckpoints = (
  rows: ReadonlyArray<RawAuditRow>,
  files: { readonly keyFile: string; readonly checkpoints: string } | null
): { readonly summary: CheckpointSummary; readonly problems: ReadonlyArray<AuditProblem> } => {
  const lastSeq = rows.length === 0 ? 0 : Number(rows.at(-1)!.seq)
  if (files === null) return { summary: { file: null, count: 0, valid: 0, latest: null, newerEvents: lastSeq }, problems: [] }
  const lines = Signing.readCheckpoints(files.checkpoints)
  const problems: Array<AuditProblem> = []
  const key = lines.length === 0 ? null : Signing.publicKeyOf(files.keyFile)
  if (lines.length > 0 && key === null) {
    problems.push({ kind: "checkpoint", message: `the signing key ${files.keyFile} is missing or unreadable: the checkpoints cannot be checked` })
  }
  const hashAt = (seq: number): string | undefined => {
    if (seq === 0) return AuditDomain.GENESIS
    const row = rows[seq - 1]
    if (row !== undefined && Number(row.seq) === seq) return row.hash
    return rows.find((r) => Number(r.seq) === seq)?.hash
  }
  let valid = 0
  let latest: { seq: number; at: string } | null = null
  lines.forEach((line, i) => {
    if ("malformed" in line) {
      problems.push({ kind: "checkpoint", message: `line ${line.malformed} of ${files.checkpoints} is not a checkpoint` })
      return
    }
    if (key === null) return
    const where = `checkpoint ${i + 1} (event ${line.seq}, signed ${line.at})`
    if (!Signing.validSignature(key, line)) {
      problems.push({ kind: "checkpoint", seq: line.seq, message: `${where} does not carry a valid signature of the key` })
      return
    }
    if (line.seq > lastSeq) {
      problems.push({ kind: "checkpoint", seq: line.seq, message: `${where}: the log ends at event ${lastSeq}, events signed for were removed` })
      return
    }
    if (hashAt(line.seq) !== line.hash) {
      problems.push({ kind: "checkpoint", seq: line.seq, message: `${where}: event ${line.seq} is not the one signed, the log was rewritten up to it` })
      return
    }
    valid++
    if (latest === null || line.seq > latest.seq) latest = { seq: line.seq, at: line.at }
  })
  const newest = latest as { seq: number; at: string } | null
  return {
    summary: { file: files.checkpoints, count: lines.length, valid, latest: newest, newerEvents: lastSeq - (newest?.seq ?? 0) },
    problems
  }
}

/** The tables reconciliation compares with the log (without row transforms: 100k rows each). */
const loadStateTables = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  return {
    users: yield* sql<Replay.StateTables["users"][number]>`SELECT id, status, email FROM users`,
    memberships: yield* sql<Replay.StateTables["memberships"][number]>`
      SELECT m.user_id AS "userId", m.org_id AS "orgId", o.slug AS org FROM memberships m LEFT JOIN organizations o ON o.id = m.org_id`,
    groupMembers: yield* sql<Replay.StateTables["groupMembers"][number]>`
      SELECT gm.group_id AS "groupId", gm.user_id AS "userId", o.slug || '/' || ug.name AS "group"
        FROM group_members gm LEFT JOIN user_groups ug ON ug.id = gm.group_id LEFT JOIN organizations o ON o.id = ug.org_id`,
    grants: yield* sql<Replay.StateTables["grants"][number]>`
      SELECT g.id, g.principal_type AS "principalType", g.principal_id AS "principalId", o.slug || '/' || ug.name AS "group",
             r.name AS role, g.scope, g.expires_at AS "expiresAt"
        FROM grants g LEFT JOIN roles r ON r.id = g.role_id
        LEFT JOIN user_groups ug ON g.principal_type = 'group' AND ug.id = g.principal_id
        LEFT JOIN organizations o ON o.id = ug.org_id`,
    roles: yield* sql<Replay.StateTables["roles"][number]>`SELECT id, name, permissions, built_in AS "builtIn" FROM roles`
  } satisfies Replay.StateTables
})

/**
 * Verifies the audit log without trusting the database file (needs `audit.read` at provider):
 * the hash chain and its recorded head; every signed checkpoint (its signature, and that the
 * chain holds the event it signed, so a rewritten-and-rechained history or a dropped tail shows);
 * and the state the events imply against the tables (accounts' status and e-mail, memberships,
 * group memberships, grants, roles), every row the log does not explain reported by table and id.
 * All of it reads one consistent snapshot.
 */
export const verifyAudit = Effect.gen(function*() {
  yield* requireAt("audit.read", Scope.provider)
  const config = yield* Effect.serviceOption(CoreConfig)
  const files = Option.isSome(config) ? auditFiles(config.value) : null
  return yield* transaction(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql.withoutTransforms()<RawAuditRow>`SELECT * FROM audit_events ORDER BY seq`
    const recorded = yield* head
    const problems: Array<AuditProblem> = [...checkChain(rows, recorded)]
    const checkpoints = checkCheckpoints(rows, files)
    problems.push(...checkpoints.problems)
    const state = Replay.replay(rows.map((row) => ({ seq: Number(row.seq), action: row.action, target: row.target, details: JSON.parse(row.details) })))
    for (const p of Replay.reconcile(state, yield* loadStateTables)) problems.push({ kind: "state", ...p })
    return { ok: problems.length === 0, events: rows.length, checkpoints: checkpoints.summary, problems } satisfies AuditVerification
  }).pipe(Effect.orDie))
})
