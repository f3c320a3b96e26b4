/** usher's core: every rule of the directory, behind use cases that front-ends call. */
export * as Jobs from "./Jobs.js"
export { SystemActor } from "./Jobs.js"
export { DatabaseCopyRefused, type CopyReport } from "./DatabaseCopy.js"
export * as Lifecycle from "./Domain/Lifecycle.js"
export * as Permissions from "./Domain/Permissions.js"
export * as PermissionIndex from "./Domain/PermissionIndex.js"
export * as Scope from "./Domain/Scope.js"
export * as AuditLog from "./Domain/Audit.js"
export * as Credentials from "./Domain/Credentials.js"
export * as Input from "./Domain/Input.js"
export * as AccessDuration from "./Domain/AccessDuration.js"
export * as Dormancy from "./Domain/Dormancy.js"
export {
  LEASE_MS as POLICY_LEASE_MS, type DormantNotified, type DormantOutcome, type DormantSkipped, type DormantSuspended, type ExpiredGrant,
  type ExpiredInvitation, policyMinutes, type PolicyOptions, type PolicyPass, type PolicyRun, type PolicySkipped
} from "./Policies.js"
export * as Scripts from "./Domain/Scripts.js"
export * from "./Domain/Errors.js"
export * from "./Domain/Ids.js"
export * from "./Domain/User.js"
export * from "./Domain/Organization.js"
export * from "./Domain/Access.js"
export { ApprovalAction, ApprovalStatus, summarize as summarizeApproval, type ApprovalRequest, type ApprovalRequested } from "./Domain/Approval.js"
export { Actor } from "./Actor.js"
export {
  approveRequest, cancelRequest, checkCanDecide, deleteUser, denyRequest, listApprovals, pendingApprovalCount,
  showApproval, type ApprovalQuery, type Decision
} from "./Approvals.js"
export { listAudit, verifyAudit, type AuditProblem, type AuditQuery, type AuditVerification, type CheckpointSummary } from "./Audit.js"
export { as, asUser, CoreLive, makeCoreRuntime, resolveLocation, type CoreServices } from "./Core.js"
export { CoreConfig, configFromEnv, configWithDataDir, defaultConfig, pageUrls, type CoreConfigShape, type PageUrls } from "./CoreConfig.js"
export { Database, DatabaseUnavailable, DatabaseUrlInvalid, describeLocation, layerDatabase, layerPg, layerSqlite, locationFromEnv, parseUrl, type DatabaseLocation } from "./Database.js"
export { directoryInfo, init, why, type WhyAnswer } from "./Directory.js"
export { exportPages, exportUsers, exportUsersToFile, FileUnwritable, type ExportChunk, type ExportError, type ExportFormat, type ExportQuery, type ExportRecord, type ExportWritten } from "./Export.js"
export { addGroupMembers, createGroup, deleteGroup, groupMembers, listGroups, removeGroupMembers, type GroupSummary } from "./Groups.js"
export { CsvHeaderInvalid, CsvLineMalformed, csvColumns, DuplicateRow, GrantNeedsApproval, ImportStopped, importUsers, type CsvColumn, type ImportInput, type ImportMode, type ImportProblem, type ImportProgress, type ImportReport, type ImportUpdate } from "./Import.js"
export {
  acceptInvitation, cancelInvitation, checkCanInvite, inviteUser, listInvitations, resendInvitation, userInvitation, type Invitation, type InvitationQuery, type InvitationSent, type InvitationStatus
} from "./Invitations.js"
export { listOutbox, Mailer, retryOutbox, showOutbox, type DeliveryReport, type OutboxEntry, type OutboxQuery } from "./Mail.js"
export { addOrgMembers, createApp, createOrg, listApps, listOrgs, removeOrgMembers, type MembersRemoved, type OrganizationSummary } from "./Orgs.js"
export { hashPassword, verifyPassword } from "./Passwords.js"
export { createRole, grantRole, listRoles, revokeRole, showRole, type Granted, type RoleSummary } from "./Roles.js"
export { seedUsers } from "./Seed.js"
export { listSessions, noteActivity, revokeSessions, signOut, type Session } from "./Sessions.js"
export { endMySessions, myAccount, mySessions, updateMyProfile, type InvitationPreview, type MyAccount, type MyGrant, type MyProfileInput } from "./SelfService.js"
export type { RateLimit, RateLimitAnswer } from "./RateLimits.js"
export {
  addSshKey, fingerprintOf, listSshKeys, parsePublicKey, removeSshKey, SshKeyInvalid, SshKeyNotFound, SshKeyTaken, SshKeyUnknown,
  type PublicKey, type SshKey
} from "./SshKeys.js"
export {
  IdpAccountUnavailable, IdpAlreadyLinked, IdpEmailUnverified, IdpIdentityTaken, IdpLinkRequired, IdpRegistrationClosed, IdpRegistrationDenied,
  IdpRegistrationPending, IdpRegistrationUnavailable, linkIdentity, myIdentityLinks, signInWithIdp,
  type IdpIdentity, type IdpRoute, type IdpSignedIn, type IdpSignInError
} from "./IdpSignIn.js"
export { autoRegisterPolicies, listSettings, optionalGates, setSetting, type AutoRegister, type DirectorySettings, type OptionalGate, type SettingKey } from "./Settings.js"
export {
  changePassword, completePasswordReset, FIRST_LOCK_MINUTES, lockDuration, LONGEST_LOCK_HOURS, MAX_FAILED_SIGN_INS, requestPasswordReset, signIn, unlockUser
} from "./SignIn.js"
export {
  createUser, listUsers, normalizeSearch, reactivateUser, showUser, suspendUser, suspendUsers, updateUser, userListKey,
  type BulkOutcome, type Suspended, type UpdateOptions, type UserDetail, type UserListKey, type UserQuery
} from "./Users.js"
export {
  accessTree, auditPage, filterKeys, formatUserFilter, parseUserFilter, userCount, userPage, userSortColumns, withStatus,
  type AccessTree, type AuditLine, type AuditPageQuery, type FilterKey, type UserFilter, type UserListRow, type UserPage,
  type UserPageQuery, type UserSort, type UserSortColumn
} from "./Views.js"
export {
  InvalidSlackUserId, linkSlackUser, listSlackLinks, SlackAccountInactive, SlackLinkNotFound,
  SlackAccountTaken, SlackIdentityMismatch, SlackUserUnmapped, unlinkSlackUser, type SlackIdentity, type SlackLink
} from "./Slack.js"
export {
  extensionOf, NOTICE_AHEAD_MS, type DormantEvent, type EndingGrant, type HomeRow as SlackHome, type NoticeRecipient, type SlackNotice
} from "./SlackNotices.js"
export type { Decider } from "./Approvals.js"
export { coreErrors, httpStatusOf, isCoreError, type CoreError, type CoreErrorTag, type HttpStatus } from "./CoreError.js"
export {
  AcceptInput, ChangePasswordInput, CreateGroupInput, CreateOrgInput, CreateRoleInput, CreateUserInput, decodeInput, decodeThen, GrantInput, InitInput,
  InviteInput, PrincipalRef, ProfileInput, ResetInput, RevokeInput, SessionMeta, SignInInput, UpdateUserInput
} from "./Domain/Inputs.js"
/** The PostgreSQL channel committed writes notify (for fixtures that write rows themselves). */
export { CHANGES_CHANNEL } from "./internal/tx.js"
export {
  ApiTokenNotForThis, ApiTokenNotFound, ApiTokenRejected, asToken, check, createApiToken, requireTokenReach, listApiTokens, revokeApiToken, TOKEN_PREFIX, TOKEN_SURFACES,
  type ApiToken, type CreateApiTokenInput, type TokenSurface
} from "./ApiTokens.js"
export { whoCan, type Holder, type WhoCanAnswer } from "./WhoCan.js"
export * as Scim from "./Scim.js"
export { type CheckQuestion, checkMany, checkOne } from "./Checks.js"
export { InvalidScimFilter } from "./Scim/Filter.js"
export { ScimInvalidValue, ScimUserNameTaken } from "./Scim/Input.js"
