import type { SqlClient } from "@effect/sql"

/**
 * `LIMIT n OFFSET m` as literal text rather than bound parameters: SQLite plans a bound LIMIT
 * without knowing it, and a one-row index lookup of SCIM's took 33 µs instead of 7. The numbers
 * are counts a use case computed, never input text: they are written as whole numbers (a fraction
 * or a negative is cut to one), and one that is not finite is a defect.
 */
export const limitOffset = (sql: SqlClient.SqlClient, limit: number, offset = 0) => {
  if (!Number.isFinite(limit) || !Number.isFinite(offset)) throw new Error(`LIMIT ${limit} OFFSET ${offset}: not finite`)
  const whole = (n: number) => Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(n)))
  return sql.literal(whole(offset) === 0 ? `LIMIT ${whole(limit)}` : `LIMIT ${whole(limit)} OFFSET ${whole(offset)}`)
}
