import { Either, Schema } from "effect"
import * as Scope from "./Scope.js"
import type { HttpStatus } from "./HttpStatus.js"

/** The permissions usher itself checks (DESIGN §2). */
export const catalog = [
  "users.read",
  "users.invite",
  "users.create",
  "users.update",
  "users.suspend",
  "users.reactivate",
  "users.delete",
  "users.sessions.revoke",
  "users.password.reset",
  "roles.read",
  "roles.manage",
  "roles.assign",
  "groups.read",
  "groups.manage",
  "groups.members.manage",
  "orgs.manage",
  "orgs.members.manage",
  "apps.manage",
  "approvals.decide",
  "audit.read",
  "import.run",
  "settings.manage"
] as const
export type CatalogPermission = typeof catalog[number]

const catalogSet: ReadonlySet<string> = new Set(catalog)

/** Whether a name is one of usher's own permissions. */
export const isCatalog = (name: string): name is CatalogPermission => catalogSet.has(name)

const APP_PERMISSION = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/

/** The namespaces the catalog lives in: a name inside one is usher's own, never an application's. */
export const catalogNamespaces: ReadonlyArray<string> = [...new Set(catalog.map((p) => p.slice(0, p.indexOf("."))))]

/**
 * A permission a role may carry: a catalog one, or a dotted lower-case application permission
 * outside the catalog's namespaces (`users.raed` is a typo of a catalog permission, refused with
 * the namespace named, never an application permission nobody could ever remove).
 */
export const parsePermission = (text: string): Either.Either<string, InvalidPermission> => {
  const name = text.trim()
  if (name.length > 100 || !(isCatalog(name) || APP_PERMISSION.test(name))) {
    return Either.left(new InvalidPermission({ permission: text }))
  }
  const namespace = name.slice(0, name.indexOf("."))
  return isCatalog(name) || !catalogNamespaces.includes(namespace)
    ? Either.right(name)
    : Either.left(new InvalidPermission({ permission: name, namespace }))
}

/** A role as the resolver needs it. */
export interface RoleDef {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly permissions: ReadonlyArray<string>
  readonly builtIn: boolean
}

const without = (...drop: ReadonlyArray<string>) => catalog.filter((p) => !drop.includes(p))

/** The roles every directory has (DESIGN §2). */
export const builtInRoles: ReadonlyArray<Omit<RoleDef, "id">> = [
  { name: "provider-admin", description: "Everything, everywhere.", permissions: [...catalog], builtIn: true },
  { name: "org-admin", description: "Runs an organization: all but managing organizations and directory settings.", permissions: without("orgs.manage", "settings.manage"), builtIn: true },
  {
    name: "user-manager",
    description: "Manages users and their group memberships and roles.",
    permissions: [
      "users.read", "users.invite", "users.create", "users.update", "users.suspend", "users.reactivate",
      "users.delete", "users.sessions.revoke", "users.password.reset",
      "groups.read", "groups.members.manage", "roles.read", "roles.assign", "audit.read", "import.run"
    ],
    builtIn: true
  },
  { name: "approver", description: "Decides approval requests (four-eyes).", permissions: ["approvals.decide", "users.read", "audit.read"], builtIn: true },
  { name: "auditor", description: "Reads users, roles, groups and the audit log.", permissions: ["users.read", "roles.read", "groups.read", "audit.read"], builtIn: true }
]

/** One way a user holds a role: directly, or through a group. */
export interface GrantPath {
  readonly grantId: string
  readonly role: string
  readonly permissions: ReadonlyArray<string>
  readonly scope: Scope.Scope
  readonly expiresAt: string | null
  readonly group: string | null
}

/** What the resolver needs to know about one user. */
export interface Subject {
  readonly userId: string
  readonly active: boolean
  readonly paths: ReadonlyArray<GrantPath>
}

/** Each permission the user holds at a scope, with every path that gives it. */
export type EffectivePermissions = ReadonlyMap<string, ReadonlyArray<GrantPath>>

const live = (path: GrantPath, now: Date): boolean =>
  path.expiresAt === null || Date.parse(path.expiresAt) > now.getTime()

/** Effective permissions of a subject at a scope, with provenance; empty unless active. */
export const effective = (subject: Subject, scope: Scope.Scope, now: Date): EffectivePermissions => {
  const out = new Map<string, Array<GrantPath>>()
  if (!subject.active) return out
  for (const path of subject.paths) {
    if (!live(path, now) || !Scope.contains(path.scope, scope)) continue
    for (const permission of path.permissions) {
      const list = out.get(permission)
      if (list === undefined) out.set(permission, [path])
      else list.push(path)
    }
  }
  return out
}

/** The paths giving a permission at a scope (empty when it is not held). */
export const why = (subject: Subject, permission: string, scope: Scope.Scope, now: Date): ReadonlyArray<GrantPath> =>
  effective(subject, scope, now).get(permission) ?? []

/** Whether a subject holds a permission at a scope. */
export const has = (subject: Subject, permission: string, scope: Scope.Scope, now: Date): boolean =>
  subject.active && subject.paths.some((path) =>
    live(path, now) && Scope.contains(path.scope, scope) && path.permissions.includes(permission)
  )

/** Fails with `PermissionDenied` unless the subject holds the permission at the scope. */
export const require = (
  subject: Subject,
  permission: CatalogPermission,
  scope: Scope.Scope,
  now: Date
): Either.Either<void, PermissionDenied> =>
  has(subject, permission, scope, now)
    ? Either.void
    : Either.left(new PermissionDenied({ permission, scope }))

/**
 * Delegation: an actor may hand out a set of roles at a scope only with `roles.assign` there and
 * every permission the roles carry (DESIGN §2, "no escalation"). Application permissions (outside
 * the catalog) are usher's to hand out, not to check: whoever holds `roles.manage` at a scope — and
 * so could define a role carrying them — may hand them out there too.
 */
export const checkDelegation = (
  actor: Subject,
  grants: ReadonlyArray<{ readonly role: string; readonly permissions: ReadonlyArray<string>; readonly scope: Scope.Scope }>,
  now: Date
): Either.Either<void, PermissionDenied | EscalationDenied> => {
  for (const grant of grants) {
    if (!has(actor, "roles.assign", grant.scope, now)) {
      return Either.left(new PermissionDenied({ permission: "roles.assign", scope: grant.scope }))
    }
    const held = effective(actor, grant.scope, now)
    const mayDefine = held.has("roles.manage")
    const missing = grant.permissions.filter((p) => !held.has(p) && !(mayDefine && !isCatalog(p)))
    if (missing.length > 0) {
      return Either.left(new EscalationDenied({ role: grant.role, scope: grant.scope, missing }))
    }
  }
  return Either.void
}

/**
 * Reach (DESIGN §2): the actor may act on the target only if, at every scope where the target
 * holds permissions (counted as if the account were active, so an invitation's roles count),
 * the target's permissions there are a subset of the actor's. Everyone reaches their own account.
 */
export const withinReach = (actor: Subject, target: Subject, now: Date): boolean => {
  if (actor.userId === target.userId) return true
  const asActive: Subject = { ...target, active: true }
  for (const path of target.paths) {
    if (!live(path, now)) continue
    const held = effective(actor, path.scope, now)
    // as in delegation: application permissions count as held where the actor may define roles
    const mayDefine = held.has("roles.manage")
    for (const permission of effective(asActive, path.scope, now).keys()) {
      if (!held.has(permission) && !(mayDefine && !isCatalog(permission))) return false
    }
  }
  return true
}

/** The actor lacks a permission at a scope. */
export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", {
  permission: Schema.String,
  scope: Schema.String
}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `Permission denied: you need ${this.permission} at ${this.scope}.`
  }
}

/** The actor tried to hand out permissions they do not hold themselves. */
export class EscalationDenied extends Schema.TaggedError<EscalationDenied>()("EscalationDenied", {
  role: Schema.String,
  scope: Schema.String,
  missing: Schema.Array(Schema.String)
}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `You cannot grant ${this.role} at ${this.scope}: it carries ${this.missing.join(", ")}, which you do not hold there.`
  }
}

/** Not a permission name (catalog, or dotted lower-case application permission). */
export class InvalidPermission extends Schema.TaggedError<InvalidPermission>()("InvalidPermission", {
  permission: Schema.String,
  /** set when the name lies in a catalog namespace (`users.` …) but is not in the catalog: a typo, never an application permission */
  namespace: Schema.optional(Schema.String)
}) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return this.namespace === undefined
      ? `"${this.permission}" is not a permission; use a catalog permission or a dotted lower-case name such as expenses.approve.`
      : `Unknown permission ${this.permission}: names under ${this.namespace}. are usher's own, and this one is not in its catalog (the provider-admin role carries all of it); application permissions take a namespace of their own, such as expenses.approve.`
  }
}
