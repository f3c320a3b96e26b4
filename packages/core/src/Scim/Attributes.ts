/**
 * What SCIM filters may name, per resource type: each attribute's path, type, case rule and the
 * SQL it reads (`Scim/Filter.ts` translates and evaluates filters over these catalogues).
 */
import { ACTIVE_STATUSES, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "./Resources.js"

/**
 * A filterable attribute: its RFC 7643 path (relative to its multi-valued parent for a
 * sub-attribute) and its SQL. `sql` is NULL exactly when the attribute is absent; a boolean is
 * given by two conditions instead (SQLite has no boolean values): `present`, and `holds` (true).
 * `indexed` is an indexed expression of the same text (`lower(…)` unless caseExact), which `eq` adds as a condition
 * so that the engine looks the value up instead of scanning.
 */
export type ScimAttribute =
  | { readonly path: string; readonly type: "string"; readonly caseExact: boolean; readonly sql: string; readonly indexed?: string }
  | { readonly path: string; readonly type: "dateTime"; readonly caseExact: true; readonly sql: string }
  | { readonly path: string; readonly type: "boolean"; readonly caseExact: true; readonly present: string; readonly holds: string }

/**
 * A multi-valued attribute: its elements are either at most one, `inline` in the row (there when
 * the condition holds), or the rows of a correlated `from` clause (`FROM … WHERE …`).
 */
export interface ScimMultiValued {
  readonly path: string
  readonly elements: { readonly inline: string } | { readonly from: string }
  readonly subAttributes: ReadonlyArray<ScimAttribute>
}

/** What a resource type's filters may name; its SQL refers to the unaliased table (`users`, `user_groups`). */
export interface ScimCatalogue {
  readonly resourceType: "User" | "Group"
  /** the core schema's URN, which may prefix any path (`urn:…:core:2.0:User:userName`) */
  readonly schema: string
  readonly attributes: ReadonlyArray<ScimAttribute>
  readonly multiValued: ReadonlyArray<ScimMultiValued>
}

const text = (path: string, sql: string, options: { readonly caseExact?: true; readonly indexed?: string } = {}): ScimAttribute => ({
  path, type: "string", caseExact: options.caseExact ?? false, sql, ...(options.indexed === undefined ? {} : { indexed: options.indexed })
})
const dateTime = (path: string, sql: string): ScimAttribute => ({ path, type: "dateTime", caseExact: true, sql })
const EMAIL_PRESENT = "users.email IS NOT NULL AND users.email <> ''"
const PHONE_PRESENT = "users.phone IS NOT NULL AND users.phone <> ''"
/** `toScimUser`'s `displayName`: `given family`, either alone when the other is empty. */
const DISPLAY_NAME = "NULLIF(CASE WHEN users.first_name = '' THEN users.last_name WHEN users.last_name = '' THEN users.first_name " +
  "ELSE users.first_name || ' ' || users.last_name END, '')"

/** The attributes of a User filter (`users` rows, deleted ones left out by the query itself). */
export const USER_ATTRIBUTES: ScimCatalogue = {
  resourceType: "User",
  schema: USER_SCHEMA,
  attributes: [
    text("id", "users.id", { caseExact: true, indexed: "users.id" }),
    // how Okta and Entra look an account up: through the unique index of migration 0014
    text("userName", "NULLIF(COALESCE(users.scim_user_name, users.email), '')", { indexed: "lower(COALESCE(users.scim_user_name, users.email))" }),
    // and Entra's other lookup, through migration 0014's index of the IdP's ids
    text("externalId", "NULLIF(users.scim_external_id, '')", { caseExact: true, indexed: "users.scim_external_id" }),
    text("name.givenName", "NULLIF(users.first_name, '')"),
    text("name.familyName", "NULLIF(users.last_name, '')"),
    text("name.formatted", DISPLAY_NAME),
    text("displayName", DISPLAY_NAME),
    text("title", "NULLIF(users.position, '')"),
    text(`${ENTERPRISE_USER_SCHEMA}:department`, "NULLIF(users.org_unit, '')"),
    { path: "active", type: "boolean", caseExact: true, present: "1 = 1", holds: `users.status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(", ")})` },
    dateTime("meta.created", "users.created_at"),
    dateTime("meta.lastModified", "COALESCE(users.updated_at, users.created_at)")
  ],
  multiValued: [
    {
      path: "emails",
      elements: { inline: EMAIL_PRESENT },
      subAttributes: [
        text("value", "NULLIF(users.email, '')"),
        text("type", "CASE WHEN users.email <> '' THEN 'work' END"),
        { path: "primary", type: "boolean", caseExact: true, present: EMAIL_PRESENT, holds: "1 = 1" }
      ]
    },
    {
      path: "phoneNumbers",
      elements: { inline: PHONE_PRESENT },
      subAttributes: [text("value", "NULLIF(users.phone, '')"), text("type", "CASE WHEN users.phone <> '' THEN 'work' END")]
    }
  ]
}

/** The attributes of a Group filter (`user_groups` rows); its members leave deleted users out. */
export const GROUP_ATTRIBUTES: ScimCatalogue = {
  resourceType: "Group",
  schema: GROUP_SCHEMA,
  attributes: [
    text("id", "user_groups.id", { caseExact: true }),
    text("displayName", "NULLIF(user_groups.name, '')"),
    text("externalId", "NULLIF(user_groups.scim_external_id, '')", { caseExact: true }),
    dateTime("meta.created", "user_groups.created_at"),
    dateTime("meta.lastModified", "COALESCE(user_groups.updated_at, user_groups.created_at)")
  ],
  multiValued: [{
    path: "members",
    elements: {
      from: "FROM group_members scim_member JOIN users scim_member_user ON scim_member_user.id = scim_member.user_id " +
        "WHERE scim_member.group_id = user_groups.id AND scim_member_user.status <> 'deleted'"
    },
    subAttributes: [text("value", "scim_member.user_id", { caseExact: true })]
  }]
}
