import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { pageUrls } from "./CoreConfig.js"
import { Actor, now, readableOrgs, requireAt, requireForAccount, requireReadable } from "./Actor.js"
import { record } from "./Audit.js"
import { gatedRoles } from "./Approvals/Request.js"
import { EmailTaken, GrantNeedsApproval, InvalidInput } from "./Domain/Errors.js"
import { checkKind, isWithin, LIST_LIMIT } from "./Domain/Input.js"
import * as Scope from "./Domain/Scope.js"
import { emailChangedMail } from "./Domain/Mail.js"
import { displayName, normalizeProfile, type Profile, type ProfileInput, type User, type UserStatus } from "./Domain/User.js"
import { insertGrant, insertGroupMember } from "./internal/grants.js"
import { findGroup, findRole, findUser, orgOrDefault, scopeOrDefault, toUser, USER_COLUMNS, type UserRow } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { deliver, enqueue } from "./Mail.js"
import { generateTemporaryPassword, hashPassword } from "./Passwords.js"
import { insertUser, searchText, userDetail, writeUser } from "./Users/UsersRepo.js"
import type { CreateUserInput } from "./Domain/Inputs.js"
import { searchCondition } from "./internal/search.js"
import { limitOffset } from "./internal/sqlText.js"
export type { CreateUserInput } from "./Domain/Inputs.js"

export { changeStatus, reactivateUser, suspendUser, suspendUsers, type BulkOutcome, type Suspended } from "./Users/Lifecycle.js"
export type { UserDetail } from "./Users/UsersRepo.js"


/** Validates a profile input as an Effect. */
export const requireProfile = (input: ProfileInput, at: Date) =>
  Either.match(normalizeProfile(input, at), { onLeft: Effect.fail, onRight: Effect.succeed })

/** Fails with `EmailTaken` when another account uses the e-mail. */
export const assertEmailFree = (email: string, exceptId?: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: string }>`SELECT id FROM users WHERE email = ${email}`.pipe(Effect.orDie)
    if (row !== undefined && row.id !== exceptId) return yield* Effect.fail(new EmailTaken({ email }))
  })

/**
 * Creates a `provisioned` user with a generated temporary password (returned once, stored only
 * as a scrypt hash) and the sign-in page's address, joins it to an organization and grants the requested roles and groups — all
 * in one transaction with its audit rows.
 */
export const createUser = (input: CreateUserInput) =>
  Effect.gen(function*() {
    const at = yield* now
    const profile = yield* requireProfile({ kind: "member", ...input }, at)
    // refuse early, before spending a scrypt hash; checked again inside the transaction
    yield* requireAt("users.create", Scope.org((yield* orgOrDefault(input.org)).slug))
    const temporaryPassword = generateTemporaryPassword()
    const passwordHash = yield* hashPassword(temporaryPassword)
    const user = yield* transaction(Effect.gen(function*() {
      const org = yield* orgOrDefault(input.org)
      yield* requireAt("users.create", Scope.org(org.slug))
      yield* assertEmailFree(profile.email!)
      const created = at.toISOString()
      const id = yield* insertUser({ profile: { ...profile, email: profile.email! }, status: "provisioned", passwordHash, createdAt: created }, org.id)
      yield* record({
        action: "user.create",
        target: id,
        details: { email: profile.email, firstName: profile.firstName, lastName: profile.lastName, org: org.slug, status: "provisioned" }
      })
      yield* grantInitialAccess(
        { id, email: profile.email! },
        org.slug,
        input
      )
      return yield* findUser(id)
    }))
    // where they sign in with it: the page makes them choose their own password first
    return { user, temporaryPassword, signInUrl: (yield* pageUrls).signIn }
  })

/** Grants the roles and groups a new user was created or invited with (same transaction). */
export const grantInitialAccess = (
  user: { readonly id: string; readonly email: string },
  orgSlug: string,
  input: Pick<CreateUserInput, "roles" | "scope" | "groups">
) =>
  Effect.gen(function*() {
    if ((input.roles ?? []).length > 0) {
      const scope = input.scope === undefined ? Scope.org(orgSlug) : yield* scopeOrDefault(input.scope)
      const gated = yield* gatedRoles
      for (const name of input.roles ?? []) {
        const role = yield* findRole(name)
        // no request can be filed for an account that does not exist yet: grant it afterwards
        if (gated.has(role.name)) return yield* Effect.fail(new GrantNeedsApproval({ role: role.name, scope }))
        yield* insertGrant({ type: "user", id: user.id, label: user.email }, role, scope, null)
      }
    }
    for (const name of input.groups ?? []) {
      const group = yield* findGroup(name, orgSlug)
      yield* insertGroupMember(group, user)
    }
  })

/** Filters for `listUsers`. */
export interface UserQuery {
  readonly status?: UserStatus
  /** matched against name, e-mail and phone */
  readonly search?: string
  readonly org?: string
  readonly group?: string
  readonly limit?: number
  readonly offset?: number
  /** only the users after this one in the list's order (keyset paging: the last row of the page before, as `userListKey` gives it) */
  readonly after?: UserListKey
}

/** Where a user stands in `listUsers`' order: last name, first name, e-mail, and the id that breaks any tie. */
export interface UserListKey {
  readonly lastName: string
  readonly firstName: string
  readonly email: string
  readonly id: string
}

/** A listed user's place in `listUsers`' order, for the page after it. */
export const userListKey = (user: Pick<User, "lastName" | "firstName" | "email" | "id">): UserListKey =>
  ({ lastName: user.lastName, firstName: user.firstName, email: user.email, id: user.id })

/** Normalizes a search text: lower-case; a phone-like query keeps only digits and `+`. */
export const normalizeSearch = (text: string): string => {
  const trimmed = text.trim().toLowerCase()
  return /^\+?[\d\s().-]{3,}$/.test(trimmed) ? trimmed.replace(/[^\d+]/g, "") : trimmed
}

/**
 * Lists users the actor may read: everyone with `users.read` at provider, otherwise the members
 * of the organizations where the actor holds `users.read`. Deleted users are not listed.
 */
export const listUsers = (query: UserQuery = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const org = query.org === undefined ? undefined : yield* orgOrDefault(query.org)
    const group = query.group === undefined ? undefined : yield* findGroup(query.group, query.org)
    const visible = yield* readableOrgs
    if (org !== undefined && visible !== "everywhere") yield* requireAt("users.read", Scope.org(org.slug))
    const readableIds = visible === "everywhere" || org !== undefined ? undefined : visible
    if (query.search !== undefined) yield* checkKind("the search", "search", query.search)
    if (query.limit !== undefined && !isWithin(query.limit, LIST_LIMIT)) {
      return yield* Effect.fail(new InvalidInput({ field: "limit", reason: `use a whole number from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}` }))
    }
    const search = query.search === undefined || query.search.trim() === "" ? undefined : normalizeSearch(query.search)
    const after = query.after
    const conditions = [
      sql`status <> 'deleted'`,
      query.status !== undefined ? sql`status = ${query.status}` : undefined,
      search !== undefined ? yield* searchCondition(sql, search) : undefined,
      org !== undefined ? sql`id IN (SELECT user_id FROM memberships WHERE org_id = ${org.id})` : undefined,
      group !== undefined ? sql`id IN (SELECT user_id FROM group_members WHERE group_id = ${group.id})` : undefined,
      readableIds !== undefined ? sql`id IN (SELECT user_id FROM memberships WHERE ${sql.in("org_id", readableIds)})` : undefined,
      // a row value compares as ORDER BY sorts (both engines, the columns' own collation), so pages neither skip nor repeat
      after !== undefined ? sql`(last_name, first_name, email, id) > (${after.lastName}, ${after.firstName}, ${after.email}, ${after.id})` : undefined
    ].filter((c) => c !== undefined)
    const limit = query.limit ?? 1_000_000_000
    const rows = yield* sql<UserRow>`SELECT ${sql.literal(USER_COLUMNS)} FROM users WHERE ${sql.and(conditions)}
      ORDER BY last_name, first_name, email, id ${limitOffset(sql, limit, query.offset ?? 0)}`.pipe(Effect.orDie)
    return rows.map(toUser)
  })

/** Profile, status, organizations, groups and grants of one user (needs `users.read` at one of its organizations). */
export const showUser = (ref: string) =>
  Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireReadable(user.id)
    return yield* userDetail(user)
  })

/** Options of `updateUser`. */
export interface UpdateOptions {
  /** fail with `ConcurrentModification` unless the user is still at this version */
  readonly expectedVersion?: number
}

/**
 * Changes profile fields (and the e-mail). Needs `users.update` at every organization of the
 * user; a stale `expectedVersion` is a `ConcurrentModification`, never a silent overwrite.
 */
export const updateUser = (ref: string, patch: ProfileInput, options: UpdateOptions = {}) =>
  Effect.gen(function*() {
    const at = yield* now
    const profile = yield* requireProfile(patch, at)
    const updated = yield* transaction(Effect.gen(function*() {
      const before = yield* findUser(ref)
      yield* requireForAccount("users.update", before.id)
      if (profile.email !== undefined) yield* assertEmailFree(profile.email, before.id)
      const changes = changedFields(before, profile)
      if (Object.keys(changes).length === 0 && options.expectedVersion === undefined) return { user: before, notice: null }
      const after = { ...before, ...changes }
      yield* writeUser(before, { ...changes, search: searchText(after) }, options.expectedVersion ?? before.version)
      yield* record({
        action: "user.update",
        target: before.id,
        details: Object.fromEntries(Object.keys(changes).map((k) => [k, { from: before[k as keyof User], to: changes[k as keyof Profile] }]))
      })
      // the e-mail is a credential: its old address hears of the change
      const notice = changes.email === undefined || before.email === "" ? null : yield* enqueue({
        kind: "email-change",
        userId: before.id,
        to: before.email,
        ...emailChangedMail({
          changer: yield* actingPerson,
          user: { name: displayName(before) },
          from: before.email,
          to: changes.email!,
          at: at.toISOString()
        })
      })
      return { user: yield* findUser(before.id), notice }
    }))
    if (updated.notice !== null) yield* deliver([updated.notice])
    return updated.user
  })

/** The acting person's name and e-mail for a mail that says who did something (none for `system`). */
const actingPerson = Effect.gen(function*() {
  const actor = yield* Actor
  if (actor.id === "system") return null
  const person = yield* findUser(actor.id).pipe(Effect.orElseSucceed(() => null))
  return person === null ? null : { name: displayName(person), email: person.email }
})

const changedFields = (before: User, profile: Profile): Partial<Profile> =>
  Object.fromEntries(Object.entries(profile).filter(([k, v]) => v !== undefined && before[k as keyof User] !== v))
