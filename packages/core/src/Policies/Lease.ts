/**
 * The lease that lets one replica at a time run a policy pass: a `policy_lease` row naming its
 * holder and until when it holds. Taken, renewed and released each in a write transaction, which
 * both engines run one at a time (`internal/tx.ts`), so of two runners reading the row together
 * the second sees the first's lease.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now } from "../Actor.js"
import { transaction } from "../internal/tx.js"

const NAME = "policies"

/** What taking the lease found: taken (until when), or held by another runner (who, until when). */
export type LeaseAnswer =
  | { readonly taken: true; readonly until: string }
  | { readonly taken: false; readonly heldBy: string; readonly until: string }

/** Takes the lease for `ms` unless another holder's lease has not expired; the holder's own is renewed. */
export const takeLease = (holder: string, ms: number) =>
  transaction(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const [row] = yield* sql<{ holder: string; expiresAt: string }>`SELECT holder, expires_at FROM policy_lease WHERE name = ${NAME}`.pipe(Effect.orDie)
    if (row !== undefined && row.holder !== holder && Date.parse(row.expiresAt) > at.getTime()) {
      return { taken: false, heldBy: row.holder, until: row.expiresAt } satisfies LeaseAnswer
    }
    const until = new Date(at.getTime() + ms).toISOString()
    yield* sql`INSERT INTO policy_lease (name, holder, acquired_at, expires_at) VALUES (${NAME}, ${holder}, ${at.toISOString()}, ${until})
               ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`.pipe(Effect.orDie)
    return { taken: true, until } satisfies LeaseAnswer
  }))

/** Extends the holder's lease by `ms` from now; false when it is no longer theirs (it expired and another took it). */
export const renewLease = (holder: string, ms: number) =>
  transaction(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const rows = yield* sql<{ name: string }>`
      UPDATE policy_lease SET expires_at = ${new Date(at.getTime() + ms).toISOString()}
       WHERE name = ${NAME} AND holder = ${holder} RETURNING name`.pipe(Effect.orDie)
    return rows.length > 0
  }))

/** Gives the lease up (when the holder still has it), so the next pass anywhere need not wait for it to expire. */
export const releaseLease = (holder: string) =>
  transaction(Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`DELETE FROM policy_lease WHERE name = ${NAME} AND holder = ${holder}`.pipe(Effect.orDie, Effect.asVoid)))
