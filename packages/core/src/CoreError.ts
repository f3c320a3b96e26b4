import { DatabaseUrlInvalid, DatabaseUnavailable } from "./Database.js"
import { DatabaseCopyRefused } from "./DatabaseCopy.js"
import { RoleNotFound, RoleExists, GroupNotFound, GroupExists, GrantNotFound, GrantOutsideOrganization, LastProviderAdmin } from "./Domain/Access.js"
import { ApprovalNotFound, ApprovalNotPending, ApprovalExpired, SelfApproval, DeciderNotEligible, ApprovalAlreadyPending, NoEligibleApprover, GrantNeedsApproval, ReasonRequired } from "./Domain/Approval.js"
import { InvitationInvalid, ResetLinkInvalid, InvitationNotFound, PasswordRejected, SignInFailed, PasswordChangeRequired, AccountSuspended, SessionNotFound, SessionInvalid } from "./Domain/Credentials.js"
import { ConcurrentModification, ActorUnknown, AlreadyInitialized, NotInitialized, SettingInvalid } from "./Domain/Directory.js"
import { InvalidInput, InputTooLong, InvalidName, FileUnreadable } from "./Domain/Input.js"
import { IdpAccountUnavailable, IdpAlreadyLinked, IdpEmailUnverified, IdpIdentityTaken, IdpLinkRequired, IdpRegistrationClosed, IdpRegistrationDenied, IdpRegistrationPending, IdpRegistrationUnavailable } from "./IdpSignIn.js"
import { InvalidTransition } from "./Domain/Lifecycle.js"
import { OrgNotFound, OrgExists, AppNotFound, AppExists, NotAMember } from "./Domain/Organization.js"
import { PermissionDenied, EscalationDenied, InvalidPermission } from "./Domain/Permissions.js"
import { InvalidScope, ScopeNotFound } from "./Domain/Scope.js"
import { UserNotFound, EmailTaken, InvalidEmail, InvalidPhone, InvalidProfile } from "./Domain/User.js"
import { FileUnwritable } from "./Export.js"
import { CsvHeaderInvalid, CsvLineMalformed, DuplicateRow, ImportStopped } from "./Import/Errors.js"
import { InvalidSlackUserId, SlackUserUnmapped, SlackAccountInactive, SlackIdentityMismatch, SlackAccountTaken, SlackLinkNotFound } from "./Slack.js"
import { SshKeyInvalid, SshKeyTaken, SshKeyNotFound, SshKeyUnknown } from "./SshKeys.js"
import { ApiTokenNotForThis, ApiTokenNotFound, ApiTokenRejected } from "./ApiTokens.js"
import { InvalidScimFilter } from "./Scim/Filter.js"
import { ScimInvalidValue, ScimUserNameTaken } from "./Scim/Input.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"

export type { HttpStatus } from "./Domain/HttpStatus.js"

/**
 * Every error class of core, for front-ends that map errors as a whole (HTTP statuses, a
 * catalogue of messages) and for the test that each one has its status.
 */
export const coreErrors = [
  DatabaseUrlInvalid, DatabaseUnavailable, DatabaseCopyRefused, RoleNotFound, RoleExists, GroupNotFound,
  GroupExists, GrantNotFound, GrantOutsideOrganization, LastProviderAdmin, ApprovalNotFound, ApprovalNotPending,
  ApprovalExpired, SelfApproval, DeciderNotEligible, ApprovalAlreadyPending, NoEligibleApprover, GrantNeedsApproval,
  ReasonRequired, InvitationInvalid, ResetLinkInvalid, InvitationNotFound, PasswordRejected, SignInFailed,
  PasswordChangeRequired, AccountSuspended, SessionNotFound, SessionInvalid, ConcurrentModification, ActorUnknown,
  AlreadyInitialized, NotInitialized, SettingInvalid, InvalidInput, InputTooLong, InvalidName,
  FileUnreadable, InvalidTransition, OrgNotFound, OrgExists, AppNotFound, AppExists,
  NotAMember, PermissionDenied, EscalationDenied, InvalidPermission, InvalidScope, ScopeNotFound,
  UserNotFound, EmailTaken, InvalidEmail, InvalidPhone, InvalidProfile, FileUnwritable,
  CsvHeaderInvalid, CsvLineMalformed, DuplicateRow, ImportStopped, InvalidSlackUserId, SlackUserUnmapped,
  SlackAccountInactive, SlackIdentityMismatch, SlackAccountTaken, SlackLinkNotFound, SshKeyInvalid, SshKeyTaken,
  SshKeyNotFound, SshKeyUnknown, IdpEmailUnverified, IdpLinkRequired, IdpRegistrationClosed, IdpRegistrationPending,
  IdpRegistrationDenied, IdpRegistrationUnavailable, IdpAccountUnavailable, IdpIdentityTaken, IdpAlreadyLinked,
  ApiTokenNotFound, ApiTokenRejected, ApiTokenNotForThis, InvalidScimFilter, ScimInvalidValue, ScimUserNameTaken
] as const satisfies ReadonlyArray<{ readonly httpStatus: HttpStatus; readonly prototype: { readonly _tag: string } }>

/** Any typed error a core use case fails with. */
export type CoreError = InstanceType<(typeof coreErrors)[number]>

/** The `_tag` of any core error. */
export type CoreErrorTag = CoreError["_tag"]

/** The HTTP status an error answers with (its class's `httpStatus`). */
export const httpStatusOf = (error: CoreError): HttpStatus => (error.constructor as unknown as { readonly httpStatus: HttpStatus }).httpStatus

/** Whether a value is one of core's typed errors (a front-end's formatter falls back for anything else). */
export const isCoreError = (value: unknown): value is CoreError => coreErrors.some((c) => value instanceof c)
