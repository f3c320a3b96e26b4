/** Groups, organizations and apps with their members: the CLI's `groups …`, `orgs …` and `apps …`, one core use case each. */
import * as Core from "@usher/core"
import { Effect, Schema } from "effect"
import { optional, Repeated, route, Text } from "./Route.js"
import * as S from "./Schemas.js"

const GroupParams = Schema.Struct({ org: Text("the group's organization (slug)"), group: Text("the group's name") })
const OrgParam = Schema.Struct({ org: Text("the organization's slug") })
const Users = Schema.Struct({ users: Schema.Array(Schema.String).annotations({ description: "ids or e-mails" }) })
const Members = Repeated("a member to remove (id or e-mail); repeat it for several")

/** The groups, organizations and apps operations. */
export const directoryRoutes = [
  route({
    method: "GET",
    path: "/api/v1/groups",
    operationId: "listGroups",
    summary: "Groups with their member counts and the roles they carry (groups list)",
    tag: "groups",
    query: Schema.Struct({ org: optional(Text("only this organization's (slug)")) }),
    responses: { 200: { description: "the groups", schema: S.GroupList } },
    errors: [404],
    handler: ({ query }) => Effect.map(Core.listGroups(query), (groups) => ({ status: 200, body: { groups } }))
  }),
  route({
    method: "POST",
    path: "/api/v1/groups",
    operationId: "createGroup",
    summary: "Create an empty group (groups create)",
    tag: "groups",
    body: S.CreateGroupInput,
    responses: { 201: { description: "created", schema: S.GroupSummary, headers: ["Location"] } },
    errors: [404, 409, 422],
    handler: ({ body }) =>
      Effect.map(Core.createGroup(body), (group) => ({
        status: 201,
        body: group,
        location: `/api/v1/groups/${encodeURIComponent(group.org)}/${encodeURIComponent(group.name)}/members`
      }))
  }),
  route({
    method: "DELETE",
    path: "/api/v1/groups/:org/:group",
    operationId: "deleteGroup",
    summary: "Delete a group; its members lose what it carried, their accounts stay (groups delete)",
    tag: "groups",
    params: GroupParams,
    responses: { 200: { description: "deleted", schema: S.GroupDeleted } },
    errors: [404, 409],
    handler: ({ params }) => Effect.map(Core.deleteGroup(params.group, params.org), (deleted) => ({ status: 200, body: deleted }))
  }),
  route({
    method: "GET",
    path: "/api/v1/groups/:org/:group/members",
    operationId: "listGroupMembers",
    summary: "A group's members",
    tag: "groups",
    params: GroupParams,
    responses: { 200: { description: "the members", schema: S.GroupMembers } },
    errors: [404],
    handler: ({ params }) => Effect.map(Core.groupMembers(params.group, params.org), (members) => ({ status: 200, body: members }))
  }),
  route({
    method: "POST",
    path: "/api/v1/groups/:org/:group/members",
    operationId: "addGroupMembers",
    summary: "Add users to a group: they get every role it carries (groups add)",
    tag: "groups",
    params: GroupParams,
    body: Users,
    responses: { 200: { description: "who was added, who was in already", schema: S.GroupMembersAdded } },
    errors: [404, 409, 422],
    handler: ({ body, params }) => Effect.map(Core.addGroupMembers(params.group, body.users, params.org), (added) => ({ status: 200, body: added }))
  }),
  route({
    method: "DELETE",
    path: "/api/v1/groups/:org/:group/members",
    operationId: "removeGroupMembers",
    summary: "Remove users from a group (groups remove)",
    tag: "groups",
    params: GroupParams,
    query: Schema.Struct({ user: Members }),
    responses: { 200: { description: "removed", schema: S.GroupMembersRemoved } },
    errors: [404, 409],
    handler: ({ params, query }) => Effect.map(Core.removeGroupMembers(params.group, query.user, params.org), (removed) => ({ status: 200, body: removed }))
  }),
  route({
    method: "GET",
    path: "/api/v1/orgs",
    operationId: "listOrgs",
    summary: "Organizations with their member counts (orgs list)",
    tag: "organizations",
    responses: { 200: { description: "the organizations where the token's owner holds any permission", schema: S.OrganizationList } },
    errors: [],
    handler: () => Effect.map(Core.listOrgs, (organizations) => ({ status: 200, body: { organizations } }))
  }),
  route({
    method: "POST",
    path: "/api/v1/orgs",
    operationId: "createOrg",
    summary: "Create an organization (orgs create)",
    tag: "organizations",
    body: S.CreateOrgInput,
    responses: { 201: { description: "created", schema: S.OrganizationSummary } },
    errors: [409, 422],
    handler: ({ body }) => Effect.map(Core.createOrg(body), (org) => ({ status: 201, body: org }))
  }),
  route({
    method: "POST",
    path: "/api/v1/orgs/:org/members",
    operationId: "addOrgMembers",
    summary: "Add existing users to an organization; grants nothing by itself (orgs add)",
    tag: "organizations",
    params: OrgParam,
    body: Users,
    responses: { 200: { description: "who was added, who was in already", schema: S.OrgMembersAdded } },
    errors: [404],
    handler: ({ body, params }) => Effect.map(Core.addOrgMembers(params.org, body.users), (added) => ({ status: 200, body: added }))
  }),
  route({
    method: "DELETE",
    path: "/api/v1/orgs/:org/members",
    operationId: "removeOrgMembers",
    summary: "Remove users from an organization, accounts kept; more than one at once waits for approval (orgs remove)",
    tag: "organizations",
    params: OrgParam,
    query: Schema.Struct({ user: Members, reason: optional(Text("why; required when the removal waits for approval")) }),
    responses: {
      200: { description: "removed", schema: S.MembersRemoved },
      202: { description: "the approval request filed instead (four eyes)", schema: S.ApprovalRequested, headers: ["Location"] }
    },
    errors: [404, 409],
    handler: ({ params, query }) =>
      Effect.map(Core.removeOrgMembers(params.org, query.user, query.reason === undefined ? {} : { reason: query.reason }), (result) =>
        result._tag === "ApprovalRequested"
          ? { status: 202 as const, body: result, location: `/api/v1/approvals/${result.approval.id}` }
          : { status: 200 as const, body: result })
  }),
  route({
    method: "GET",
    path: "/api/v1/apps",
    operationId: "listApps",
    summary: "Apps, the scopes app:<org>/<app> roles can be granted at (apps list)",
    tag: "apps",
    responses: { 200: { description: "the apps", schema: S.AppList } },
    errors: [],
    handler: () => Effect.map(Core.listApps, (apps) => ({ status: 200, body: { apps } }))
  }),
  route({
    method: "POST",
    path: "/api/v1/apps",
    operationId: "createApp",
    summary: "Create an app in an organization (apps create)",
    tag: "apps",
    body: Schema.Struct({ app: Text("ORG/APP"), name: optional(Text("its name (default: the slug)")) }),
    responses: { 201: { description: "created", schema: S.App } },
    errors: [404, 409, 422],
    handler: ({ body }) => Effect.map(Core.createApp(body.app, body.name), (app) => ({ status: 201, body: app }))
  })
]
