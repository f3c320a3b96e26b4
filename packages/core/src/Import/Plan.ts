/**
 * What an import does with each row, decided from plain data: the directory's roles, groups and
 * scopes, the accounts the rows name, and the actor's grants. Pure, so the dry run and the real
 * run decide alike, and with the same rules as the single-user use cases (DESIGN §2: where an
 * action is checked, delegation, a grant stays inside its organization).
 */
import { Either } from "effect"
import {
  type EscalationDenied, GroupNotFound, InvalidProfile, NotAMember, OrgNotFound, PermissionDenied, RoleNotFound, ScopeNotFound, UserNotFound
} from "../Domain/Errors.js"
import * as Permissions from "../Domain/Permissions.js"
import * as Scope from "../Domain/Scope.js"
import type { Profile, User } from "../Domain/User.js"
import { GrantNeedsApproval } from "../Domain/Errors.js"
import type { GroupItem, ImportRow, RoleItem } from "./Rows.js"

/** How new accounts start: invited (an invitation mail) or provisioned (a "choose your password" mail). */
export type ImportMode = "invite" | "create"

/** An organization as the planner needs it. */
export interface OrgRef {
  readonly id: string
  readonly slug: string
  readonly name: string
}

/** A role as the planner needs it. */
export interface RoleRef {
  readonly id: string
  readonly name: string
  readonly permissions: ReadonlyArray<string>
}

/** A group with the grants it carries (what joining it hands out). */
export interface GroupRef {
  readonly id: string
  readonly org: string
  readonly qualified: string
  readonly grants: ReadonlyArray<{ readonly role: string; readonly permissions: ReadonlyArray<string>; readonly scope: Scope.Scope }>
}

/** The directory's organizations, apps, roles and groups. */
export interface Catalog {
  readonly orgs: ReadonlyMap<string, OrgRef>
  /** `org/app` */
  readonly apps: ReadonlySet<string>
  readonly roles: ReadonlyMap<string, RoleRef>
  /** by `org/name` */
  readonly groups: ReadonlyMap<string, GroupRef>
}

/** An account a row names, with what it holds already. */
export interface Existing {
  readonly user: User
  /** slugs of its organizations */
  readonly orgs: ReadonlyArray<string>
  /** its direct grants, as `grantKey(roleId, scope)` */
  readonly grants: ReadonlySet<string>
  /** ids of its groups */
  readonly groups: ReadonlySet<string>
  /** everything it holds, directly and through groups (for the reach rule) */
  readonly paths: ReadonlyArray<Permissions.GrantPath>
}

/** The key of a direct grant in `Existing.grants`. */
export const grantKey = (roleId: string, scope: string) => `${roleId} ${scope}`

/** Everything the planner decides with. */
export interface PlanContext {
  readonly mode: ImportMode
  readonly org: OrgRef
  readonly actor: Permissions.Subject
  readonly now: Date
  readonly catalog: Catalog
  /** roles whose grants configuration puts behind approval (empty when not gated) */
  readonly gatedRoles: ReadonlySet<string>
}

/** A role to grant at a scope. */
export interface PlannedGrant {
  readonly role: RoleRef
  readonly scope: Scope.Scope
}

/** Why a row cannot be applied. */
export type PlanError =
  | RoleNotFound | GroupNotFound | ScopeNotFound | OrgNotFound | PermissionDenied | EscalationDenied | NotAMember | GrantNeedsApproval | InvalidProfile | UserNotFound

/**
 * What happens to one row. A new account is made in its `home` organization (the import's,
 * unless the row's orgs leave it out: then the first it names) and joins the others (`joins`).
 */
export type RowPlan =
  | {
    readonly kind: "create"
    readonly row: ImportRow
    readonly home: OrgRef
    readonly joins: ReadonlyArray<OrgRef>
    readonly grants: ReadonlyArray<PlannedGrant>
    readonly groups: ReadonlyArray<GroupRef>
  }
  | {
    readonly kind: "update"
    readonly row: ImportRow
    readonly existing: Existing
    readonly changes: Partial<Profile>
    readonly joins: ReadonlyArray<OrgRef>
    readonly grants: ReadonlyArray<PlannedGrant>
    readonly groups: ReadonlyArray<GroupRef>
  }
  | { readonly kind: "skip"; readonly row: ImportRow; readonly existing: Existing }
  | { readonly kind: "fail"; readonly row: ImportRow; readonly error: PlanError }

const resolveRole = (item: RoleItem, ctx: PlanContext): Either.Either<PlannedGrant, RoleNotFound | ScopeNotFound> => {
  const role = ctx.catalog.roles.get(item.role)
  if (role === undefined) return Either.left(new RoleNotFound({ role: item.role }))
  const scope = item.scope ?? Scope.org(ctx.org.slug)
  const org = Scope.orgSlugOf(scope)
  const app = Scope.appSlugOf(scope)
  if (org !== undefined && (!ctx.catalog.orgs.has(org) || (app !== undefined && !ctx.catalog.apps.has(`${org}/${app}`)))) {
    return Either.left(new ScopeNotFound({ scope }))
  }
  return Either.right({ role, scope })
}

const resolveGroup = (item: GroupItem, ctx: PlanContext): Either.Either<GroupRef, GroupNotFound> => {
  const group = ctx.catalog.groups.get(`${item.org ?? ctx.org.slug}/${item.name}`)
  return group === undefined ? Either.left(new GroupNotFound({ group: item.org === undefined ? item.name : `${item.org}/${item.name}` })) : Either.right(group)
}

const changedFields = (user: User, profile: Profile): Partial<Profile> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(profile)) {
    if (value !== undefined && user[key as keyof User] !== value) out[key] = value
  }
  return out as Partial<Profile>
}

const unique = <A>(list: ReadonlyArray<A>, key: (a: A) => string): ReadonlyArray<A> => {
  const seen = new Set<string>()
  return list.filter((a) => (seen.has(key(a)) ? false : (seen.add(key(a)), true)))
}

const leftOf = <E>(result: Either.Either<void, E>): E | undefined => (Either.isLeft(result) ? result.left : undefined)

/** The first rule a row breaks, if any: required names, where grants may go, approval gates, then the actor's permissions. */
const refusal = (
  row: ImportRow,
  existing: Existing | undefined,
  ctx: PlanContext,
  change: { readonly home: OrgRef; readonly joins: ReadonlyArray<OrgRef>; readonly grants: ReadonlyArray<PlannedGrant>; readonly groups: ReadonlyArray<GroupRef>; readonly fields: number }
): PlanError | undefined => {
  if (existing === undefined && ctx.mode === "create") {
    if (row.profile.firstName === undefined) return new InvalidProfile({ field: "first name", reason: "an account the import creates needs one" })
    if (row.profile.lastName === undefined) return new InvalidProfile({ field: "last name", reason: "an account the import creates needs one" })
  }
  const orgs = [...(existing?.orgs ?? [change.home.slug]), ...change.joins.map((o) => o.slug)]
  for (const grant of change.grants) {
    const org = Scope.orgSlugOf(grant.scope)
    if (org !== undefined && !orgs.includes(org)) return new NotAMember({ user: row.email, org })
    if (ctx.gatedRoles.has(grant.role.name)) return new GrantNeedsApproval({ role: grant.role.name, scope: grant.scope })
  }
  for (const group of change.groups) {
    if (!orgs.includes(group.org)) return new NotAMember({ user: row.email, org: group.org })
    // joining grants everything the group carries, so a gated role stays behind its gate here too
    const admin = group.grants.find((g) => ctx.gatedRoles.has(g.role))
    if (admin !== undefined) return new GrantNeedsApproval({ role: admin.role, scope: admin.scope, group: group.qualified })
  }
  // an account stronger than the importer's answers as a missing one, as everywhere (reach)
  const changes = change.fields + change.joins.length + change.grants.length + change.groups.length
  if (existing !== undefined && changes > 0 && !Permissions.withinReach(ctx.actor, { userId: existing.user.id, active: true, paths: existing.paths }, ctx.now)) {
    return new UserNotFound({ user: row.email })
  }
  if (existing === undefined) {
    const denied = leftOf(Permissions.require(ctx.actor, ctx.mode === "invite" ? "users.invite" : "users.create", Scope.org(change.home.slug), ctx.now))
    if (denied !== undefined) return denied
  } else if (change.fields > 0) {
    const before = existing.orgs
    for (const scope of before.length === 0 ? [Scope.provider] : before.map(Scope.org)) {
      const denied = leftOf(Permissions.require(ctx.actor, "users.update", scope, ctx.now))
      if (denied !== undefined) return denied
    }
  }
  for (const org of change.joins) {
    const denied = leftOf(Permissions.require(ctx.actor, "orgs.members.manage", Scope.org(org.slug), ctx.now))
    if (denied !== undefined) return denied
  }
  if (change.grants.length > 0) {
    const grants = change.grants.map((g) => ({ role: g.role.name, permissions: g.role.permissions, scope: g.scope }))
    const denied = leftOf(Permissions.checkDelegation(ctx.actor, grants, ctx.now))
    if (denied !== undefined) return denied
  }
  for (const group of change.groups) {
    const denied = leftOf(Permissions.require(ctx.actor, "groups.members.manage", Scope.org(group.org), ctx.now)) ??
      leftOf(Permissions.checkDelegation(ctx.actor, group.grants, ctx.now))
    if (denied !== undefined) return denied
  }
  return undefined
}

/** Decides one row: create, update (only what changes; nothing is ever removed), skip, or why not. */
export const planRow = (row: ImportRow, existing: Existing | undefined, ctx: PlanContext): RowPlan => {
  const wanted: Array<PlannedGrant> = []
  for (const item of row.roles) {
    const resolved = resolveRole(item, ctx)
    if (Either.isLeft(resolved)) return { kind: "fail", row, error: resolved.left }
    wanted.push(resolved.right)
  }
  const joining: Array<GroupRef> = []
  for (const item of row.groups) {
    const resolved = resolveGroup(item, ctx)
    if (Either.isLeft(resolved)) return { kind: "fail", row, error: resolved.left }
    joining.push(resolved.right)
  }
  const listed: Array<OrgRef> = []
  for (const slug of row.orgs) {
    const org = ctx.catalog.orgs.get(slug)
    if (org === undefined) return { kind: "fail", row, error: new OrgNotFound({ org: slug }) }
    listed.push(org)
  }
  const home = listed.length === 0 || listed.some((o) => o.id === ctx.org.id) ? ctx.org : listed[0]!
  const joins = listed.filter((o) => !(existing?.orgs ?? [home.slug]).includes(o.slug))
  const grants = unique(wanted, (g) => grantKey(g.role.id, g.scope)).filter((g) => existing?.grants.has(grantKey(g.role.id, g.scope)) !== true)
  const groups = unique(joining, (g) => g.id).filter((g) => existing?.groups.has(g.id) !== true)
  const changes = existing === undefined ? row.profile : changedFields(existing.user, row.profile)
  const fields = Object.keys(changes).length
  const error = refusal(row, existing, ctx, { home, joins, grants, groups, fields })
  if (error !== undefined) return { kind: "fail", row, error }
  if (existing === undefined) return { kind: "create", row, home, joins, grants, groups }
  if (fields === 0 && joins.length === 0 && grants.length === 0 && groups.length === 0) return { kind: "skip", row, existing }
  return { kind: "update", row, existing, changes, joins, grants, groups }
}
