/**
 * SCIM 2.0 resources (RFC 7643): the rows a SCIM endpoint selects, and the User and Group JSON
 * built from them. An empty text counts as absent, as `Scim/Filter.ts` reads the columns
 * (`NULLIF(…, '')`), so that a filter and the resource an IdP is shown never disagree.
 */
import { Schema } from "effect"
import { GroupId, UserId } from "../Domain/Ids.js"
import { UserStatus } from "../Domain/User.js"

/** The core User schema's URN. */
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
/** The enterprise User extension's URN: `department` is a user's organizational unit. */
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
/** The core Group schema's URN. */
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

/** The statuses SCIM calls `active`: all but `suspended` (a deleted user is no SCIM resource at all). */
export const ACTIVE_STATUSES: ReadonlyArray<UserStatus> = ["invited", "provisioned", "active"]

/** A `users` row as a SCIM endpoint selects it (`USER_COLUMNS`). */
export const ScimUserRow = Schema.Struct({
  id: UserId,
  email: Schema.NullOr(Schema.String),
  firstName: Schema.String,
  lastName: Schema.String,
  phone: Schema.NullOr(Schema.String),
  orgUnit: Schema.NullOr(Schema.String),
  position: Schema.NullOr(Schema.String),
  status: UserStatus,
  createdAt: Schema.String,
  /** the last change (`writeUser`), null until there is one */
  updatedAt: Schema.NullOr(Schema.String),
  version: Schema.Number,
  scimUserName: Schema.NullOr(Schema.String),
  scimExternalId: Schema.NullOr(Schema.String)
})
export type ScimUserRow = typeof ScimUserRow.Type

/** The select list that `ScimUserRow` decodes, qualified so that it survives joins. */
export const USER_COLUMNS = "users.id, users.email, users.first_name, users.last_name, users.phone, users.org_unit, " +
  "users.position, users.status, users.created_at, users.updated_at, users.version, users.scim_user_name, users.scim_external_id"

/** A `user_groups` row as a SCIM endpoint selects it (`GROUP_COLUMNS`). */
export const ScimGroupRow = Schema.Struct({
  id: GroupId,
  name: Schema.String,
  createdAt: Schema.String,
  /** the last rename or change of members, null until there is one */
  updatedAt: Schema.NullOr(Schema.String),
  version: Schema.Number,
  scimExternalId: Schema.NullOr(Schema.String)
})
export type ScimGroupRow = typeof ScimGroupRow.Type

/** The select list that `ScimGroupRow` decodes. */
export const GROUP_COLUMNS = "user_groups.id, user_groups.name, user_groups.created_at, user_groups.updated_at, user_groups.version, user_groups.scim_external_id"

/** A resource's `meta` (RFC 7643 §3.1). */
export interface ScimMeta {
  readonly resourceType: "User" | "Group"
  readonly created: string
  readonly lastModified: string
  readonly location: string
  /** a weak ETag of the row's version: what `If-Match` sends back */
  readonly version: string
}

/** An RFC 7643 User resource. */
export interface ScimUser {
  readonly schemas: ReadonlyArray<string>
  readonly id: string
  readonly externalId?: string
  readonly userName?: string
  readonly name?: { readonly givenName?: string; readonly familyName?: string; readonly formatted?: string }
  readonly displayName?: string
  readonly emails?: ReadonlyArray<{ readonly value: string; readonly type: "work"; readonly primary: true }>
  readonly phoneNumbers?: ReadonlyArray<{ readonly value: string; readonly type: "work" }>
  readonly title?: string
  readonly active: boolean
  readonly "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"?: { readonly department: string }
  readonly meta: ScimMeta & { readonly resourceType: "User" }
}

/** A member as a Group resource lists it. */
export interface ScimMember {
  readonly value: string
  readonly display: string
}

/** An RFC 7643 Group resource. */
export interface ScimGroup {
  readonly schemas: ReadonlyArray<string>
  readonly id: string
  readonly externalId?: string
  readonly displayName?: string
  readonly members: ReadonlyArray<ScimMember & { readonly $ref: string }>
  readonly meta: ScimMeta & { readonly resourceType: "Group" }
}

/** A text, or nothing when it is null or empty. */
const given = (text: string | null): string | undefined => text === null || text === "" ? undefined : text

/** `{ key: value }`, or nothing when the value is absent (an optional property stays absent, not `undefined`). */
const optional = <K extends string, V>(key: K, value: V | undefined): { readonly [P in K]?: V } =>
  value === undefined ? {} : ({ [key]: value } as { readonly [P in K]?: V })

const endpoint = (baseUrl: string, kind: "Users" | "Groups", id: string) => `${baseUrl.replace(/\/+$/, "")}/scim/v2/${kind}/${id}`

/** `given family`, either alone when the other is empty; `Scim/Filter.ts` builds the same text in SQL. */
export const displayNameOf = (firstName: string, lastName: string): string | undefined =>
  given([firstName, lastName].filter((part) => part !== "").join(" ") || null)

/** A user as a SCIM User (`baseUrl` without `/scim/v2`, as `meta.location` starts). */
export const toScimUser = (row: ScimUserRow, baseUrl: string): ScimUser => {
  const email = given(row.email)
  const phone = given(row.phone)
  const department = given(row.orgUnit)
  const displayName = displayNameOf(row.firstName, row.lastName)
  const name = { ...optional("givenName", given(row.firstName)), ...optional("familyName", given(row.lastName)), ...optional("formatted", displayName) }
  return {
    schemas: department === undefined ? [USER_SCHEMA] : [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: row.id,
    ...optional("externalId", given(row.scimExternalId)),
    ...optional("userName", given(row.scimUserName ?? row.email)),
    ...optional("name", Object.keys(name).length === 0 ? undefined : name),
    ...optional("displayName", displayName),
    ...optional("emails", email === undefined ? undefined : [{ value: email, type: "work" as const, primary: true as const }]),
    ...optional("phoneNumbers", phone === undefined ? undefined : [{ value: phone, type: "work" as const }]),
    ...optional("title", given(row.position)),
    active: ACTIVE_STATUSES.includes(row.status),
    ...optional(ENTERPRISE_USER_SCHEMA, department === undefined ? undefined : { department }),
    meta: {
      resourceType: "User",
      created: row.createdAt,
      lastModified: row.updatedAt ?? row.createdAt,
      location: endpoint(baseUrl, "Users", row.id),
      version: `W/"${row.version}"`
    }
  }
}

/** A group with its members as a SCIM Group; `members` should leave deleted users out, as the filter's `members.value` does. */
export const toScimGroup = (row: ScimGroupRow, members: ReadonlyArray<ScimMember>, baseUrl: string): ScimGroup => ({
  schemas: [GROUP_SCHEMA],
  id: row.id,
  ...optional("externalId", given(row.scimExternalId)),
  ...optional("displayName", given(row.name)),
  members: members.map((member) => ({ value: member.value, display: member.display, $ref: endpoint(baseUrl, "Users", member.value) })),
  meta: {
    resourceType: "Group",
    created: row.createdAt,
    lastModified: row.updatedAt ?? row.createdAt,
    location: endpoint(baseUrl, "Groups", row.id),
    version: `W/"${row.version}"`
  }
})
