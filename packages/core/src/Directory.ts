import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { Actor, loadSubject, now, parsePermissionsColumn, requireReadable } from "./Actor.js"
import { record } from "./Audit.js"
import { AlreadyInitialized, InvalidName } from "./Domain/Errors.js"
import { newId, type OrgId, type UserId } from "./Domain/Ids.js"
import * as Permissions from "./Domain/Permissions.js"
import type { DirectoryGraph } from "./Domain/PermissionIndex.js"
import * as Scope from "./Domain/Scope.js"
import { normalizeProfile } from "./Domain/User.js"
import { findRole, findUser, scopeOrDefault, defaultOrg } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { searchText } from "./Users/UsersRepo.js"
import type { InitInput } from "./Domain/Inputs.js"
export type { InitInput } from "./Domain/Inputs.js"


const slugFromEmail = (email: string): string => {
  const label = (email.split("@")[1] ?? "").split(".")[0] ?? ""
  const slug = label.toLowerCase().replace(/[^a-z0-9-]/g, "").replace(/^-+|-+$/g, "").slice(0, 63)
  return Scope.SLUG.test(slug) ? slug : "main"
}

/**
 * Sets up an empty directory: the first organization and an active provider admin. Runs once;
 * on a directory with users it fails with `AlreadyInitialized`.
 */
export const init = (input: InitInput) =>
  Effect.gen(function*() {
    const at = yield* now
    const profile = yield* Either.match(normalizeProfile({
      email: input.adminEmail,
      firstName: input.firstName ?? "Provider",
      lastName: input.lastName ?? "Admin",
      kind: "member"
    }, at), { onLeft: Effect.fail, onRight: Effect.succeed })
    const slug = (input.org ?? slugFromEmail(profile.email!)).trim().toLowerCase()
    if (!Scope.SLUG.test(slug)) {
      return yield* Effect.fail(new InvalidName({ kind: "organization", name: slug, rule: "lower-case letters, digits and inner dashes, at most 63" }))
    }
    return yield* transaction(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [existing] = yield* sql<{ n: number }>`SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM settings) AS n`.pipe(Effect.orDie)
      if (Number(existing?.n ?? 0) > 0) return yield* Effect.fail(new AlreadyInitialized())
      const created = at.toISOString()
      const orgId = newId<OrgId>()
      const userId = newId<UserId>()
      const orgName = input.orgName?.trim() || slug
      yield* sql`INSERT INTO organizations (id, slug, name, created_at) VALUES (${orgId}, ${slug}, ${orgName}, ${created})`.pipe(Effect.orDie)
      yield* sql`INSERT INTO settings (key, value) VALUES ('default_org', ${orgId})`.pipe(Effect.orDie)
      yield* sql`INSERT INTO users ${
        sql.insert({
          id: userId,
          email: profile.email!,
          firstName: profile.firstName!,
          lastName: profile.lastName!,
          kind: "member",
          status: "active",
          createdAt: created,
          registeredAt: created,
          mustChangePassword: 0,
          search: searchText(profile)
        })
      }`.pipe(Effect.orDie)
      yield* sql`INSERT INTO memberships (user_id, org_id, joined_at) VALUES (${userId}, ${orgId}, ${created})`.pipe(Effect.orDie)
      const admin = yield* findRole("provider-admin")
      yield* sql`INSERT INTO grants ${
        sql.insert({
          id: newId(),
          principalType: "user",
          principalId: userId,
          roleId: admin.id,
          scope: Scope.provider,
          grantedBy: "system",
          grantedAt: created,
          expiresAt: null
        })
      }`.pipe(Effect.orDie)
      yield* record({ action: "directory.init", target: userId, details: { org: slug, orgName, admin: profile.email, role: "provider-admin" } })
      return { org: { id: orgId, slug, name: orgName }, admin: yield* findUser(userId) }
    }))
  })

/** The answer to "does U have P at S, and through what". */
export interface WhyAnswer {
  readonly allowed: boolean
  readonly user: string
  readonly status: string
  readonly permission: string
  readonly scope: string
  readonly paths: ReadonlyArray<{ readonly role: string; readonly scope: string; readonly group: string | null; readonly expiresAt: string | null }>
}

/** Whether a user holds a permission at a scope, and every path that gives it. */
export const why = (userRef: string, permissionText: string, scopeText?: string) =>
  Effect.gen(function*() {
    const permission = yield* Permissions.parsePermission(permissionText)
    const scope = yield* scopeOrDefault(scopeText)
    const user = yield* findUser(userRef)
    yield* requireReadable(user.id)
    const subject = yield* loadSubject(user.id)
    return whyAnswer(user, permission, scope, Permissions.why(subject, permission, scope, yield* now))
  })

/** The answer to "may this user do this here?" from the paths that give it. */
export const whyAnswer = (user: { readonly email: string; readonly status: string }, permission: string, scope: string, paths: ReadonlyArray<Permissions.GrantPath>): WhyAnswer => ({
  allowed: paths.length > 0,
  user: user.email,
  status: user.status,
  permission,
  scope,
  paths: paths.map((p) => ({ role: p.role, scope: p.scope, group: p.group, expiresAt: p.expiresAt }))
})

/** The whole grant graph, for the indexed resolver. */
export const loadDirectoryGraph = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* sql<{ id: string; status: string }>`SELECT id, status FROM users WHERE status <> 'deleted'`
  const roles = yield* sql<{ id: string; name: string; permissions: string }>`SELECT id, name, permissions FROM roles`
  const groups = yield* sql<{ id: string; name: string }>`SELECT ug.id, o.slug || '/' || ug.name AS name FROM user_groups ug JOIN organizations o ON o.id = ug.org_id`
  const members = yield* sql<{ groupId: string; userId: string }>`SELECT group_id, user_id FROM group_members`
  const grants = yield* sql<{ id: string; principalType: "user" | "group"; principalId: string; roleId: string; scope: string; expiresAt: string | null }>`
    SELECT id, principal_type, principal_id, role_id, scope, expires_at FROM grants`
  const byGroup = new Map<string, Array<string>>()
  for (const m of members) {
    const list = byGroup.get(m.groupId)
    if (list === undefined) byGroup.set(m.groupId, [m.userId])
    else list.push(m.userId)
  }
  return {
    users: users.map((u) => ({ id: u.id, active: u.status === "active" })),
    roles: roles.map((r) => ({ id: r.id, name: r.name, permissions: parsePermissionsColumn(r.permissions) })),
    groups: groups.map((g) => ({ id: g.id, name: g.name, members: byGroup.get(g.id) ?? [] })),
    grants: grants.map((g) => ({ id: g.id, principal: { type: g.principalType, id: g.principalId }, roleId: g.roleId, scope: g.scope as Scope.Scope, expiresAt: g.expiresAt }))
  } satisfies DirectoryGraph
}).pipe(Effect.orDie)

/** The default organization, for front-ends that show it. */
export const directoryInfo = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ users: number }>`SELECT COUNT(*) AS users FROM users WHERE status <> 'deleted'`.pipe(Effect.orDie)
  const org = yield* Effect.option(defaultOrg)
  const actor = yield* Actor
  return { users: Number(row?.users ?? 0), defaultOrg: org._tag === "Some" ? org.value.slug : null, actor: actor.id }
})
