import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { actorSubject, Actor, now, parsePermissionsColumn, requireAt } from "../Actor.js"
import { record } from "../Audit.js"
import { gatedRoles } from "../Approvals/Request.js"
import { GrantNeedsApproval, GrantOutsideOrganization, NotAMember } from "../Domain/Errors.js"
import { newId, type GrantId } from "../Domain/Ids.js"
import * as Permissions from "../Domain/Permissions.js"
import * as Scope from "../Domain/Scope.js"
import { touchGroups } from "./groupRows.js"

/** Who a grant is for. */
export type Principal =
  | { readonly type: "user"; readonly id: string; readonly label: string }
  | { readonly type: "group"; readonly id: string; readonly label: string; readonly org: string }

/**
 * A grant stays inside the organization it concerns: a user gets roles at an organization's
 * scopes only as its member, a group only at its own organization's scopes (both may hold
 * provider-wide roles). So leaving an organization takes all access there with it.
 */
const checkGrantFits = (principal: Principal, scope: Scope.Scope) =>
  Effect.gen(function*() {
    const org = Scope.orgSlugOf(scope)
    if (org === undefined) return
    if (principal.type === "group") {
      if (principal.org !== org) return yield* Effect.fail(new GrantOutsideOrganization({ principal: principal.label, scope, org: principal.org }))
      return
    }
    const sql = yield* SqlClient.SqlClient
    const [member] = yield* sql<{ userId: string }>`
      SELECT m.user_id FROM memberships m JOIN organizations o ON o.id = m.org_id
       WHERE m.user_id = ${principal.id} AND o.slug = ${org}`.pipe(Effect.orDie)
    if (member === undefined) return yield* Effect.fail(new NotAMember({ user: principal.label, org }))
  })

/** A role as the grant helpers need it. */
export interface RoleRef {
  readonly id: string
  readonly name: string
  readonly permissions: ReadonlyArray<string>
}

/** The role@scope grants a group carries (what joining it hands out). */
export const groupGrants = (groupId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ role: string; permissions: string; scope: string }>`
      SELECT r.name AS role, r.permissions, g.scope FROM grants g JOIN roles r ON r.id = g.role_id
       WHERE g.principal_type = 'group' AND g.principal_id = ${groupId}`
    return rows.map((r) => ({ role: r.role, permissions: parsePermissionsColumn(r.permissions), scope: r.scope as Scope.Scope }))
  }).pipe(Effect.orDie)

/** Fails unless the actor may hand out all these role@scope grants (DESIGN §2, delegation). */
export const checkDelegation = (
  grants: ReadonlyArray<{ readonly role: string; readonly permissions: ReadonlyArray<string>; readonly scope: Scope.Scope }>
) =>
  Effect.gen(function*() {
    const subject = yield* actorSubject
    return yield* Permissions.checkDelegation(subject, grants, yield* now)
  })

/**
 * Grants a role at a scope to a user or group in the caller's transaction, after the delegation
 * check. Granting what is already held only updates its expiry.
 */
export const insertGrant = (principal: Principal, role: RoleRef, scope: Scope.Scope, expiresAt: string | null) =>
  Effect.gen(function*() {
    yield* checkDelegation([{ role: role.name, permissions: role.permissions, scope }])
    yield* checkGrantFits(principal, scope)
    const sql = yield* SqlClient.SqlClient
    const actor = yield* Actor
    const at = (yield* now).toISOString()
    const [existing] = yield* sql<{ id: GrantId; expiresAt: string | null }>`
      SELECT id, expires_at FROM grants WHERE principal_type = ${principal.type} AND principal_id = ${principal.id}
         AND role_id = ${role.id} AND scope = ${scope}`.pipe(Effect.orDie)
    if (existing !== undefined) {
      if (existing.expiresAt === expiresAt) return { id: existing.id, created: false }
      // the grant as it now stands is the actor's doing (four eyes counts it as theirs)
      yield* sql`UPDATE grants SET expires_at = ${expiresAt}, granted_by = ${actor.id}, granted_at = ${at} WHERE id = ${existing.id}`.pipe(Effect.orDie)
    } else {
      yield* sql`INSERT INTO grants ${
        sql.insert({
          id: newId<GrantId>(),
          principalType: principal.type,
          principalId: principal.id,
          roleId: role.id,
          scope,
          grantedBy: actor.id,
          grantedAt: at,
          expiresAt
        })
      }`.pipe(Effect.orDie)
    }
    const [row] = yield* sql<{ id: GrantId }>`
      SELECT id FROM grants WHERE principal_type = ${principal.type} AND principal_id = ${principal.id}
         AND role_id = ${role.id} AND scope = ${scope}`.pipe(Effect.orDie)
    yield* record({
      action: "role.grant",
      target: principal.type === "user" ? principal.id : null,
      details: { principal: principal.label, principalType: principal.type, role: role.name, scope, expiresAt }
    })
    return { id: row!.id, created: existing === undefined }
  })

/** Adds a member of the group's organization to a group after checking the actor may hand out everything the group carries. */
export const insertGroupMember = (
  group: { readonly id: string; readonly qualified: string; readonly org: { readonly slug: string } },
  user: { readonly id: string; readonly email: string }
) =>
  Effect.gen(function*() {
    yield* requireAt("groups.members.manage", Scope.org(group.org.slug))
    // a group stays inside its organization: only the organization's members may join it
    yield* checkGrantFits({ type: "user", id: user.id, label: user.email }, Scope.org(group.org.slug))
    const carried = yield* groupGrants(group.id)
    yield* checkDelegation(carried)
    // joining is a grant of everything the group carries, so a gated role stays behind its gate
    const gated = yield* gatedRoles
    const admin = carried.find((g) => gated.has(g.role))
    if (admin !== undefined) return yield* Effect.fail(new GrantNeedsApproval({ role: admin.role, scope: admin.scope, group: group.qualified }))
    const sql = yield* SqlClient.SqlClient
    const actor = yield* Actor
    const at = (yield* now).toISOString()
    const [added] = yield* sql<{ userId: string }>`
      INSERT INTO group_members (group_id, user_id, added_at, added_by) VALUES (${group.id}, ${user.id}, ${at}, ${actor.id})
      ON CONFLICT (group_id, user_id) DO NOTHING RETURNING user_id`.pipe(Effect.orDie)
    if (added !== undefined) {
      yield* touchGroups([group.id])
      yield* record({ action: "group.member.add", target: user.id, details: { group: group.qualified, email: user.email } })
    }
    return added !== undefined
  })
