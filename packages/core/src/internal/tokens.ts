import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now } from "../Actor.js"
import { hashToken, newToken, tokenFrom } from "../Domain/Credentials.js"
import { newId } from "../Domain/Ids.js"

/** What a token is for: accepting an invitation, or resetting a password. */
export type TokenPurpose = "invite" | "reset"

/**
 * Issues a single-use token for a user in the caller's transaction. Earlier unused tokens of
 * the same purpose stop working (superseded). Only the SHA-256 is stored; the token itself is
 * returned once, to be mailed or handed over as a link.
 */
export const issueToken = (purpose: TokenPurpose, userId: string, ttlMs: number, at: Date) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const token = newToken()
    const id = newId()
    const expiresAt = new Date(at.getTime() + ttlMs).toISOString()
    yield* sql`UPDATE tokens SET superseded_at = ${at.toISOString()}
                WHERE user_id = ${userId} AND purpose = ${purpose} AND used_at IS NULL AND superseded_at IS NULL`
    yield* sql`INSERT INTO tokens ${
      sql.insert({ id, purpose, userId, hash: hashToken(token), createdAt: at.toISOString(), expiresAt })
    }`
    return { id, token, expiresAt }
  }).pipe(Effect.orDie)

/**
 * `issueToken` for many users at once, in the caller's transaction (one statement per 500
 * users): same rules, same storage. Returns the tokens in the order of `userIds`.
 */
export const issueTokens = (purpose: TokenPurpose, userIds: ReadonlyArray<string>, ttlMs: number, at: Date) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const expiresAt = new Date(at.getTime() + ttlMs).toISOString()
    const issued = userIds.map((userId) => ({ id: newId(), userId, token: newToken(), expiresAt }))
    for (let i = 0; i < issued.length; i += 500) {
      const chunk = issued.slice(i, i + 500)
      yield* sql`UPDATE tokens SET superseded_at = ${at.toISOString()}
                  WHERE ${sql.in("user_id", chunk.map((t) => t.userId))} AND purpose = ${purpose} AND used_at IS NULL AND superseded_at IS NULL`
      yield* sql`INSERT INTO tokens ${
        sql.insert(chunk.map((t) => ({ id: t.id, purpose, userId: t.userId, hash: hashToken(t.token), createdAt: at.toISOString(), expiresAt })))
      }`
    }
    return issued
  }).pipe(Effect.orDie)

/** The user a still-usable token belongs to, without using it up (none when unknown, used, superseded or expired). */
export const peekToken = (purpose: TokenPurpose, text: string) =>
  Effect.gen(function*() {
    const token = tokenFrom(text)
    if (token === undefined) return undefined
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const [row] = yield* sql<{ userId: string }>`
      SELECT user_id FROM tokens WHERE hash = ${hashToken(token)} AND purpose = ${purpose}
         AND used_at IS NULL AND superseded_at IS NULL AND expires_at > ${at}`
    return row?.userId
  }).pipe(Effect.orDie)

/**
 * Uses a token up, atomically: one conditional update, so of two concurrent uses exactly one
 * gets the user id. Unknown, used, superseded and expired tokens all give `undefined`.
 */
export const consumeToken = (purpose: TokenPurpose, text: string) =>
  Effect.gen(function*() {
    const token = tokenFrom(text)
    if (token === undefined) return undefined
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const [row] = yield* sql<{ userId: string; id: string }>`
      UPDATE tokens SET used_at = ${at}
       WHERE hash = ${hashToken(token)} AND purpose = ${purpose}
         AND used_at IS NULL AND superseded_at IS NULL AND expires_at > ${at}
      RETURNING user_id, id`
    return row
  }).pipe(Effect.orDie)

/** Withdraws every token of a user (deletion, cancelled invitation). */
export const dropTokens = (userId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM tokens WHERE user_id = ${userId}`).pipe(Effect.orDie)
