import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now, parsePermissionsColumn, providerAdmins, requireAt, requireReach } from "./Actor.js"
import { record } from "./Audit.js"
import { GrantNotFound, InvalidInput, InvalidName, LastProviderAdmin, RoleExists } from "./Domain/Errors.js"
import { ROLE_NAME, type Role } from "./Domain/Access.js"
import { newId, type RoleId } from "./Domain/Ids.js"
import { parseIsoInstant } from "./Domain/Input.js"
import * as AccessDuration from "./Domain/AccessDuration.js"
import * as Permissions from "./Domain/Permissions.js"
import * as Scope from "./Domain/Scope.js"
import { gatedRoles, requestApproval } from "./Approvals/Request.js"
import { approvalRequested } from "./Domain/Approval.js"
import { checkDelegation, insertGrant, type Principal, type RoleRef } from "./internal/grants.js"
import { findGroup, findRole, findUser, scopeOrDefault } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import type { CreateRoleInput, GrantInput, PrincipalRef, RevokeInput } from "./Domain/Inputs.js"
export type { CreateRoleInput, GrantInput, PrincipalRef, RevokeInput } from "./Domain/Inputs.js"

/** A role with how many grants use it, as `roles list` shows it. */
export interface RoleSummary extends Role {
  readonly grants: number
}

/** Every role, built-in first (needs `roles.read` at provider or the default organization). */
export const listRoles = Effect.gen(function*() {
  yield* requireAt("roles.read", yield* scopeOrDefault(undefined))
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ id: string; name: string; description: string; permissions: string; builtIn: number; grants: number }>`
    SELECT r.id, r.name, r.description, r.permissions, r.built_in, (SELECT COUNT(*) FROM grants g WHERE g.role_id = r.id) AS grants
      FROM roles r ORDER BY r.built_in DESC, r.name`.pipe(Effect.orDie)
  return rows.map((r): RoleSummary => ({ ...r, id: r.id as RoleId, permissions: parsePermissionsColumn(r.permissions), builtIn: r.builtIn === 1, grants: Number(r.grants) }))
})

/** One role with the users and groups holding it. */
export const showRole = (ref: string) =>
  Effect.gen(function*() {
    yield* requireAt("roles.read", yield* scopeOrDefault(undefined))
    const role = yield* findRole(ref)
    const sql = yield* SqlClient.SqlClient
    const holders = yield* sql<{ principalType: "user" | "group"; principal: string; scope: string; expiresAt: string | null }>`
      SELECT g.principal_type, COALESCE(u.email, o.slug || '/' || ug.name, g.principal_id) AS principal, g.scope, g.expires_at
        FROM grants g
        LEFT JOIN users u ON g.principal_type = 'user' AND u.id = g.principal_id
        LEFT JOIN user_groups ug ON g.principal_type = 'group' AND ug.id = g.principal_id
        LEFT JOIN organizations o ON o.id = ug.org_id
       WHERE g.role_id = ${role.id} ORDER BY 1, 2, 3`.pipe(Effect.orDie)
    return { ...role, holders }
  })


/**
 * Creates a custom role from catalog and application permissions (needs `roles.manage` at
 * provider: roles are directory-wide).
 */
export const createRole = (input: CreateRoleInput) =>
  transaction(Effect.gen(function*() {
    yield* requireAt("roles.manage", Scope.provider)
    const name = input.name.trim()
    if (!ROLE_NAME.test(name)) {
      return yield* Effect.fail(new InvalidName({ kind: "role", name: input.name, rule: "a letter, then letters, digits, '-', '_' or '.', at most 64" }))
    }
    if (input.permissions.length === 0) return yield* Effect.fail(new InvalidInput({ field: "permissions", reason: "a role needs at least one permission" }))
    const permissions: Array<string> = []
    for (const text of input.permissions) {
      const p = yield* Permissions.parsePermission(text)
      if (!permissions.includes(p)) permissions.push(p)
    }
    const sql = yield* SqlClient.SqlClient
    const [existing] = yield* sql<{ id: string }>`SELECT id FROM roles WHERE lower(name) = ${name.toLowerCase()}`.pipe(Effect.orDie)
    if (existing !== undefined) return yield* Effect.fail(new RoleExists({ role: name }))
    const id = newId<RoleId>()
    yield* sql`INSERT INTO roles ${
      sql.insert({ id, name, description: input.description?.trim() ?? "", permissions: JSON.stringify(permissions), builtIn: 0, createdAt: (yield* now).toISOString() })
    }`.pipe(Effect.orDie)
    yield* record({ action: "role.create", target: null, details: { role: name, permissions } })
    return yield* findRole(id)
  }))


/** The user or group a reference names. */
export const resolvePrincipal = (ref: PrincipalRef) =>
  "user" in ref
    ? Effect.map(findUser(ref.user), (u): Principal => ({ type: "user", id: u.id, label: u.email }))
    : Effect.map(findGroup(ref.group), (g): Principal => ({ type: "group", id: g.id, label: g.qualified, org: g.org.slug }))


/**
 * Grants a role at a scope to a user or group. Delegation: the actor needs `roles.assign` and
 * every permission of the role at that scope. When configuration gates admin grants, granting
 * provider-admin or org-admin files an approval request instead: the result is `ApprovalRequested`,
 * otherwise `Granted`.
 */
export const grantRole = (input: GrantInput) =>
  Effect.gen(function*() {
    const at = yield* now
    let expiresAt: string | null = null
    if (input.expiresAt !== undefined && input.expiresIn !== undefined) {
      return yield* Effect.fail(new InvalidInput({ field: "duration", reason: "give an expiry or a duration, not both" }))
    }
    if (input.expiresAt !== undefined) {
      const ms = (yield* parseIsoInstant("expires", input.expiresAt)).getTime()
      if (ms <= at.getTime()) return yield* Effect.fail(new InvalidInput({ field: "expires", reason: "must lie in the future" }))
      expiresAt = new Date(ms).toISOString()
    }
    if (input.expiresIn !== undefined) expiresAt = (yield* AccessDuration.expiryAfter("duration", input.expiresIn, at)).toISOString()
    return yield* transaction(Effect.gen(function*() {
      const role = yield* findRole(input.role)
      const scope = yield* scopeOrDefault(input.scope)
      const principal = yield* resolvePrincipal(input.to)
      if ((yield* gatedRoles).has(role.name)) {
        // the requester must be able to grant it themselves; the approver adds the second pair of eyes
        yield* checkDelegation([{ role: role.name, permissions: role.permissions, scope }])
        const duration = input.expiresIn === undefined ? {} : { expiresAt: null, expiresIn: input.expiresIn.trim() }
        return approvalRequested(yield* requestApproval({ _tag: "role.grant", role: role.name, principal, scope, expiresAt, ...duration }, input.reason))
      }
      return { _tag: "Granted" as const, ...yield* grantNow(principal, role, scope, expiresAt) }
    }))
  })

/** Grants in the caller's transaction (after any approval), with the delegation check. */
export const grantNow = (principal: Principal, role: RoleRef, scope: Scope.Scope, expiresAt: string | null) =>
  Effect.map(insertGrant(principal, role, scope, expiresAt), (grant) => ({ ...grant, role: role.name, scope, principal: principal.label, expiresAt }))

/** A grant made (directly, or on an approval's execution). */
export type Granted = { readonly _tag: "Granted" } & Effect.Effect.Success<ReturnType<typeof grantNow>>


/**
 * Revokes a role at a scope. Needs `roles.assign` there; taking away the last active provider
 * admin's `provider-admin` is refused.
 */
export const revokeRole = (input: RevokeInput) =>
  transaction(Effect.gen(function*() {
    const role = yield* findRole(input.role)
    const scope = input.scope === undefined ? yield* scopeOrDefault(undefined) : yield* Scope.parse(input.scope)
    yield* requireAt("roles.assign", scope)
    // revoking needs what granting needs: nobody takes away what they could not hand out
    yield* checkDelegation([{ role: role.name, permissions: role.permissions, scope }])
    const principal = yield* resolvePrincipal(input.from)
    if (principal.type === "user") yield* requireReach(principal.id)
    const sql = yield* SqlClient.SqlClient
    const [removed] = yield* sql<{ id: string }>`
      DELETE FROM grants WHERE principal_type = ${principal.type} AND principal_id = ${principal.id}
         AND role_id = ${role.id} AND scope = ${scope} RETURNING id`.pipe(Effect.orDie)
    if (removed === undefined) return yield* Effect.fail(new GrantNotFound({ role: role.name, principal: principal.label, scope }))
    yield* assertProviderAdminRemains(principal.label)
    yield* record({
      action: "role.revoke",
      target: principal.type === "user" ? principal.id : null,
      details: { principal: principal.label, principalType: principal.type, role: role.name, scope }
    })
    return { role: role.name, scope, principal: principal.label }
  }))

/** Fails (rolling back the caller's transaction) when no active provider admin would remain. */
export const assertProviderAdminRemains = (who: string) =>
  Effect.gen(function*() {
    const admins = yield* providerAdmins
    if (admins.length === 0) return yield* Effect.fail(new LastProviderAdmin({ user: who }))
  })
