import { Schema } from "effect"
import { GrantId, GroupId, RoleId } from "./Ids.js"
import type { HttpStatus } from "./HttpStatus.js"

/** A role: a named set of catalog and application permissions. */
export const Role = Schema.Struct({
  id: RoleId,
  name: Schema.String,
  description: Schema.String,
  permissions: Schema.Array(Schema.String),
  builtIn: Schema.Boolean
})
export type Role = typeof Role.Type

/** A group of users in an organization; grants can name it as principal. */
export const Group = Schema.Struct({
  id: GroupId,
  org: Schema.String,
  name: Schema.String
})
export type Group = typeof Group.Type

/** Who a grant is for. */
export const PrincipalType = Schema.Literal("user", "group")
export type PrincipalType = typeof PrincipalType.Type

/** A role at a scope for a user or group, optionally until `expiresAt`. */
export const Grant = Schema.Struct({
  id: GrantId,
  principalType: PrincipalType,
  principalId: Schema.String,
  roleId: RoleId,
  scope: Schema.String,
  grantedBy: Schema.String,
  grantedAt: Schema.String,
  expiresAt: Schema.NullOr(Schema.String)
})
export type Grant = typeof Grant.Type

/** What a role's name may be: a letter, then letters, digits, `_`, `.` or `-`, at most 64 in all. */
export const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/

/** No role of that name. */
export class RoleNotFound extends Schema.TaggedError<RoleNotFound>()("RoleNotFound", { role: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No role named ${this.role}.`
  }
}

/** A role of that name exists already. */
export class RoleExists extends Schema.TaggedError<RoleExists>()("RoleExists", { role: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `A role named ${this.role} exists already.`
  }
}

/** No group of that name in the organization. */
export class GroupNotFound extends Schema.TaggedError<GroupNotFound>()("GroupNotFound", { group: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No group named ${this.group}.`
  }
}

/** The organization has a group of that name already. */
export class GroupExists extends Schema.TaggedError<GroupExists>()("GroupExists", { group: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `A group named ${this.group} exists already.`
  }
}

/** No such grant to revoke. */
export class GrantNotFound extends Schema.TaggedError<GrantNotFound>()("GrantNotFound", {
  role: Schema.String,
  principal: Schema.String,
  scope: Schema.String
}) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `${this.principal} does not hold ${this.role} at ${this.scope}.`
  }
}

/** A group granted a role at another organization's scope. */
export class GrantOutsideOrganization extends Schema.TaggedError<GrantOutsideOrganization>()("GrantOutsideOrganization", {
  principal: Schema.String,
  scope: Schema.String,
  org: Schema.String
}) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `The group ${this.principal} belongs to ${this.org}; it can hold roles at provider, org:${this.org} or app:${this.org}/…, not at ${this.scope}.`
  }
}

/** The action would leave the directory without an active provider admin. */
export class LastProviderAdmin extends Schema.TaggedError<LastProviderAdmin>()("LastProviderAdmin", {
  user: Schema.String
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `${this.user} is the last active provider admin; grant provider-admin to someone else first.`
  }
}
