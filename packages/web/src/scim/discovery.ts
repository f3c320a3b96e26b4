/**
 * What the server tells an identity provider about itself (RFC 7644 §4, RFC 7643 §5–7): what it
 * supports, its resource types, and the schemas of the attributes usher keeps — only those, so an
 * IdP's attribute mapping shows what will be stored.
 */
import * as Core from "@usher/core"

const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

const meta = (base: string, resourceType: string, path: string) => ({ resourceType, location: `${base}/scim/v2/${path}` })

/** `GET /ServiceProviderConfig`: PATCH, filters and ETags; no bulk, sorting or password changes; bearer tokens. */
export const serviceProviderConfig = (base: string) => ({
  schemas: [SPC_SCHEMA],
  documentationUri: `${base}/api/docs`,
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: Core.Scim.MAX_SCIM_PAGE },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [{ type: "oauthbearertoken", name: "API token", description: "An usher API token limited to scim (usher tokens create --only scim --org SLUG), as a bearer token.", primary: true }],
  meta: meta(base, "ServiceProviderConfig", "ServiceProviderConfig")
})

/** `GET /ResourceTypes`. */
export const resourceTypes = (base: string) => [
  {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: "User",
    name: "User",
    endpoint: "/Users",
    schema: Core.Scim.USER_SCHEMA,
    schemaExtensions: [{ schema: Core.Scim.ENTERPRISE_USER_SCHEMA, required: false }],
    meta: meta(base, "ResourceType", "ResourceTypes/User")
  },
  { schemas: [RESOURCE_TYPE_SCHEMA], id: "Group", name: "Group", endpoint: "/Groups", schema: Core.Scim.GROUP_SCHEMA, meta: meta(base, "ResourceType", "ResourceTypes/Group") }
]

interface Attribute {
  readonly name: string
  readonly type?: "string" | "boolean" | "complex" | "reference" | "dateTime"
  readonly multiValued?: boolean
  readonly required?: boolean
  readonly caseExact?: boolean
  readonly mutability?: "readOnly" | "readWrite" | "immutable"
  readonly uniqueness?: "none" | "server"
  readonly subAttributes?: ReadonlyArray<Attribute>
  readonly description?: string
}

const attribute = (a: Attribute): object => ({
  name: a.name,
  type: a.type ?? "string",
  multiValued: a.multiValued ?? false,
  ...(a.description === undefined ? {} : { description: a.description }),
  required: a.required ?? false,
  caseExact: a.caseExact ?? false,
  mutability: a.mutability ?? "readWrite",
  returned: "default",
  uniqueness: a.uniqueness ?? "none",
  ...(a.subAttributes === undefined ? {} : { subAttributes: a.subAttributes.map(attribute) })
})

const valueTypePrimary: ReadonlyArray<Attribute> = [{ name: "value" }, { name: "type" }, { name: "primary", type: "boolean" }]

/** `GET /Schemas`: User, the enterprise extension, Group. */
export const schemas = (base: string) => [
  {
    schemas: [SCHEMA_SCHEMA],
    id: Core.Scim.USER_SCHEMA,
    name: "User",
    description: "An account of the token's organization",
    attributes: [
      { name: "userName", required: true, uniqueness: "server", description: "Unique without regard to case; the e-mail when none is given" },
      { name: "externalId", caseExact: true },
      { name: "name", type: "complex", subAttributes: [{ name: "givenName", required: true }, { name: "familyName", required: true }, { name: "formatted", mutability: "readOnly" }] },
      { name: "displayName", mutability: "readOnly" },
      { name: "emails", type: "complex", multiValued: true, required: true, description: "One is kept: the primary, else the work one, else the first", subAttributes: valueTypePrimary },
      { name: "phoneNumbers", type: "complex", multiValued: true, description: "One is kept, as for emails", subAttributes: valueTypePrimary },
      { name: "title", description: "The position" },
      { name: "active", type: "boolean", description: "false suspends the account, true reactivates it" }
    ].map((a) => attribute(a as Attribute)),
    meta: meta(base, "Schema", `Schemas/${Core.Scim.USER_SCHEMA}`)
  },
  {
    schemas: [SCHEMA_SCHEMA],
    id: Core.Scim.ENTERPRISE_USER_SCHEMA,
    name: "EnterpriseUser",
    description: "The enterprise extension: the department is the account's organizational unit",
    attributes: [attribute({ name: "department" })],
    meta: meta(base, "Schema", `Schemas/${Core.Scim.ENTERPRISE_USER_SCHEMA}`)
  },
  {
    schemas: [SCHEMA_SCHEMA],
    id: Core.Scim.GROUP_SCHEMA,
    name: "Group",
    description: "A group of the token's organization",
    attributes: [
      attribute({ name: "displayName", required: true, uniqueness: "server" }),
      attribute({ name: "externalId", caseExact: true }),
      attribute({ name: "members", type: "complex", multiValued: true, subAttributes: [{ name: "value", mutability: "immutable" }, { name: "display", mutability: "readOnly" }, { name: "$ref", type: "reference", mutability: "readOnly" }] })
    ],
    meta: meta(base, "Schema", `Schemas/${Core.Scim.GROUP_SCHEMA}`)
  }
]
