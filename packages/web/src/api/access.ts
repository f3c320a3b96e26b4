/** Roles, grants, `why` and `who-can`: the CLI's `roles …`, `why` and `who-can`, one core use case each. */
import * as Core from "@usher/core"
import { Effect, Schema } from "effect"
import { BadRequest } from "../http/errors.js"
import { optional, route, Text } from "./Route.js"
import * as S from "./Schemas.js"

const Scope = Text("provider, org:<slug> or app:<org>/<app> (default: the default organization)")

/** The roles, grants and access operations. */
export const accessRoutes = [
  route({
    method: "GET",
    path: "/api/v1/roles",
    operationId: "listRoles",
    summary: "Built-in and custom roles (roles list)",
    tag: "roles",
    responses: { 200: { description: "the roles", schema: S.RoleList } },
    errors: [404],
    handler: () => Effect.map(Core.listRoles, (roles) => ({ status: 200, body: { roles } }))
  }),
  route({
    method: "GET",
    path: "/api/v1/roles/:role",
    operationId: "getRole",
    summary: "A role's permissions and who holds it (roles show)",
    tag: "roles",
    params: Schema.Struct({ role: Text("the role's name or id") }),
    responses: { 200: { description: "the role", schema: S.RoleDetail, headers: ["ETag"] } },
    errors: [404],
    handler: ({ params }) => Effect.map(Core.showRole(params.role), (role) => ({ status: 200, body: role, version: role.version }))
  }),
  route({
    method: "POST",
    path: "/api/v1/roles",
    operationId: "createRole",
    summary: "Create a custom role from catalog and application permissions (roles create)",
    tag: "roles",
    body: S.CreateRoleInput,
    responses: { 201: { description: "created", schema: S.Role, headers: ["ETag", "Location"] } },
    errors: [409, 422],
    handler: ({ body }) =>
      Effect.map(Core.createRole(body), (role) => ({ status: 201, body: role, version: role.version, location: `/api/v1/roles/${encodeURIComponent(role.name)}` }))
  }),
  route({
    method: "POST",
    path: "/api/v1/grants",
    operationId: "grantRole",
    summary: "Grant a role at a scope to a user or group (roles grant)",
    description: "201 when the grant is new, 200 when it was held already (its expiry updated); 202 with the approval request when configuration gates the role (approval.gates admin-grants).",
    tag: "grants",
    body: S.GrantInput,
    responses: {
      200: { description: "held already; its expiry updated", schema: S.Granted },
      201: { description: "granted", schema: S.Granted },
      202: { description: "the approval request filed instead (four eyes)", schema: S.ApprovalRequested, headers: ["Location"] }
    },
    errors: [404, 409, 422],
    handler: ({ body }) =>
      Effect.map(Core.grantRole(body), (result) =>
        result._tag === "ApprovalRequested"
          ? { status: 202 as const, body: result, location: `/api/v1/approvals/${result.approval.id}` }
          : { status: result.created ? 201 as const : 200 as const, body: result })
  }),
  route({
    method: "DELETE",
    path: "/api/v1/grants",
    operationId: "revokeRole",
    summary: "Revoke a role at a scope from a user or group (roles revoke)",
    tag: "grants",
    query: Schema.Struct({
      role: Text("the role's name"),
      user: optional(Text("the user (id or e-mail); give this or group")),
      group: optional(Text("the group (NAME or ORG/NAME); give this or user")),
      scope: optional(Scope)
    }),
    responses: { 200: { description: "revoked", schema: S.Revoked } },
    errors: [404, 409],
    handler: ({ query }) =>
      Effect.gen(function*() {
        const { group, role, scope, user } = query
        if ((user === undefined) === (group === undefined)) return yield* Effect.fail(new BadRequest({ reason: "query: give exactly one of user or group" }))
        const from: Core.PrincipalRef = user !== undefined ? { user } : { group: group! }
        const revoked = yield* Core.revokeRole({ role, from, ...(scope === undefined ? {} : { scope }) })
        return { status: 200 as const, body: revoked }
      })
  }),
  route({
    method: "GET",
    path: "/api/v1/why",
    operationId: "why",
    summary: "Does a user have a permission at a scope, and through what? (why)",
    tag: "access",
    query: Schema.Struct({ user: Text("the user's id or e-mail"), permission: Text("e.g. users.suspend or expenses.approve"), scope: optional(Scope) }),
    responses: { 200: { description: "the answer with every path that gives it", schema: S.WhyAnswer } },
    errors: [404, 422],
    handler: ({ query }) => Effect.map(Core.why(query.user, query.permission, query.scope), (answer) => ({ status: 200, body: answer }))
  }),
  route({
    method: "GET",
    path: "/api/v1/who-can",
    operationId: "whoCan",
    summary: "Who has a permission at a scope, and through what, among the users the token's owner may read (who-can)",
    tag: "access",
    query: Schema.Struct({ permission: Text("e.g. approvals.decide"), scope: optional(Scope) }),
    responses: { 200: { description: "the holders with their paths", schema: S.WhoCanAnswer } },
    errors: [404, 422],
    handler: ({ query }) => Effect.map(Core.whoCan(query.permission, query.scope), (answer) => ({ status: 200, body: answer }))
  })
]
