import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import {
  GroupNotFound, NotInitialized, OrgNotFound, RoleNotFound, ScopeNotFound, UserNotFound
} from "../Domain/Errors.js"
import { looksLikeId, type GroupId, type OrgId, type RoleId, type UserId } from "../Domain/Ids.js"
import * as Scope from "../Domain/Scope.js"
import type { User } from "../Domain/User.js"
import { normalizeEmail } from "../Domain/User.js"
import { parsePermissionsColumn } from "../Actor.js"

/** A users row as stored. */
export interface UserRow {
  readonly id: UserId
  readonly email: string | null
  readonly firstName: string
  readonly lastName: string
  readonly phone: string | null
  readonly gender: string | null
  readonly birthday: string | null
  readonly orgUnit: string | null
  readonly position: string | null
  readonly kind: User["kind"]
  readonly status: User["status"]
  readonly createdAt: string
  readonly registeredAt: string | null
  readonly lastActiveAt: string | null
  readonly mustChangePassword: number
  readonly lockedAt: string | null
  readonly lockedUntil: string | null
  readonly version: number
}

/** The columns of a user that may leave core (never the password hash). */
export const USER_COLUMNS = `id, email, first_name, last_name, phone, gender, birthday, org_unit, position, kind, status,
  created_at, registered_at, last_active_at, must_change_password, locked_at, locked_until, version`

/** A stored row as the domain's User. */
export const toUser = (row: UserRow): User => ({
  ...row,
  email: row.email ?? "",
  mustChangePassword: row.mustChangePassword === 1,
  version: Number(row.version)
})

/** A user by e-mail or id; deleted users are not found. */
export const findUser = (ref: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const trimmed = ref.trim()
    const rows = looksLikeId(trimmed)
      ? yield* sql<UserRow>`SELECT ${sql.literal(USER_COLUMNS)} FROM users WHERE id = ${trimmed.toLowerCase()} AND status <> 'deleted'`
      : yield* sql<UserRow>`SELECT ${sql.literal(USER_COLUMNS)} FROM users WHERE email = ${
        Either.getOrElse(normalizeEmail(trimmed), () => trimmed.toLowerCase())
      }`
    const row = rows[0]
    return row === undefined ? yield* Effect.fail(new UserNotFound({ user: ref })) : toUser(row)
  }).pipe(Effect.catchTag("SqlError", Effect.die))

/** An organization by slug. */
export const findOrg = (slug: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: OrgId; slug: string; name: string }>`SELECT id, slug, name FROM organizations WHERE slug = ${slug.trim().toLowerCase()}`
    return row === undefined ? yield* Effect.fail(new OrgNotFound({ org: slug })) : row
  }).pipe(Effect.catchTag("SqlError", Effect.die))

/** The default organization (the one `init` created, or set later). */
export const defaultOrg = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ id: OrgId; slug: string; name: string }>`
    SELECT o.id, o.slug, o.name FROM settings s JOIN organizations o ON o.id = s.value WHERE s.key = 'default_org'`
  return row === undefined ? yield* Effect.fail(new NotInitialized()) : row
}).pipe(Effect.catchTag("SqlError", Effect.die))

/** The organization named by `slug`, or the default one. */
export const orgOrDefault = (slug: string | undefined) => slug === undefined ? defaultOrg : findOrg(slug)

/** A role by name or id. */
export const findRole = (ref: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: RoleId; name: string; description: string; permissions: string; builtIn: number; version: number }>`
      SELECT id, name, description, permissions, built_in, version FROM roles WHERE name = ${ref.trim()} OR id = ${ref.trim()}`
    return row === undefined
      ? yield* Effect.fail(new RoleNotFound({ role: ref }))
      : { id: row.id, name: row.name, description: row.description, permissions: parsePermissionsColumn(row.permissions), builtIn: row.builtIn === 1, version: Number(row.version) }
  }).pipe(Effect.catchTag("SqlError", Effect.die))

/**
 * A group by `NAME` (in the given or default organization) or `ORG/NAME`.
 */
export const findGroup = (ref: string, orgSlug?: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const slash = ref.indexOf("/")
    const org = slash > 0 ? yield* findOrg(ref.slice(0, slash)).pipe(Effect.mapError(() => new GroupNotFound({ group: ref })))
      : yield* orgOrDefault(orgSlug)
    const name = slash > 0 ? ref.slice(slash + 1) : ref
    const [row] = yield* sql<{ id: GroupId; name: string; version: number }>`
      SELECT id, name, version FROM user_groups WHERE org_id = ${org.id} AND name = ${name.trim()}`
    return row === undefined
      ? yield* Effect.fail(new GroupNotFound({ group: ref }))
      : { id: row.id, name: row.name, org, qualified: `${org.slug}/${row.name}`, version: Number(row.version) }
  }).pipe(Effect.catchTag("SqlError", Effect.die))

/** Parses a scope and checks that its organization and app exist. */
export const resolveScope = (text: string) =>
  Effect.gen(function*() {
    const scope = yield* Scope.parse(text)
    const sql = yield* SqlClient.SqlClient
    const orgSlug = Scope.orgSlugOf(scope)
    if (orgSlug === undefined) return scope
    const [org] = yield* sql<{ id: string }>`SELECT id FROM organizations WHERE slug = ${orgSlug}`
    if (org === undefined) return yield* Effect.fail(new ScopeNotFound({ scope }))
    const appSlug = Scope.appSlugOf(scope)
    if (appSlug !== undefined) {
      const [app] = yield* sql<{ id: string }>`SELECT id FROM apps WHERE org_id = ${org.id} AND slug = ${appSlug}`
      if (app === undefined) return yield* Effect.fail(new ScopeNotFound({ scope }))
    }
    return scope
  }).pipe(Effect.catchTag("SqlError", Effect.die))

/** The scope named by `text`, or the default organization's. */
export const scopeOrDefault = (text: string | undefined) =>
  text === undefined ? Effect.map(defaultOrg, (o) => Scope.org(o.slug)) : resolveScope(text)
