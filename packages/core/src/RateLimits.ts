import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { now } from "./Actor.js"

/** A limit: at most `limit` hits per `windowSeconds` for one key. */
export interface RateLimit {
  readonly limit: number
  readonly windowSeconds: number
}

/** Whether a hit is allowed, and when the key's window opens again when it is not. */
export interface RateLimitAnswer {
  readonly allowed: boolean
  readonly hits: number
  readonly retryAfterSeconds: number
}

/**
 * Counts one hit against a key (`signin:ip:…`, `accept:token:…`) in a fixed window and answers
 * whether it is within the limit. The counter lives in the database, so every instance serving
 * the same directory shares it; the key is stored as its SHA-256, never as an address or a
 * token. One conditional upsert: concurrent hits of several instances all count.
 */
export const hitRateLimit = (key: string, limit: RateLimit) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const windowMs = limit.windowSeconds * 1000
    const start = at.toISOString()
    const stale = new Date(at.getTime() - windowMs).toISOString()
    const hashed = createHash("sha256").update(key).digest("hex")
    const [row] = yield* sql<{ hits: number; windowStart: string }>`
      INSERT INTO rate_limits (key, window_start, hits) VALUES (${hashed}, ${start}, 1)
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.window_start <= ${stale} THEN 1 ELSE rate_limits.hits + 1 END,
        window_start = CASE WHEN rate_limits.window_start <= ${stale} THEN excluded.window_start ELSE rate_limits.window_start END
      RETURNING hits, window_start`
    // windows long over are swept now and then (one hit in a hundred), so the table stays small
    if (Math.random() < 0.01) yield* sql`DELETE FROM rate_limits WHERE window_start < ${new Date(at.getTime() - 86_400_000).toISOString()}`
    const hits = Number(row!.hits)
    const opens = Date.parse(row!.windowStart) + windowMs
    return { allowed: hits <= limit.limit, hits, retryAfterSeconds: Math.max(1, Math.ceil((opens - at.getTime()) / 1000)) } satisfies RateLimitAnswer
  }).pipe(Effect.orDie)
