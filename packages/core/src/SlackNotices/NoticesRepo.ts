/**
 * The statements of the Slack notices (`SlackNotices.ts`): the planned notices and their markers
 * (`slack_notices`), the audit feed's cursor (`slack_feed`), the Home tabs (`slack_homes`), and
 * the reads that find what is due. Standard SQL for both engines: timestamps are ISO 8601 text
 * (compared as text), keys are built with `||`.
 */
import { SqlClient, type Statement } from "@effect/sql"
import { Effect } from "effect"
import { SELECT_APPROVAL, type ApprovalRow } from "../Approvals/Request.js"
import type { UserId } from "../Domain/Ids.js"
import { limitOffset } from "../internal/sqlText.js"

/** A planned notice as stored. */
export interface NoticeRow {
  readonly key: string
  readonly kind: string
  readonly subject: string
  readonly recipient: string | null
  readonly details: string
  readonly createdAt: string
  readonly sentAt: string | null
  readonly outcome: string | null
}

/** A notice to plan: what, about what, to whom (none: the approvals channel), with what to say. */
export interface NewNotice {
  readonly key: string
  readonly kind: string
  readonly subject: string
  readonly recipient: string | null
  readonly details: Record<string, unknown>
}

/** The feed's name in `slack_feed`. */
const FEED = "notices"

/** What a notice's outcome is while a replica sends it. */
export const SENDING = "sending"

/**
 * Plans notices, each once: a key planned before (by this or another replica, at any time) is
 * left as it is. Markers are stored as sent.
 */
export const insertNotices = (notices: ReadonlyArray<NewNotice>, markers: ReadonlyArray<NewNotice>, at: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = [
      ...notices.map((n) => ({ ...n, details: JSON.stringify(n.details), createdAt: at, sentAt: null, outcome: null })),
      ...markers.map((n) => ({ ...n, details: JSON.stringify(n.details), createdAt: at, sentAt: at, outcome: "marker" }))
    ]
    for (let i = 0; i < rows.length; i += 200) {
      yield* sql`INSERT INTO slack_notices ${sql.insert(rows.slice(i, i + 200))} ON CONFLICT (key) DO NOTHING`
    }
  }).pipe(Effect.orDie)

/**
 * Pending requests, not past their expiry at `at`, for which no notice keyed `<kind>:<id>` was
 * planned yet, meeting `also`, in `order`: the queries each kind of request notice plans from.
 */
const pendingWithout = (kind: string, at: string, also: (sql: SqlClient.SqlClient) => Statement.Fragment, order: "filed" | "expiry", limit: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<ApprovalRow>`${sql.literal(SELECT_APPROVAL)}
     WHERE a.status = 'pending' AND a.expires_at > ${at} AND ${also(sql)}
       AND NOT EXISTS (SELECT 1 FROM slack_notices n WHERE n.key = ${`${kind}:`} || a.id)
     ORDER BY ${sql.literal(order === "filed" ? "a.created_at" : "a.expires_at")}, a.id ${limitOffset(sql, limit)}`).pipe(Effect.orDie)

/** Pending requests, not past their expiry, whose deciders were not planned for yet, oldest first. */
export const requestsToAnnounce = (at: string, limit: number) => pendingWithout("approval.announce", at, (sql) => sql`1 = 1`, "filed", limit)

/** Pending requests, not past their expiry, filed at or before `filedBy`, whose reminder was not planned yet. */
export const requestsToRemind = (at: string, filedBy: string, limit: number) =>
  pendingWithout("approval.remind", at, (sql) => sql`a.created_at <= ${filedBy}`, "filed", limit)

/** Pending requests expiring after `at` and no later than `until`, not raised in the channel yet. */
export const requestsExpiring = (at: string, until: string, limit: number) =>
  pendingWithout("approval.expiring", at, (sql) => sql`a.expires_at <= ${until}`, "expiry", limit)

/** A time-bound grant to an active account, as its ending notices need it. */
export interface EndingGrantRow {
  readonly id: string
  readonly role: string
  readonly scope: string
  readonly expiresAt: string
  readonly grantedAt: string
  readonly grantedBy: string
  readonly holderId: string
  readonly holderEmail: string
}

/** Grants to active accounts that end after `at` and no later than `until`, not planned for at this expiry yet. */
export const grantsEnding = (at: string, until: string, limit: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<EndingGrantRow>`
      SELECT g.id, r.name AS role, g.scope, g.expires_at, g.granted_at, g.granted_by, u.id AS holder_id, u.email AS holder_email
        FROM grants g JOIN roles r ON r.id = g.role_id JOIN users u ON g.principal_type = 'user' AND u.id = g.principal_id
       WHERE g.expires_at IS NOT NULL AND g.expires_at > ${at} AND g.expires_at <= ${until} AND u.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM slack_notices n WHERE n.key = 'grant.ending:' || g.id || ':' || g.expires_at)
       ORDER BY g.expires_at, g.id ${limitOffset(sql, limit)}`).pipe(Effect.orDie)

/** When a grant ends now (none: it is gone). */
export const grantExpiry = (grantId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ expiresAt: string | null }>`SELECT expires_at FROM grants WHERE id = ${grantId}`).pipe(
    Effect.map(([row]) => row === undefined ? undefined : row.expiresAt),
    Effect.orDie
  )

/** The newest audit event's sequence number (0 for none). */
export const headSeq = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ seq: number | string }>`SELECT seq FROM audit_head WHERE id = 1`).pipe(
  Effect.map(([row]) => Number(row?.seq ?? 0)),
  Effect.orDie
)

/** How far the audit log has been read for notices (the head, for a feed never read). */
export const feedSeq = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ seq: number | string }>`SELECT seq FROM slack_feed WHERE name = ${FEED}`
  return row === undefined ? undefined : Number(row.seq)
}).pipe(Effect.orDie)

/** Moves the feed's cursor from `from` to `to`; false when another replica moved it meanwhile (or it had none). */
export const advanceFeed = (from: number | undefined, to: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    if (from === undefined) {
      const added = yield* sql<{ name: string }>`INSERT INTO slack_feed (name, seq) VALUES (${FEED}, ${to}) ON CONFLICT (name) DO NOTHING RETURNING name`
      return added.length > 0
    }
    const moved = yield* sql<{ name: string }>`UPDATE slack_feed SET seq = ${to} WHERE name = ${FEED} AND seq = ${from} RETURNING name`
    return moved.length > 0
  }).pipe(Effect.orDie)

/** An audit event as the feed reads it. */
export interface FeedEvent {
  readonly seq: number
  readonly at: string
  readonly action: string
  readonly target: string | null
  readonly details: Record<string, unknown>
  readonly approvalId: string | null
}

/** The events with these actions after `from` and up to `to`, in order, at most `limit`. */
export const eventsBetween = (from: number, to: number, actions: ReadonlyArray<string>, limit: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ seq: number | string; at: string; action: string; target: string | null; details: string; approvalId: string | null }>`
      SELECT seq, at, action, target, details, approval_id FROM audit_events
       WHERE seq > ${from} AND seq <= ${to} AND ${sql.in("action", actions)} ORDER BY seq ${limitOffset(sql, limit)}`
    return rows.map((r): FeedEvent => ({ ...r, seq: Number(r.seq), details: JSON.parse(r.details) as Record<string, unknown> }))
  }).pipe(Effect.orDie)

/**
 * The active holders of `org-admin` at the organizations of an account (directly or through a
 * group, unexpired), the account itself left out, each with the organizations they are admin of.
 */
export const orgAdminsOf = (userId: string, at: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: UserId; email: string; org: string }>`
      SELECT DISTINCT u.id, u.email, o.slug AS org
        FROM memberships m JOIN organizations o ON o.id = m.org_id
        JOIN grants g ON g.scope = 'org:' || o.slug
        JOIN roles r ON r.id = g.role_id AND r.name = 'org-admin'
        LEFT JOIN group_members gm ON g.principal_type = 'group' AND gm.group_id = g.principal_id
        JOIN users u ON u.id = CASE WHEN g.principal_type = 'user' THEN g.principal_id ELSE gm.user_id END
       WHERE m.user_id = ${userId} AND u.status = 'active' AND u.id <> ${userId} AND (g.expires_at IS NULL OR g.expires_at > ${at})
       ORDER BY u.email, o.slug`
    const admins = new Map<string, { id: UserId; email: string; orgs: Array<string> }>()
    for (const row of rows) {
      const admin = admins.get(row.id) ?? { id: row.id, email: row.email, orgs: [] }
      admin.orgs.push(row.org)
      admins.set(row.id, admin)
    }
    return [...admins.values()]
  }).pipe(Effect.orDie)

/** An account a notice goes to: its e-mail, status and the Slack user explicitly linked or pinned to it. */
export interface RecipientRow {
  readonly id: UserId
  readonly email: string | null
  readonly status: string
  readonly slackUserId: string | null
}

/** The accounts with these ids. */
export const recipients = (ids: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    if (ids.length === 0) return new Map<string, RecipientRow>()
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<RecipientRow>`
      SELECT u.id, u.email, u.status, l.slack_user_id FROM users u LEFT JOIN slack_links l ON l.user_id = u.id WHERE ${sql.in("u.id", ids)}`
    return new Map(rows.map((r) => [r.id as string, r]))
  }).pipe(Effect.orDie)

/** Notices planned and not taken yet, oldest first. */
export const unsentNotices = (limit: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<NoticeRow>`SELECT * FROM slack_notices WHERE sent_at IS NULL ORDER BY created_at, key ${limitOffset(sql, limit)}`).pipe(Effect.orDie)

/** Takes the notices not taken yet (by any replica): their keys. */
export const claimNotices = (keys: ReadonlyArray<string>, at: string) =>
  Effect.gen(function*() {
    if (keys.length === 0) return [] as ReadonlyArray<string>
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ key: string }>`
      UPDATE slack_notices SET sent_at = ${at}, outcome = ${SENDING} WHERE sent_at IS NULL AND ${sql.in("key", keys)} RETURNING key`
    return rows.map((r) => r.key)
  }).pipe(Effect.orDie)

/** Records how notices ended (sent, given up, not needed any more); they are never sent again. */
export const settleNotices = (keys: ReadonlyArray<string>, outcome: string, at: string) =>
  Effect.gen(function*() {
    if (keys.length === 0) return
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE slack_notices SET sent_at = COALESCE(sent_at, ${at}), outcome = ${outcome.slice(0, 500)} WHERE ${sql.in("key", keys)}`
  }).pipe(Effect.orDie)

/** Gives taken notices back (their send failed), for a later pass to take. */
export const releaseNotices = (keys: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    if (keys.length === 0) return
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE slack_notices SET sent_at = NULL, outcome = NULL WHERE outcome = ${SENDING} AND ${sql.in("key", keys)}`
  }).pipe(Effect.orDie)

/** Forgets notices planned before `before` (whatever could make them due again has passed long ago). */
export const forgetNotices = (before: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM slack_notices WHERE created_at < ${before}`).pipe(Effect.asVoid, Effect.orDie)

/** A Home tab someone opened: whose, and which audit event it reflects. */
export interface HomeRow {
  readonly slackUserId: string
  readonly userId: UserId
  readonly publishedSeq: number
}

/** Remembers a Home tab published, reflecting the log up to `seq` (a later publish never moves it back). */
export const upsertHome = (slackUserId: string, userId: string, at: string, seq: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO slack_homes (slack_user_id, user_id, opened_at, published_seq, stale_seq) VALUES (${slackUserId}, ${userId}, ${at}, ${seq}, 0)
        ON CONFLICT (slack_user_id) DO UPDATE SET user_id = excluded.user_id, opened_at = excluded.opened_at,
          published_seq = CASE WHEN excluded.published_seq > slack_homes.published_seq THEN excluded.published_seq ELSE slack_homes.published_seq END`).pipe(
      Effect.asVoid,
      Effect.orDie
    )

/** The Home tabs opened since `since`, by account. */
export const homeViewers = (since: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ userId: UserId }>`SELECT DISTINCT user_id FROM slack_homes WHERE opened_at >= ${since}`).pipe(
      Effect.map((rows) => rows.map((r) => ({ id: r.userId }))),
      Effect.orDie
    )

/** Says that the Home tabs of these accounts are behind the event `seq`. */
export const markHomesStale = (userIds: ReadonlyArray<string>, seq: number) =>
  Effect.gen(function*() {
    if (userIds.length === 0) return
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE slack_homes SET stale_seq = ${seq} WHERE stale_seq < ${seq} AND ${sql.in("user_id", userIds)}`
  }).pipe(Effect.orDie)

/** Home tabs opened since `since` that are behind an event that changed their lists, the longest waiting first. */
export const staleHomes = (since: string, limit: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ slackUserId: string; userId: UserId; publishedSeq: number | string }>`
      SELECT slack_user_id, user_id, published_seq FROM slack_homes
       WHERE stale_seq > published_seq AND opened_at >= ${since} ORDER BY stale_seq, slack_user_id ${limitOffset(sql, limit)}`).pipe(
      Effect.map((rows) => rows.map((r): HomeRow => ({ ...r, publishedSeq: Number(r.publishedSeq) }))),
      Effect.orDie
    )

/** Moves a Home tab's published mark from `from` to `to`; false when another replica moved it first. */
export const moveHomeMark = (slackUserId: string, from: number, to: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ slackUserId: string }>`UPDATE slack_homes SET published_seq = ${to} WHERE slack_user_id = ${slackUserId} AND published_seq = ${from} RETURNING slack_user_id`).pipe(
      Effect.map((rows) => rows.length > 0),
      Effect.orDie
    )

/** Forgets Home tabs nobody opened since `before`. */
export const forgetHomes = (before: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM slack_homes WHERE opened_at < ${before}`).pipe(Effect.asVoid, Effect.orDie)
