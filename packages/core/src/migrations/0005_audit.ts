import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { scopesFromDetails } from "../Domain/Audit.js"

/**
 * Gives the events written before this migration the scopes they concern, for reading only
 * (`legacy_scopes`, outside the hash they were written with): from their details, else their
 * target's organizations now, else provider, as `Audit.record` decides for new events.
 */
export const backfillLegacyScopes = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ seq: number; target: string | null; details: string }>`
    SELECT seq, target, details FROM audit_events WHERE scopes IS NULL AND legacy_scopes IS NULL`
  if (rows.length === 0) return
  const members = yield* sql<{ userId: string; slug: string }>`
    SELECT m.user_id, o.slug FROM memberships m JOIN organizations o ON o.id = m.org_id ORDER BY o.slug`
  const orgsOf = new Map<string, Array<string>>()
  for (const m of members) orgsOf.set(m.userId, [...(orgsOf.get(m.userId) ?? []), `org:${m.slug}`])
  const bySet = new Map<string, Array<number>>()
  for (const row of rows) {
    const scopes = scopesFromDetails(JSON.parse(row.details)) ?? (row.target === null ? undefined : orgsOf.get(row.target)) ?? ["provider"]
    const key = JSON.stringify(scopes)
    bySet.set(key, [...(bySet.get(key) ?? []), Number(row.seq)])
  }
  // the log refuses updates: the trigger steps aside for this one column and comes back
  yield* sql.onDialectOrElse({
    pg: () => sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`,
    orElse: () => sql`DROP TRIGGER IF EXISTS audit_events_no_update`
  })
  for (const [scopes, seqs] of bySet) {
    for (let i = 0; i < seqs.length; i += 500) {
      yield* sql`UPDATE audit_events SET legacy_scopes = ${scopes} WHERE ${sql.in("seq", seqs.slice(i, i + 500))}`
    }
  }
  yield* sql.onDialectOrElse({
    pg: () => sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`,
    orElse: () => sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END`
  })
})

/**
 * Audit events say which scopes they concern (`scopes`: a JSON array of `provider` and
 * `org:<slug>`, part of the event's hash), so an organization's auditors read only their
 * organization's events. Events written before keep `scopes` NULL and their hashes; they get
 * `legacy_scopes` for reading.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE audit_events ADD COLUMN scopes TEXT`
  yield* sql`ALTER TABLE audit_events ADD COLUMN legacy_scopes TEXT`
  yield* backfillLegacyScopes
})
