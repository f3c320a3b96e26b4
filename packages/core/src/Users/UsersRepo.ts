import { SqlClient } from "@effect/sql"
import { Clock, Effect } from "effect"
import { ConcurrentModification } from "../Domain/Errors.js"
import { newId, type UserId } from "../Domain/Ids.js"
import type { Profile, User, UserStatus } from "../Domain/User.js"

/** The lower-case text `listUsers --search` matches: name, e-mail, phone digits. */
export const searchText = (user: { readonly firstName?: string | undefined; readonly lastName?: string | undefined; readonly email?: string | undefined; readonly phone?: string | null | undefined }): string =>
  [user.firstName, user.lastName, user.email, user.phone].filter((v) => v != null && v !== "").join(" ").toLowerCase()

/** Column values a user update may write. */
export type UserColumns = Partial<{
  email: string | null
  firstName: string
  lastName: string
  phone: string | null
  gender: string | null
  birthday: string | null
  orgUnit: string | null
  position: string | null
  kind: string
  status: string
  registeredAt: string | null
  lastActiveAt: string | null
  deletedAt: string | null
  passwordHash: string | null
  mustChangePassword: number
  search: string
  failedSignIns: number
  lockedAt: string | null
  lockedUntil: string | null
  locks: number
  passwordChangedAt: string | null
  scimUserName: string | null
  scimExternalId: string | null
}>

/**
 * Writes a user row only if it is still at `expectedVersion`, bumping the version and its
 * modification time (`updated_at`); otherwise fails with `ConcurrentModification` and writes nothing.
 */
export const writeUser = (user: Pick<User, "id">, columns: UserColumns, expectedVersion: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const updatedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const set = sql`${sql.update({ ...columns, updatedAt })}, version = version + 1`
    const rows = yield* sql<{ version: number }>`UPDATE users SET ${set} WHERE id = ${user.id} AND version = ${expectedVersion} RETURNING version`.pipe(Effect.orDie)
    if (rows.length === 0) return yield* Effect.fail(new ConcurrentModification({ entity: "user", id: user.id }))
    return Number(rows[0]!.version)
  })

/** A user with its organizations, groups and grants, as `users show` prints it. */
export interface UserDetail {
  readonly user: User
  readonly organizations: ReadonlyArray<{ readonly slug: string; readonly name: string; readonly joinedAt: string }>
  readonly groups: ReadonlyArray<{ readonly name: string; readonly org: string; readonly addedAt: string }>
  readonly grants: ReadonlyArray<{
    readonly id: string
    readonly role: string
    readonly scope: string
    readonly expiresAt: string | null
    readonly grantedBy: string
    readonly grantedAt: string
    /** the group the grant comes through, when it is not direct */
    readonly group: string | null
  }>
}

/** Reads the organizations, groups and grants of a user. */
export const userDetail = (user: User) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const organizations = yield* sql<UserDetail["organizations"][number]>`
      SELECT o.slug, o.name, m.joined_at FROM memberships m JOIN organizations o ON o.id = m.org_id
       WHERE m.user_id = ${user.id} ORDER BY o.slug`
    const groups = yield* sql<UserDetail["groups"][number]>`
      SELECT ug.name, o.slug AS org, m.added_at FROM group_members m
        JOIN user_groups ug ON ug.id = m.group_id JOIN organizations o ON o.id = ug.org_id
       WHERE m.user_id = ${user.id} ORDER BY o.slug, ug.name`
    const grants = yield* sql<UserDetail["grants"][number]>`
      SELECT g.id, r.name AS role, g.scope, g.expires_at, g.granted_by, g.granted_at, NULL AS "group"
        FROM grants g JOIN roles r ON r.id = g.role_id
       WHERE g.principal_type = 'user' AND g.principal_id = ${user.id}
      UNION ALL
      SELECT g.id, r.name, g.scope, g.expires_at, g.granted_by, g.granted_at, o.slug || '/' || ug.name
        FROM group_members m JOIN user_groups ug ON ug.id = m.group_id JOIN organizations o ON o.id = ug.org_id
        JOIN grants g ON g.principal_type = 'group' AND g.principal_id = ug.id JOIN roles r ON r.id = g.role_id
       WHERE m.user_id = ${user.id}
       ORDER BY 2, 3`
    return { user, organizations, groups, grants } satisfies UserDetail
  }).pipe(Effect.orDie)

/** A new account's row: its validated profile (e-mail and names required) and how it starts. */
export interface NewUser {
  readonly profile: Profile & { readonly email: string }
  readonly status: Extract<UserStatus, "invited" | "provisioned">
  readonly passwordHash: string | null
  readonly createdAt: string
}

/** The users row of a new account, ready for `sql.insert` (one or many). */
export const newUserRow = (input: NewUser) => {
  const p = input.profile
  return {
    id: newId<UserId>(),
    email: p.email,
    firstName: p.firstName ?? "",
    lastName: p.lastName ?? "",
    phone: p.phone ?? null,
    gender: p.gender ?? null,
    birthday: p.birthday ?? null,
    orgUnit: p.orgUnit ?? null,
    position: p.position ?? null,
    kind: p.kind ?? "member",
    status: input.status,
    createdAt: input.createdAt,
    passwordHash: input.passwordHash,
    mustChangePassword: input.status === "provisioned" ? 1 : 0,
    search: searchText({ ...p, firstName: p.firstName ?? "", lastName: p.lastName ?? "" })
  }
}

/** Inserts a new account and its membership of an organization in the caller's transaction. */
export const insertUser = (input: NewUser, orgId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const row = newUserRow(input)
    yield* sql`INSERT INTO users ${sql.insert(row)}`
    yield* sql`INSERT INTO memberships (user_id, org_id, joined_at) VALUES (${row.id}, ${orgId}, ${input.createdAt})`
    return row.id
  }).pipe(Effect.orDie)
