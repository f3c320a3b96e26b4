import { Schema } from "effect"
import { GrantId, GroupId, RoleId } from "./Ids.js"

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
