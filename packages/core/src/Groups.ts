import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now, requireAt, requireReach } from "./Actor.js"
import { record } from "./Audit.js"
import { GroupExists, InvalidName, NotAMember } from "./Domain/Errors.js"
import type { Group } from "./Domain/Access.js"
import { newId, type GroupId } from "./Domain/Ids.js"
import * as Scope from "./Domain/Scope.js"
import { insertGroupMember } from "./internal/grants.js"
import { touchGroups } from "./internal/groupRows.js"
import { findGroup, findUser, orgOrDefault } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { assertProviderAdminRemains } from "./Roles.js"
import type { CreateGroupInput } from "./Domain/Inputs.js"

/** A group with its member count and the roles it carries, as `groups list` shows it. */
export interface GroupSummary extends Group {
  readonly members: number
  readonly roles: ReadonlyArray<{ readonly role: string; readonly scope: string; readonly expiresAt: string | null }>
}

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/

/** Fails with `InvalidName` unless `name` (already trimmed) is a group's name; `shown` is what the person typed. */
export const checkGroupName = (name: string, shown = name) =>
  GROUP_NAME.test(name)
    ? Effect.void
    : Effect.fail(new InvalidName({ kind: "group", name: shown, rule: "letters, digits, spaces, '-', '_' or '.', at most 64, starting with a letter or digit" }))

/** Groups of an organization, or of every organization where the actor holds `groups.read`. */
export const listGroups = (query: { readonly org?: string } = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const org = query.org === undefined ? undefined : yield* orgOrDefault(query.org)
    if (org !== undefined) yield* requireAt("groups.read", Scope.org(org.slug))
    else yield* requireAt("groups.read", Scope.provider)
    const groups = yield* sql<{ id: string; name: string; org: string; members: number }>`
      SELECT ug.id, ug.name, o.slug AS org, (SELECT COUNT(*) FROM group_members m WHERE m.group_id = ug.id) AS members
        FROM user_groups ug JOIN organizations o ON o.id = ug.org_id
       WHERE ${org === undefined ? sql`1 = 1` : sql`ug.org_id = ${org.id}`}
       ORDER BY o.slug, ug.name`.pipe(Effect.orDie)
    const grants = yield* sql<{ principalId: string; role: string; scope: string; expiresAt: string | null }>`
      SELECT g.principal_id, r.name AS role, g.scope, g.expires_at FROM grants g JOIN roles r ON r.id = g.role_id
       WHERE g.principal_type = 'group' ORDER BY r.name, g.scope`.pipe(Effect.orDie)
    return groups.map((g): GroupSummary => ({
      ...g,
      id: g.id as GroupId,
      members: Number(g.members),
      roles: grants.filter((x) => x.principalId === g.id).map(({ expiresAt, role, scope }) => ({ role, scope, expiresAt }))
    }))
  })

/** A group's members (e-mails), for the detail views. */
export const groupMembers = (ref: string, orgSlug?: string) =>
  Effect.gen(function*() {
    const group = yield* findGroup(ref, orgSlug)
    yield* requireAt("groups.read", Scope.org(group.org.slug))
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: string; email: string }>`
      SELECT u.id, u.email FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ${group.id} ORDER BY u.email`.pipe(Effect.orDie)
    return { group: group.qualified, members: rows }
  })

/** Creates an empty group in an organization (needs `groups.manage` there). */
export const createGroup = (input: CreateGroupInput) =>
  transaction(Effect.gen(function*() {
    const org = yield* orgOrDefault(input.org)
    yield* requireAt("groups.manage", Scope.org(org.slug))
    const name = input.name.trim()
    yield* checkGroupName(name, input.name)
    const sql = yield* SqlClient.SqlClient
    const id = newId<GroupId>()
    const [created] = yield* sql<{ id: string }>`
      INSERT INTO user_groups (id, org_id, name, created_at) VALUES (${id}, ${org.id}, ${name}, ${(yield* now).toISOString()})
      ON CONFLICT (org_id, name) DO NOTHING RETURNING id`.pipe(Effect.orDie)
    if (created === undefined) return yield* Effect.fail(new GroupExists({ group: `${org.slug}/${name}` }))
    yield* record({ action: "group.create", target: null, details: { group: `${org.slug}/${name}` } })
    return { id, name, org: org.slug, members: 0, roles: [] } satisfies GroupSummary
  }))

/** Deletes a group: its members lose what it carried, their accounts stay (needs `groups.manage`). */
export const deleteGroup = (ref: string, orgSlug?: string) =>
  transaction(Effect.gen(function*() {
    const group = yield* findGroup(ref, orgSlug)
    yield* requireAt("groups.manage", Scope.org(group.org.slug))
    const sql = yield* SqlClient.SqlClient
    const [count] = yield* sql<{ members: number }>`SELECT COUNT(*) AS members FROM group_members WHERE group_id = ${group.id}`.pipe(Effect.orDie)
    const members = Number(count?.members ?? 0)
    yield* sql`DELETE FROM grants WHERE principal_type = 'group' AND principal_id = ${group.id}`.pipe(Effect.orDie)
    yield* sql`DELETE FROM user_groups WHERE id = ${group.id}`.pipe(Effect.orDie)
    yield* assertProviderAdminRemains(group.qualified)
    yield* record({ action: "group.delete", target: null, details: { group: group.qualified, members } })
    return { group: group.qualified, members }
  }))

/**
 * Adds users to a group. Adding someone hands out everything the group carries, so the actor
 * needs `groups.members.manage` at the group's organization and every permission of its roles.
 */
export const addGroupMembers = (ref: string, users: ReadonlyArray<string>, orgSlug?: string) =>
  transaction(Effect.gen(function*() {
    const group = yield* findGroup(ref, orgSlug)
    const results: Array<{ user: string; added: boolean }> = []
    for (const userRef of users) {
      const user = yield* findUser(userRef)
      results.push({ user: user.email, added: yield* insertGroupMember(group, user) })
    }
    return { group: group.qualified, results }
  }))

/** Removes users from a group (needs `groups.members.manage`); their accounts stay. */
export const removeGroupMembers = (ref: string, users: ReadonlyArray<string>, orgSlug?: string) =>
  transaction(Effect.gen(function*() {
    const group = yield* findGroup(ref, orgSlug)
    yield* requireAt("groups.members.manage", Scope.org(group.org.slug))
    const sql = yield* SqlClient.SqlClient
    const removed: Array<string> = []
    for (const userRef of users) {
      const user = yield* findUser(userRef)
      yield* requireReach(user.id)
      const [row] = yield* sql<{ userId: string }>`
        DELETE FROM group_members WHERE group_id = ${group.id} AND user_id = ${user.id} RETURNING user_id`.pipe(Effect.orDie)
      if (row === undefined) return yield* Effect.fail(new NotAMember({ user: user.email, org: group.qualified }))
      yield* touchGroups([group.id])
      yield* record({ action: "group.member.remove", target: user.id, details: { group: group.qualified, email: user.email } })
      removed.push(user.email)
    }
    yield* assertProviderAdminRemains(group.qualified)
    return { group: group.qualified, removed }
  }))
