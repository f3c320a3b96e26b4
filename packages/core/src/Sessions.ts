import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Actor, now, requireForAccount, requireReadable } from "./Actor.js"
import { record } from "./Audit.js"
import { hashToken, newToken } from "./Domain/Credentials.js"
import { SessionInvalid, SessionNotFound } from "./Domain/Errors.js"
import { newId, type SessionId } from "./Domain/Ids.js"
import { findUser } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { currentSettings } from "./Settings.js"
import type { SessionMeta } from "./Domain/Inputs.js"
export type { SessionMeta } from "./Domain/Inputs.js"

/** A session as admins see it; its token never leaves `signIn`. */
export interface Session {
  readonly id: SessionId
  readonly userId: string
  readonly createdAt: string
  readonly lastSeenAt: string
  readonly expiresAt: string
  readonly userAgent: string | null
  readonly ip: string | null
}


const COLUMNS = "id, user_id, created_at, last_seen_at, expires_at, user_agent, ip"

/**
 * Opens a session for a user in the caller's transaction. The token (32 random bytes) is
 * returned once; only its SHA-256 is stored.
 */
export const openSession = (userId: string, meta: SessionMeta) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const settings = yield* currentSettings
    const token = newToken()
    const session: Session = {
      id: newId<SessionId>(),
      userId,
      createdAt: at.toISOString(),
      lastSeenAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + settings["session.ttl-hours"] * 3_600_000).toISOString(),
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip?.slice(0, 64) ?? null
    }
    yield* sql`INSERT INTO sessions ${sql.insert({ ...session, tokenHash: hashToken(token) })}`.pipe(Effect.orDie)
    yield* sql`UPDATE users SET last_active_at = ${session.createdAt} WHERE id = ${userId}`.pipe(Effect.orDie)
    yield* record({ action: "session.open", target: userId, details: { session: session.id, userAgent: session.userAgent, ip: session.ip } })
    return { session, token }
  })

/** Ends a user's sessions (all, or all but one) in the caller's transaction; returns how many ended. */
export const endSessions = (userId: string, options: { readonly only?: string; readonly except?: string } = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const only = options.only === undefined ? sql`` : sql` AND id = ${options.only}`
    const except = options.except === undefined ? sql`` : sql` AND id <> ${options.except}`
    const rows = yield* sql<{ id: string }>`
      UPDATE sessions SET revoked_at = ${at} WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${at}${only}${except} RETURNING id`
    return rows.length
  }).pipe(Effect.orDie)

/** A user's live sessions, newest first (needs `users.read` at one of the user's organizations). */
export const listSessions = (ref: string) =>
  Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireReadable(user.id)
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const sessions = yield* sql<Session>`SELECT ${sql.literal(COLUMNS)} FROM sessions
      WHERE user_id = ${user.id} AND revoked_at IS NULL AND expires_at > ${at} ORDER BY created_at DESC, id DESC`.pipe(Effect.orDie)
    return { user: user.email, sessions }
  })

/**
 * Revokes a user's sessions — one, or all of them (needs `users.sessions.revoke` at every
 * organization of the user). The user is signed out on their next request.
 */
export const revokeSessions = (ref: string, options: { readonly session?: string } = {}) =>
  transaction(Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireForAccount("users.sessions.revoke", user.id)
    const session = options.session?.trim()
    const revoked = yield* endSessions(user.id, session === undefined ? {} : { only: session })
    if (session !== undefined && revoked === 0) return yield* Effect.fail(new SessionNotFound({ session }))
    yield* record({ action: "session.revoke", target: user.id, details: { email: user.email, session: session ?? "all", revoked } })
    return { user: user.email, revoked }
  }))

/** How often a session in use is marked seen (its idle expiry is that much less exact). */
export const SEEN_EVERY_MS = 60_000

/**
 * The session behind a token, for the HTTP front-ends: unknown, revoked, expired or idle (unused
 * for `session.idle-minutes`) tokens and users who are no longer active fail with
 * `SessionInvalid`. Marks the session seen (at most once a minute).
 */
export const authenticate = (token: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const clock = yield* now
    const at = clock.toISOString()
    const idleSince = new Date(clock.getTime() - (yield* currentSettings)["session.idle-minutes"] * 60_000).toISOString()
    const [row] = yield* sql<Session>`SELECT ${sql.literal(COLUMNS)} FROM sessions
      WHERE token_hash = ${hashToken(token.trim())} AND revoked_at IS NULL AND expires_at > ${at} AND last_seen_at > ${idleSince}`.pipe(Effect.orDie)
    if (row === undefined) return yield* Effect.fail(new SessionInvalid())
    const user = yield* findUser(row.userId).pipe(Effect.mapError(() => new SessionInvalid()))
    if (user.status !== "active") return yield* Effect.fail(new SessionInvalid())
    // a session is marked seen at most once a minute: every page of a signed-in person would
    // otherwise be a committed write (on SQLite a sync to disk), for an idle expiry counted in minutes
    if (Date.parse(row.lastSeenAt) > clock.getTime() - SEEN_EVERY_MS) return { session: row, user }
    yield* transaction(Effect.gen(function*() {
      yield* sql`UPDATE sessions SET last_seen_at = ${at} WHERE id = ${row.id}`
      yield* sql`UPDATE users SET last_active_at = ${at} WHERE id = ${user.id}`
    })).pipe(Effect.orDie)
    return { session: { ...row, lastSeenAt: at }, user }
  })

/** Ends the session of a token (signing out); an already-ended one is fine. */
export const signOut = (token: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const actor = yield* Actor
    return yield* transaction(Effect.gen(function*() {
      const [row] = yield* sql<{ id: string; userId: string }>`SELECT id, user_id FROM sessions
        WHERE token_hash = ${hashToken(token.trim())} AND revoked_at IS NULL`.pipe(Effect.orDie)
      if (row === undefined) return false
      yield* endSessions(row.userId, { only: row.id })
      yield* record({ action: "session.end", target: row.userId, details: { session: row.id } }).pipe(
        Effect.provideService(Actor, { id: row.userId as never, via: actor.via })
      )
      return true
    }))
  })

/**
 * The acting user is using a front-end now (a key pressed in the dashboard, locally or over
 * SSH): their last activity, as a session's use writes it for the pages — at most once a minute,
 * an active account only, with no audit row (bookkeeping, not a change to the directory). An
 * admin working in the dashboard is then neither shown as "never" seen nor taken for dormant.
 */
export const noteActivity = Effect.gen(function*() {
  const actor = yield* Actor
  if (actor.id === "system") return
  const sql = yield* SqlClient.SqlClient
  const clock = yield* now
  const at = clock.toISOString()
  const recently = new Date(clock.getTime() - SEEN_EVERY_MS).toISOString()
  yield* transaction(sql`UPDATE users SET last_active_at = ${at}
    WHERE id = ${actor.id} AND status = 'active' AND (last_active_at IS NULL OR last_active_at < ${recently})`).pipe(Effect.orDie)
})
