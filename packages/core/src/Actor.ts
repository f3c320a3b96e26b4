import { SqlClient } from "@effect/sql"
import { Clock, Context, Effect, Either } from "effect"
import type { Via } from "./Domain/Audit.js"
import { ActorUnknown, PermissionDenied, UserNotFound } from "./Domain/Errors.js"
import type { UserId } from "./Domain/Ids.js"
import * as Permissions from "./Domain/Permissions.js"
import * as Scope from "./Domain/Scope.js"
import { normalizeEmail } from "./Domain/User.js"

/** The API token a program acts through: named on every audit row it writes, its organization limiting what it reaches. */
export interface ActingToken {
  readonly id: string
  readonly name: string
  /** the organization's slug the token is limited to, if any */
  readonly org: string | null
}

/** Who is acting, and through which front-end (and API token, for a program). Every use case requires it. */
export class Actor extends Context.Tag("@usher/core/Actor")<Actor, {
  readonly id: UserId | "system"
  readonly via: Via
  readonly token?: ActingToken
}>() {}

/** The current time from Effect's clock. */
export const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

/**
 * Runs an effect as another actor through the same front-end: the person a sign-in is for (their
 * audit rows name them), or the system acting on the authority of settings an admin made.
 */
export const actingAs = (id: UserId | "system") => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Actor, (actor) => Effect.provideService(effect, Actor, { id, via: actor.via }))

const parsedPermissions = new Map<string, ReadonlyArray<string>>()
/** Role permissions are stored as JSON; equal texts parse once. */
export const parsePermissionsColumn = (json: string): ReadonlyArray<string> => {
  let parsed = parsedPermissions.get(json)
  if (parsed === undefined) {
    parsed = JSON.parse(json) as ReadonlyArray<string>
    parsedPermissions.set(json, parsed)
  }
  return parsed
}

interface PathRow {
  readonly grantId: string
  readonly role: string
  readonly permissions: string
  readonly scope: string
  readonly expiresAt: string | null
  readonly groupName: string | null
}

/**
 * Which grants count when deciding someone else's request (four eyes): only those that existed
 * when it was filed and that its requester did not make, nor reached through a group membership
 * the requester added.
 */
export interface CountingFor {
  readonly requester: string
  readonly filedAt: string
}

/**
 * Loads a user's grant paths and status, fresh from the database (so a revocation counts at
 * once); with `countingFor`, only the paths that count for that request.
 */
export const loadSubject = (userId: string, countingFor?: CountingFor) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [status] = yield* sql<{ status: string }>`SELECT status FROM users WHERE id = ${userId}`
    const direct = countingFor === undefined ? sql`1 = 1` : sql`g.granted_at <= ${countingFor.filedAt} AND g.granted_by <> ${countingFor.requester}`
    const viaGroup = countingFor === undefined
      ? sql`1 = 1`
      : sql`g.granted_at <= ${countingFor.filedAt} AND g.granted_by <> ${countingFor.requester}
            AND m.added_at <= ${countingFor.filedAt} AND COALESCE(m.added_by, '') <> ${countingFor.requester}`
    const rows = yield* sql<PathRow>`
      SELECT g.id AS grant_id, r.name AS role, r.permissions, g.scope, g.expires_at, NULL AS group_name
        FROM grants g JOIN roles r ON r.id = g.role_id
       WHERE g.principal_type = 'user' AND g.principal_id = ${userId} AND ${direct}
      UNION ALL
      SELECT g.id, r.name, r.permissions, g.scope, g.expires_at, o.slug || '/' || ug.name
        FROM group_members m
        JOIN user_groups ug ON ug.id = m.group_id
        JOIN organizations o ON o.id = ug.org_id
        JOIN grants g ON g.principal_type = 'group' AND g.principal_id = m.group_id
        JOIN roles r ON r.id = g.role_id
       WHERE m.user_id = ${userId} AND ${viaGroup}`
    return {
      userId,
      active: status?.status === "active",
      paths: rows.map((row): Permissions.GrantPath => ({
        grantId: row.grantId,
        role: row.role,
        permissions: parsePermissionsColumn(row.permissions),
        scope: row.scope as Scope.Scope,
        expiresAt: row.expiresAt,
        group: row.groupName
      }))
    } satisfies Permissions.Subject
  }).pipe(Effect.orDie)

/** The acting user's subject; the `system` actor holds everything. */
export const actorSubject = Effect.gen(function*() {
  const actor = yield* Actor
  if (actor.id === "system") {
    return {
      userId: "system",
      active: true,
      paths: [{ grantId: "system", role: "system", permissions: [...Permissions.catalog], scope: Scope.provider, expiresAt: null, group: null }]
    } satisfies Permissions.Subject
  }
  return yield* loadSubject(actor.id)
})

/** Fails with `PermissionDenied` unless the actor holds the permission at the scope. */
export const requireAt = (permission: Permissions.CatalogPermission, scope: Scope.Scope) =>
  Effect.gen(function*() {
    const subject = yield* actorSubject
    return yield* Permissions.require(subject, permission, scope, yield* now)
  })

/** The organization scopes a user belongs to (provider when none: only a provider-wide grant covers such a user). */
export const accountScopes = (userId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ slug: string }>`
      SELECT o.slug FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = ${userId} ORDER BY o.slug`
    return rows.length === 0 ? [Scope.provider] : rows.map((r) => Scope.org(r.slug))
  }).pipe(Effect.orDie)

/**
 * Account-level actions (update, suspend, reactivate, delete, reset password, revoke sessions)
 * need the permission at every organization the user belongs to (DESIGN §2).
 */
export const requireForAccount = (permission: Permissions.CatalogPermission, userId: string) =>
  Effect.gen(function*() {
    const subject = yield* actorSubject
    const at = yield* now
    for (const scope of yield* accountScopes(userId)) {
      if (!Permissions.has(subject, permission, scope, at)) {
        return yield* Effect.fail(new PermissionDenied({ permission, scope }))
      }
    }
    yield* reachFrom(subject, userId, at)
  })

/**
 * Fails unless the account is within the actor's reach (`Permissions.withinReach`). Outside it
 * the account answers exactly as a missing one: `UserNotFound` with its e-mail, so nobody learns
 * which stronger accounts exist.
 */
export const requireReach = (userId: string) =>
  Effect.gen(function*() {
    yield* reachFrom(yield* actorSubject, userId, yield* now)
  })

/** `requireReach` for an actor whose subject the caller has loaded already (the system reaches everyone). */
const reachFrom = (subject: Permissions.Subject, userId: string, at: Date) =>
  Effect.gen(function*() {
    if (subject.userId === "system") return
    if (Permissions.withinReach(subject, yield* loadSubject(userId), at)) return
    return yield* Effect.fail(new UserNotFound({ user: yield* emailOf(userId) }))
  })

const emailOf = (userId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ email: string | null }>`SELECT email FROM users WHERE id = ${userId}`
    return row?.email ?? userId
  }).pipe(Effect.orDie)

/**
 * Resolves who acts: the given e-mail, or, when none is given and the directory has exactly one
 * active provider admin, that admin.
 */
export const resolveActorId = (email: string | undefined) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    if (email !== undefined && email.trim() !== "") {
      const normalized = Either.getOrElse(normalizeEmail(email), () => email.trim().toLowerCase())
      const [row] = yield* sql<{ id: UserId; status: string }>`SELECT id, status FROM users WHERE email = ${normalized}`.pipe(Effect.orDie)
      if (row === undefined) return yield* Effect.fail(new ActorUnknown({ reason: `No user ${email} to act as.` }))
      return row.id
    }
    const admins = yield* providerAdmins
    if (admins.length === 1) return admins[0]!
    return yield* Effect.fail(admins.length === 0
      ? new ActorUnknown({ reason: "Nobody to act as: the directory has no provider admin yet, and nobody was named.", unnamed: "no-admin" })
      : new ActorUnknown({ reason: "Several provider admins exist: say who you are.", unnamed: "several-admins" }))
  })

/** Ids of the active users holding `provider-admin` at provider scope, directly or through a group. */
export const providerAdmins = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const at = (yield* now).toISOString()
  // from the few provider-admin grants to their users (CROSS JOIN keeps that order), not from
  // every active user to its grants: 100k users, 70 ms → under 1 ms
  const rows = yield* sql<{ id: UserId }>`
    SELECT DISTINCT u.id FROM (
      SELECT CASE WHEN g.principal_type = 'user' THEN g.principal_id ELSE m.user_id END AS user_id
        FROM grants g JOIN roles r ON r.id = g.role_id
        LEFT JOIN group_members m ON g.principal_type = 'group' AND m.group_id = g.principal_id
       WHERE r.name = 'provider-admin' AND g.scope = 'provider'
         AND (g.expires_at IS NULL OR g.expires_at > ${at})) a
     CROSS JOIN users u
     WHERE u.id = a.user_id AND u.status = 'active'
     ORDER BY u.id`
  return rows.map((r) => r.id)
}).pipe(Effect.orDie)

/** Fails unless the actor holds the permission (default `users.read`) at provider or at some organization of the user. */
export const requireReadable = (userId: string, permission: Permissions.CatalogPermission = "users.read") =>
  Effect.gen(function*() {
    const subject = yield* actorSubject
    const at = yield* now
    const scopes = [Scope.provider, ...(yield* accountScopes(userId))]
    // an account the actor may not read answers as a missing one (no enumeration of e-mails)
    if (!scopes.some((s) => Permissions.has(subject, permission, s, at))) {
      return yield* Effect.fail(new UserNotFound({ user: yield* emailOf(userId) }))
    }
  })

/**
 * The organizations whose members the actor may read (`users.read`, or another permission such
 * as `audit.read`): `everywhere` with the permission at provider, otherwise the ids of the
 * organizations where the actor holds it (none: denied).
 */
export const readableOrgsFor = (permission: Permissions.CatalogPermission) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const subject = yield* actorSubject
    const at = yield* now
    if (Permissions.has(subject, permission, Scope.provider, at)) return "everywhere" as const
    const orgs = yield* sql<{ id: string; slug: string }>`SELECT id, slug FROM organizations`.pipe(Effect.orDie)
    const readable = orgs.filter((o) => Permissions.has(subject, permission, Scope.org(o.slug), at)).map((o) => o.id)
    if (readable.length === 0) {
      const [fallback] = yield* sql<{ slug: string }>`
        SELECT o.slug FROM settings s JOIN organizations o ON o.id = s.value WHERE s.key = 'default_org'`.pipe(Effect.orDie)
      return yield* Effect.fail(new PermissionDenied({ permission, scope: fallback === undefined ? Scope.provider : Scope.org(fallback.slug) }))
    }
    return readable
  })

/** The organizations whose members the actor may read (`users.read`); see `readableOrgsFor`. */
export const readableOrgs = readableOrgsFor("users.read")
