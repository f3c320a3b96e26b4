/**
 * What the REST admin API answers, as Effect Schemas: core's own where it has them (`User`,
 * `Role`, `App`, the audit event, the approval action), the shapes of its other results here.
 * Field names are core's, so a body reads as `usher … --json` prints the same result. The route
 * table checks at compile time that each handler's result fits its schema; the OpenAPI document
 * is generated from them; the API's test decodes every answer with them, refusing extra fields.
 */
import * as Core from "@usher/core"
import { Schema } from "effect"

const Str = Schema.String
const NullableStr = Schema.NullOr(Schema.String)
const Count = Schema.Number

/** RFC 9457 problem details, with core's error tag in `error` (the same words a page shows). */
export const Problem = Schema.Struct({
  type: Str.annotations({ description: "urn:usher:error:<tag>" }),
  title: Str,
  status: Schema.Number,
  detail: Str,
  error: Str.annotations({ description: "core's error tag, e.g. UserNotFound" })
}).annotations({ identifier: "Problem", description: "RFC 9457 problem details" })

/** An account (core's `User`). */
export const User = Core.User.annotations({ identifier: "User", description: "An account, as `usher users show --json` gives its `user`" })

/** Core's input schemas, named for the document (decoding is theirs, unchanged). */
export const CreateUserInput = Core.CreateUserInput.annotations({ identifier: "CreateUserInput" })
export const InviteInput = Core.InviteInput.annotations({ identifier: "InviteInput" })
export const ProfileInput = Core.ProfileInput.annotations({ identifier: "ProfileInput", description: "The fields to change; null clears an optional one, absence leaves it alone" })
export const GrantInput = Core.GrantInput.annotations({ identifier: "GrantInput" })
export const CreateRoleInput = Core.CreateRoleInput.annotations({ identifier: "CreateRoleInput" })
export const CreateGroupInput = Core.CreateGroupInput.annotations({ identifier: "CreateGroupInput" })
export const CreateOrgInput = Core.CreateOrgInput.annotations({ identifier: "CreateOrgInput" })

/** `showUser`'s answer. */
export const UserDetail = Schema.Struct({
  user: User,
  organizations: Schema.Array(Schema.Struct({ slug: Str, name: Str, joinedAt: Str })),
  groups: Schema.Array(Schema.Struct({ name: Str, org: Str, addedAt: Str })),
  grants: Schema.Array(Schema.Struct({
    id: Str,
    role: Str,
    scope: Str,
    expiresAt: NullableStr,
    grantedBy: Str,
    grantedAt: Str,
    group: NullableStr.annotations({ description: "the group the grant comes through; null when direct" })
  }))
}).annotations({ identifier: "UserDetail" })

/** One page of `listUsers`. */
export const UserPage = Schema.Struct({
  users: Schema.Array(User),
  next: NullableStr.annotations({ description: "the cursor of the next page (also in the Link header); null on the last page" })
}).annotations({ identifier: "UserPage" })

/** `createUser`'s answer: the temporary password is shown this once. */
export const UserCreated = Schema.Struct({
  user: User,
  temporaryPassword: Str.annotations({ description: "shown once; they must change it at first sign-in" }),
  signInUrl: Str
}).annotations({ identifier: "UserCreated" })

/** An invitation as `invites list` shows it. */
export const Invitation = Schema.Struct({
  id: Str,
  userId: Str,
  email: Str,
  name: Str,
  org: Str,
  invitedBy: Str,
  createdAt: Str,
  expiresAt: Str,
  status: Schema.Literal("pending", "expired", "accepted"),
  delivery: Schema.Literal("email", "link"),
  sentCount: Count,
  lastSentAt: Str,
  acceptedAt: NullableStr
}).annotations({ identifier: "Invitation" })

/** `listInvitations`' answer. */
export const InvitationList = Schema.Struct({ invitations: Schema.Array(Invitation) })

/** `inviteUser`'s and `resendInvitation`'s answer. */
export const InvitationSent = Schema.Struct({
  invitation: Invitation,
  link: Schema.optional(Str.annotations({ description: "the single-use registration link, only when `link` was asked for" })),
  mail: Schema.optional(Schema.Struct({ id: Str, status: Schema.Literal("sent", "failed", "queued"), file: NullableStr, error: NullableStr }))
}).annotations({ identifier: "InvitationSent" })

/** `cancelInvitation`'s answer. */
export const InvitationCanceled = Schema.Struct({ invitation: Str, email: Str, org: Str })

/** An approval request as every front-end shows it. */
export const ApprovalRequest = Schema.Struct({
  id: Str,
  action: Str,
  payload: Core.ApprovalAction,
  summary: Str,
  scopes: Schema.Array(Str).annotations({ description: "where approvals.decide is needed to decide it" }),
  requestedBy: Str,
  requestedById: Str,
  requestedVia: Str,
  reason: Str,
  status: Core.ApprovalStatus,
  createdAt: Str,
  expiresAt: Str,
  decidedBy: NullableStr,
  decidedAt: NullableStr,
  note: NullableStr,
  result: Schema.Unknown.annotations({ description: "what the execution did (executed)" }),
  error: NullableStr,
  slack: Schema.NullOr(Schema.Struct({ channel: Str, ts: Str })),
  version: Count
}).annotations({ identifier: "ApprovalRequest" })

/** A use case that filed a request instead of acting (four eyes). */
export const ApprovalRequested = Schema.Struct({
  _tag: Schema.Literal("ApprovalRequested"),
  approval: ApprovalRequest
}).annotations({ identifier: "ApprovalRequested" })

/** `listApprovals`' answer. */
export const ApprovalList = Schema.Struct({ approvals: Schema.Array(ApprovalRequest) })

/** `approveRequest`'s answer. */
export const Decision = Schema.Struct({
  approval: ApprovalRequest,
  executed: Schema.Boolean.annotations({ description: "false: the action could not be carried out, nothing of it was applied, the request is failed" })
}).annotations({ identifier: "Decision" })

const RoleFields = Core.Role.fields

/** A role with how many grants use it (`roles list`). */
export const RoleSummary = Schema.Struct({ ...RoleFields, grants: Count }).annotations({ identifier: "RoleSummary" })

/** `listRoles`' answer. */
export const RoleList = Schema.Struct({ roles: Schema.Array(RoleSummary) })

/** A role as created. */
export const Role = Schema.Struct({ ...RoleFields, version: Count }).annotations({ identifier: "Role" })

/** `showRole`'s answer: the role and who holds it. */
export const RoleDetail = Schema.Struct({
  ...RoleFields,
  version: Count,
  holders: Schema.Array(Schema.Struct({ principalType: Schema.Literal("user", "group"), principal: Str, scope: Str, expiresAt: NullableStr }))
}).annotations({ identifier: "RoleDetail" })

/** A grant made. */
export const Granted = Schema.Struct({
  _tag: Schema.Literal("Granted"),
  id: Str,
  created: Schema.Boolean.annotations({ description: "false: it was held already (its expiry updated)" }),
  role: Str,
  scope: Str,
  principal: Str,
  expiresAt: NullableStr
}).annotations({ identifier: "Granted" })

/** `revokeRole`'s answer. */
export const Revoked = Schema.Struct({ role: Str, scope: Str, principal: Str })

const RoleAtScope = Schema.Struct({ role: Str, scope: Str, expiresAt: NullableStr })

/** A group with its member count and the roles it carries (`groups list`). */
export const GroupSummary = Schema.Struct({
  ...Core.Group.fields,
  members: Count,
  roles: Schema.Array(RoleAtScope)
}).annotations({ identifier: "GroupSummary" })

/** `listGroups`' answer. */
export const GroupList = Schema.Struct({ groups: Schema.Array(GroupSummary) })
/** `deleteGroup`'s answer. */
export const GroupDeleted = Schema.Struct({ group: Str, members: Count })
/** `groupMembers`' answer. */
export const GroupMembers = Schema.Struct({ group: Str, members: Schema.Array(Schema.Struct({ id: Str, email: Str })) })

const Added = Schema.Array(Schema.Struct({ user: Str, added: Schema.Boolean.annotations({ description: "false: already a member" }) }))
/** `addGroupMembers`' answer. */
export const GroupMembersAdded = Schema.Struct({ group: Str, results: Added })
/** `removeGroupMembers`' answer. */
export const GroupMembersRemoved = Schema.Struct({ group: Str, removed: Schema.Array(Str) })

/** An organization with its member count (`orgs list`). */
export const OrganizationSummary = Schema.Struct({
  ...Core.Organization.fields,
  members: Count,
  isDefault: Schema.Boolean
}).annotations({ identifier: "OrganizationSummary" })

/** `listOrgs`' answer. */
export const OrganizationList = Schema.Struct({ organizations: Schema.Array(OrganizationSummary) })
/** `addOrgMembers`' answer. */
export const OrgMembersAdded = Schema.Struct({ org: Str, results: Added })
/** Members removed from an organization at once (one, or after an approval). */
export const MembersRemoved = Schema.Struct({ _tag: Schema.Literal("MembersRemoved"), org: Str, removed: Schema.Array(Str) }).annotations({ identifier: "MembersRemoved" })

/** An app (core's `App`). */
export const App = Core.App.annotations({ identifier: "App" })
/** `listApps`' answer. */
export const AppList = Schema.Struct({ apps: Schema.Array(App) })

/** One audit event (core's). */
export const AuditEvent = Core.AuditLog.AuditEvent.annotations({ identifier: "AuditEvent" })
/** `listAudit`' answer. */
export const AuditList = Schema.Struct({ events: Schema.Array(AuditEvent) })

/** `verifyAudit`'s answer. */
export const AuditVerification = Schema.Struct({
  ok: Schema.Boolean,
  events: Count,
  checkpoints: Schema.Struct({
    file: NullableStr,
    count: Count,
    valid: Count,
    latest: Schema.NullOr(Schema.Struct({ seq: Count, at: Str })),
    newerEvents: Count
  }),
  problems: Schema.Array(Schema.Struct({
    kind: Schema.Literal("chain", "head", "checkpoint", "state"),
    message: Str,
    seq: Schema.optional(Count),
    table: Schema.optional(Str),
    id: Schema.optional(Str)
  }))
}).annotations({ identifier: "AuditVerification" })

/** One path that gives a permission: a role at a scope, directly or through a group. */
export const PermissionPath = Schema.Struct({ role: Str, scope: Str, group: NullableStr, expiresAt: NullableStr }).annotations({ identifier: "PermissionPath" })
const Path = PermissionPath

/** `why`'s answer. */
export const WhyAnswer = Schema.Struct({
  allowed: Schema.Boolean,
  user: Str,
  status: Str,
  permission: Str,
  scope: Str,
  paths: Schema.Array(Path)
}).annotations({ identifier: "WhyAnswer" })

/** `whoCan`'s answer. */
export const WhoCanAnswer = Schema.Struct({
  permission: Str,
  scope: Str,
  holders: Schema.Array(Schema.Struct({ user: Str, paths: Schema.Array(Path) }))
}).annotations({ identifier: "WhoCanAnswer" })
