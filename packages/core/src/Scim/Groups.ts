/**
 * SCIM 2.0 Groups: the identity provider's groups are usher groups of the API token's
 * organization. Membership changes go through core's group rules (joining a group is a grant of
 * everything it carries: `groups.members.manage`, delegation, gates, reach); each operation is one
 * transaction with its audit rows.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { now, requireAt } from "../Actor.js"
import { record } from "../Audit.js"
import { ConcurrentModification, GroupExists, GroupNotFound } from "../Domain/Errors.js"
import * as Scope from "../Domain/Scope.js"
import { checkGroupName, createGroup, deleteGroup, removeGroupMembers } from "../Groups.js"
import { insertGroupMember } from "../internal/grants.js"
import { findUser } from "../internal/lookup.js"
import { limitOffset } from "../internal/sqlText.js"
import { transaction } from "../internal/tx.js"
import { parseScimFilter, scimFilterToSql, GROUP_ATTRIBUTES } from "./Filter.js"
import { decodeScimGroup, ScimInvalidValue, type ScimGroupFields } from "./Input.js"
import { GROUP_COLUMNS, ScimGroupRow, toScimGroup, type ScimGroup, type ScimMember } from "./Resources.js"
import { applyPatch, checkVersion, pageOf, patchOperations, scimBaseUrl, scimOrganization, type ScimListQuery, type ScimPage } from "./Users.js"

const decodeRow = Schema.decodeUnknownSync(ScimGroupRow)
const fromEither = <A, E>(either: Either.Either<A, E>) => Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

type Org = Effect.Effect.Success<typeof scimOrganization>

const groupRowIn = (org: Org, id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql`SELECT ${sql.literal(GROUP_COLUMNS)} FROM user_groups WHERE user_groups.id = ${id.trim().toLowerCase()} AND user_groups.org_id = ${org.id}`.pipe(Effect.orDie)
    return row === undefined ? yield* Effect.fail(new GroupNotFound({ group: id })) : decodeRow(row)
  })

const membersOf = (groupIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const byGroup = new Map<string, Array<ScimMember>>()
    if (groupIds.length === 0) return byGroup
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ groupId: string; userId: string; email: string }>`
      SELECT m.group_id, u.id AS user_id, u.email FROM group_members m JOIN users u ON u.id = m.user_id
      WHERE ${sql.in("m.group_id", groupIds)} AND u.status <> 'deleted' ORDER BY u.email`.pipe(Effect.orDie)
    for (const row of rows) {
      const list = byGroup.get(row.groupId) ?? []
      list.push({ value: row.userId, display: row.email })
      byGroup.set(row.groupId, list)
    }
    return byGroup
  })

const resourceOf = (row: ScimGroupRow) =>
  Effect.gen(function*() {
    const members = yield* membersOf([row.id])
    return toScimGroup(row, members.get(row.id) ?? [], yield* scimBaseUrl)
  })

const qualified = (org: Org, name: string) => `${org.slug}/${name}`

/** The accounts a member list names, each a user of the organization, or `ScimInvalidValue` naming the first that is not. */
const membersNamed = (org: Org, ids: ReadonlyArray<string>) =>
  Effect.forEach(ids, (id) =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ id: string }>`SELECT user_id AS id FROM memberships WHERE user_id = ${id.toLowerCase()} AND org_id = ${org.id}`.pipe(Effect.orDie)
      if (row === undefined) return yield* Effect.fail(new ScimInvalidValue({ reason: `member ${id.slice(0, 60)} is no user of ${org.slug}` }))
      return yield* findUser(row.id).pipe(Effect.mapError(() => new ScimInvalidValue({ reason: `member ${id.slice(0, 60)} is no user of ${org.slug}` })))
    }))

/** Makes the group's members exactly `wanted`: added through core's join rules, removed with reach. */
const setMembers = (org: Org, row: ScimGroupRow, wanted: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const group = { id: row.id, qualified: qualified(org, row.name), org }
    const current = new Set((yield* sql<{ userId: string }>`SELECT user_id FROM group_members WHERE group_id = ${row.id}`.pipe(Effect.orDie)).map((r) => r.userId))
    const users = yield* membersNamed(org, wanted)
    const keep = new Set<string>(users.map((u) => u.id))
    for (const user of users) if (!current.has(user.id)) yield* insertGroupMember(group, user)
    const leaving = [...current].filter((id) => !keep.has(id))
    // core's removal: its permission, reach on each account, and the last provider admin kept
    if (leaving.length > 0) yield* removeGroupMembers(row.name, leaving, org.slug)
  })

/** Renames the group and keeps the IdP's id, when they changed (needs `groups.manage`). */
const setNames = (org: Org, row: ScimGroupRow, fields: ScimGroupFields) =>
  Effect.gen(function*() {
    if (fields.displayName === row.name && fields.externalId === row.scimExternalId) return
    yield* requireAt("groups.manage", Scope.org(org.slug))
    const sql = yield* SqlClient.SqlClient
    if (fields.displayName !== row.name) {
      yield* checkGroupName(fields.displayName)
      const [taken] = yield* sql<{ id: string }>`SELECT id FROM user_groups WHERE org_id = ${org.id} AND name = ${fields.displayName} AND id <> ${row.id}`.pipe(Effect.orDie)
      if (taken !== undefined) return yield* Effect.fail(new GroupExists({ group: qualified(org, fields.displayName) }))
    }
    const [updated] = yield* sql<{ id: string }>`UPDATE user_groups SET name = ${fields.displayName}, scim_external_id = ${fields.externalId}, version = version + 1, updated_at = ${(yield* now).toISOString()}
      WHERE id = ${row.id} AND version = ${row.version} RETURNING id`.pipe(Effect.orDie)
    if (updated === undefined) return yield* Effect.fail(new ConcurrentModification({ entity: "group", id: row.id }))
    yield* record({
      action: "group.update",
      target: null,
      details: {
        group: qualified(org, fields.displayName),
        ...(fields.displayName === row.name ? {} : { name: { from: row.name, to: fields.displayName } }),
        ...(fields.externalId === row.scimExternalId ? {} : { externalId: { from: row.scimExternalId, to: fields.externalId } })
      }
    })
  })

/** Creates a group of the token's organization with its members (core's `createGroup`, then the join rules for each member). */
export const scimCreateGroup = (resource: unknown) =>
  transaction(Effect.gen(function*() {
    const fields = yield* fromEither(decodeScimGroup(resource))
    const org = yield* scimOrganization
    const created = yield* createGroup({ name: fields.displayName, org: org.slug })
    if (fields.externalId !== null) {
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE user_groups SET scim_external_id = ${fields.externalId} WHERE id = ${created.id}`.pipe(Effect.orDie)
    }
    const row = yield* groupRowIn(org, created.id)
    yield* setMembers(org, row, fields.members)
    return yield* resourceOf(row)
  }))

/** One group of the token's organization (needs `groups.read` there). */
export const scimGetGroup = (id: string) =>
  Effect.gen(function*() {
    const org = yield* scimOrganization
    yield* requireAt("groups.read", Scope.org(org.slug))
    return yield* resourceOf(yield* groupRowIn(org, id))
  })

/** The organization's groups matching a filter, by creation then id, a page at a time (needs `groups.read`). */
export const scimListGroups = (query: ScimListQuery = {}) =>
  Effect.gen(function*() {
    const org = yield* scimOrganization
    yield* requireAt("groups.read", Scope.org(org.slug))
    const sql = yield* SqlClient.SqlClient
    const filter = query.filter === undefined || query.filter.trim() === ""
      ? sql`1 = 1`
      : yield* scimFilterToSql(yield* fromEither(parseScimFilter(query.filter)), GROUP_ATTRIBUTES)
    const { start, count } = pageOf(query)
    const where = sql`user_groups.org_id = ${org.id} AND ${filter}`
    const rows = count === 0 ? [] : (yield* sql`SELECT ${sql.literal(GROUP_COLUMNS)} FROM user_groups WHERE ${where}
      ORDER BY user_groups.created_at, user_groups.id ${limitOffset(sql, count, start - 1)}`.pipe(Effect.orDie)).map((row) => decodeRow(row))
    // a first page that is not full is the whole answer (a `displayName eq` lookup): no count
    const total = start === 1 && rows.length < count
      ? rows.length
      : Number((yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM user_groups WHERE ${where}`.pipe(Effect.orDie))[0]?.n ?? 0)
    const members = yield* membersOf(rows.map((r) => r.id))
    const base = yield* scimBaseUrl
    const resources = rows.map((row) => toScimGroup(row, members.get(row.id) ?? [], base))
    return { totalResults: total, startIndex: start, itemsPerPage: resources.length, Resources: resources } satisfies ScimPage<ScimGroup>
  })

/** Replaces a group (PUT): its name, the IdP's id and exactly the members listed. */
export const scimReplaceGroup = (id: string, resource: unknown, ifMatch?: string) =>
  transaction(Effect.gen(function*() {
    const org = yield* scimOrganization
    const row = yield* groupRowIn(org, id)
    yield* checkVersion("group", row, ifMatch)
    const fields = yield* fromEither(decodeScimGroup(resource))
    yield* setNames(org, row, fields)
    yield* setMembers(org, yield* groupRowIn(org, row.id), fields.members)
    return yield* resourceOf(yield* groupRowIn(org, row.id))
  }))

/**
 * Patches a group (PATCH): Okta's `members[value eq "…"]` removals and full replaces, Entra's
 * capitalised `Add`/`Remove` with value lists, a no-path `replace` of the name; applied to the
 * resource by scim-patch, then made so as a replacement would.
 */
export const scimPatchGroup = (id: string, body: unknown, ifMatch?: string) =>
  transaction(Effect.gen(function*() {
    const ops = yield* patchOperations(body)
    const org = yield* scimOrganization
    const row = yield* groupRowIn(org, id)
    yield* checkVersion("group", row, ifMatch)
    const patched = yield* applyPatch(yield* resourceOf(row), ops)
    const fields = yield* fromEither(decodeScimGroup(patched))
    yield* setNames(org, row, fields)
    yield* setMembers(org, yield* groupRowIn(org, row.id), fields.members)
    return yield* resourceOf(yield* groupRowIn(org, row.id))
  }))

/** Deletes a group (core's `deleteGroup`): its members lose what it carried, their accounts stay. */
export const scimDeleteGroup = (id: string, ifMatch?: string) =>
  transaction(Effect.gen(function*() {
    const org = yield* scimOrganization
    const row = yield* groupRowIn(org, id)
    yield* checkVersion("group", row, ifMatch)
    yield* deleteGroup(row.name, org.slug)
  }))
