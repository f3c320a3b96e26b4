import { SqlClient } from "@effect/sql"
import { Clock, Effect } from "effect"

/**
 * A group's members are part of the group as an identity provider reads it (SCIM), so a change
 * of its members moves the group's version (its ETag) and modification time, as a rename does.
 * `touchGroups` takes the groups by id; `touchGroupsOf` those a user belongs to (optionally only
 * in one organization), called before the user's memberships go.
 */
export const touchGroups = (ids: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    if (ids.length === 0) return
    const sql = yield* SqlClient.SqlClient
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    for (let i = 0; i < ids.length; i += 500) {
      yield* sql`UPDATE user_groups SET version = version + 1, updated_at = ${at} WHERE ${sql.in("id", ids.slice(i, i + 500))}`
    }
  }).pipe(Effect.orDie)

export const touchGroupsOf = (userId: string, orgId?: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    const theirs = sql`id IN (SELECT group_id FROM group_members WHERE user_id = ${userId})`
    const where = orgId === undefined ? theirs : sql.and([theirs, sql`org_id = ${orgId}`])
    yield* sql`UPDATE user_groups SET version = version + 1, updated_at = ${at} WHERE ${where}`
  }).pipe(Effect.orDie)
