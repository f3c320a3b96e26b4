import * as Core from "@usher/core"
import { causeFormatter, withHint, type ShownError } from "./formatError.js"

/** The dashboard's hint after core's message: where on screen, or how to start it, helps. */
const dashboardHint = (error: Core.CoreError): string | undefined => {
  switch (error._tag) {
    case "ActorUnknown":
      return error.unnamed === undefined ? undefined : "Start the dashboard with --as EMAIL (or USHER_ACTOR)."
    case "GrantNeedsApproval":
      return "Grant it from the user's actions afterwards; that files the request."
    case "ApprovalAlreadyPending":
      return "It is listed in :approvals."
    case "AccountSuspended":
    case "AlreadyInitialized":
    case "AppExists":
    case "AppNotFound":
    case "ApprovalExpired":
    case "ApprovalNotFound":
    case "ApprovalNotPending":
    case "ConcurrentModification":
    case "CsvHeaderInvalid":
    case "CsvLineMalformed":
    case "DatabaseCopyRefused":
    case "DatabaseUnavailable":
    case "DatabaseUrlInvalid":
    case "DeciderNotEligible":
    case "DuplicateRow":
    case "EmailTaken":
    case "EscalationDenied":
    case "FileUnreadable":
    case "FileUnwritable":
    case "GrantNotFound":
    case "GrantOutsideOrganization":
    case "GroupExists":
    case "GroupNotFound":
    case "ImportStopped":
    case "InputTooLong":
    case "InvalidEmail":
    case "InvalidInput":
    case "InvalidName":
    case "InvalidPermission":
    case "InvalidPhone":
    case "InvalidProfile":
    case "InvalidScope":
    case "InvalidSlackUserId":
    case "InvalidTransition":
    case "InvitationInvalid":
    case "InvitationNotFound":
    case "LastProviderAdmin":
    case "NoEligibleApprover":
    case "NotAMember":
    case "NotInitialized":
    case "OrgExists":
    case "OrgNotFound":
    case "PasswordChangeRequired":
    case "PasswordRejected":
    case "PermissionDenied":
    case "ReasonRequired":
    case "ResetLinkInvalid":
    case "RoleExists":
    case "RoleNotFound":
    case "ScopeNotFound":
    case "SelfApproval":
    case "SessionInvalid":
    case "SessionNotFound":
    case "SettingInvalid":
    case "SignInFailed":
    case "SlackAccountInactive":
    case "SlackAccountTaken":
    case "SlackIdentityMismatch":
    case "SlackLinkNotFound":
    case "SlackUserUnmapped":
    case "SshKeyInvalid":
    case "SshKeyNotFound":
    case "SshKeyTaken":
    case "ApiTokenNotFound":
    case "ApiTokenRejected":
    case "ApiTokenNotForThis":
    case "InvalidScimFilter":
    case "ScimInvalidValue":
    case "ScimUserNameTaken":
    case "SshKeyUnknown":
    case "UserNotFound":
    case "IdpAccountUnavailable":
    case "IdpAlreadyLinked":
    case "IdpEmailUnverified":
    case "IdpIdentityTaken":
    case "IdpLinkRequired":
    case "IdpRegistrationClosed":
    case "IdpRegistrationDenied":
    case "IdpRegistrationPending":
    case "IdpRegistrationUnavailable":
      return undefined
    default:
      return error satisfies never
  }
}

/** A use case's typed error as the dashboard shows it. */
export const formatDashboardError = (error: Core.CoreError): ShownError => withHint(error, dashboardHint(error))

/** The dashboard's one place a failure becomes words. */
export const formatDashboardCause = causeFormatter(Core.isCoreError, formatDashboardError)
