/**
 * `/api/v1/users`: the CLI's `users list|show|create|update|suspend|reactivate|delete`, one core
 * use case each. The list pages by an opaque cursor (keyset on core's order); a user's answers
 * carry `ETag: W/"<version>"`, and `If-Match` on a change passes that version to core.
 */
import * as Core from "@usher/core"
import { Effect, Schema } from "effect"
import { optional, ReasonBody, route, Text, WholeNumber } from "./Route.js"
import * as S from "./Schemas.js"

/** The page size when none is asked for. */
export const DEFAULT_PAGE = 100
/** The largest page. */
export const MAX_PAGE = 1_000

/**
 * The cursor of a page: base64url of the last row's place in core's order (last name, first
 * name, e-mail, id), opaque to clients. Anything else given as a cursor is a 400.
 */
export const Cursor = Schema.compose(
  Schema.StringFromBase64Url,
  Schema.parseJson(Schema.Tuple(Schema.String, Schema.String, Schema.String, Schema.String))
).annotations({
  description: "the `next` of the page before (opaque)",
  jsonSchema: { type: "string", description: "the `next` of the page before (opaque)" }
})

const cursorOf = (user: Core.User) => {
  const key = Core.userListKey(user)
  return Schema.encodeSync(Cursor)([key.lastName, key.firstName, key.email, key.id])
}

const UserParam = Schema.Struct({ user: Text("the user's id or e-mail") })

const UserQuery = Schema.Struct({
  status: optional(Core.UserStatus),
  search: optional(Text("matched against name, e-mail and phone")),
  org: optional(Text("only members of this organization (slug)")),
  group: optional(Text("only members of this group (NAME in `org`, or ORG/NAME)")),
  limit: optional(WholeNumber(1, MAX_PAGE, `users per page (default ${DEFAULT_PAGE})`)),
  cursor: optional(Cursor)
})

const versionOf = (expected: number | undefined) => (expected === undefined ? {} : { expectedVersion: expected })

const reasonOf = (body: { readonly reason?: string }) => (body.reason === undefined ? {} : { reason: body.reason })

/** The users operations. */
export const userRoutes = [
  route({
    method: "GET",
    path: "/api/v1/users",
    operationId: "listUsers",
    summary: "List users (users list): filters, and pages by cursor",
    description: "Ordered by last name, first name, e-mail. Follow `next` (or the Link header's rel=\"next\") until it is null; every user shows exactly once across the pages.",
    tag: "users",
    query: UserQuery,
    responses: { 200: { description: "one page", schema: S.UserPage, headers: ["Link"] } },
    errors: [404],
    handler: ({ path, query }) =>
      Effect.gen(function*() {
        const { cursor, limit: asked, ...filters } = query
        const limit = asked ?? DEFAULT_PAGE
        const after = cursor === undefined ? {} : { after: { lastName: cursor[0], firstName: cursor[1], email: cursor[2], id: cursor[3] } }
        // one more than the page shows whether another page follows
        const found = yield* Core.listUsers({ ...filters, ...after, limit: limit + 1 })
        const users = found.slice(0, limit)
        const next = found.length > limit ? cursorOf(users[users.length - 1]!) : null
        if (next === null) return { status: 200, body: { users, next } }
        const link = new URLSearchParams({ ...filters, ...(asked === undefined ? {} : { limit: String(asked) }), cursor: next })
        return { status: 200, body: { users, next }, link: `<${path}?${link}>; rel="next"` }
      })
  }),
  route({
    method: "GET",
    path: "/api/v1/users/:user",
    operationId: "getUser",
    summary: "A user's profile, status, organizations, groups and grants (users show)",
    tag: "users",
    params: UserParam,
    responses: { 200: { description: "the user", schema: S.UserDetail, headers: ["ETag"] } },
    errors: [404],
    handler: ({ params }) => Effect.map(Core.showUser(params.user), (detail) => ({ status: 200, body: detail, version: detail.user.version }))
  }),
  route({
    method: "POST",
    path: "/api/v1/users",
    operationId: "createUser",
    summary: "Create a user with a temporary password, shown once (users create)",
    tag: "users",
    body: S.CreateUserInput,
    responses: { 201: { description: "created, provisioned", schema: S.UserCreated, headers: ["ETag", "Location"] } },
    errors: [404, 409, 422],
    handler: ({ body }) =>
      Effect.map(Core.createUser(body), (created) => ({
        status: 201,
        body: created,
        version: created.user.version,
        location: `/api/v1/users/${created.user.id}`
      }))
  }),
  route({
    method: "PATCH",
    path: "/api/v1/users/:user",
    operationId: "updateUser",
    summary: "Change profile fields; null clears an optional one (users update)",
    description: "With `If-Match: W/\"<version>\"` (the ETag read before), a user changed meanwhile is refused with 412 and nothing is written.",
    tag: "users",
    params: UserParam,
    body: S.ProfileInput,
    ifMatch: true,
    responses: { 200: { description: "the user as changed", schema: S.User, headers: ["ETag"] } },
    errors: [404, 409, 412, 422],
    handler: ({ body, ifMatch, params }) =>
      Effect.map(Core.updateUser(params.user, body, versionOf(ifMatch)), (user) => ({ status: 200, body: user, version: user.version }))
  }),
  route({
    method: "POST",
    path: "/api/v1/users/:user/suspend",
    operationId: "suspendUser",
    summary: "Suspend a user: sessions ended, access gone, roles and data kept (users suspend)",
    tag: "users",
    params: UserParam,
    body: ReasonBody,
    bodyOptional: true,
    ifMatch: true,
    responses: { 200: { description: "the user, suspended", schema: S.User, headers: ["ETag"] } },
    errors: [404, 409, 412],
    handler: ({ body, ifMatch, params }) =>
      Effect.map(Core.suspendUser(params.user, { ...reasonOf(body), ...versionOf(ifMatch) }), (user) => ({ status: 200, body: user, version: user.version }))
  }),
  route({
    method: "POST",
    path: "/api/v1/users/:user/reactivate",
    operationId: "reactivateUser",
    summary: "Reactivate a suspended user (users reactivate)",
    tag: "users",
    params: UserParam,
    body: ReasonBody,
    bodyOptional: true,
    ifMatch: true,
    responses: { 200: { description: "the user, active again (or provisioned if it never signed in)", schema: S.User, headers: ["ETag"] } },
    errors: [404, 409, 412],
    handler: ({ body, ifMatch, params }) =>
      Effect.map(Core.reactivateUser(params.user, { ...reasonOf(body), ...versionOf(ifMatch) }), (user) => ({ status: 200, body: user, version: user.version }))
  }),
  route({
    method: "DELETE",
    path: "/api/v1/users/:user",
    operationId: "deleteUser",
    summary: "Ask for a user's deletion: someone else approves it (users delete)",
    description: "Deleting never happens at once: core files an approval request (four eyes), answered with 202 and the request; approving it erases the account.",
    tag: "users",
    params: UserParam,
    query: Schema.Struct({ reason: optional(Text("why (required): the approvers read it")) }),
    ifMatch: true,
    responses: { 202: { description: "the approval request filed", schema: S.ApprovalRequested, headers: ["Location"] } },
    errors: [404, 409, 412],
    handler: ({ ifMatch, params, query }) =>
      Effect.map(Core.deleteUser(params.user, { ...reasonOf(query), ...versionOf(ifMatch) }), (requested) => ({
        status: 202,
        body: requested,
        location: `/api/v1/approvals/${requested.approval.id}`
      }))
  })
]
