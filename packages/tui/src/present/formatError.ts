import * as Core from "@usher/core"
import { Cause, Option } from "effect"
import type { UsageError } from "../cli/Command.js"
import type { KeyFileUnreadable } from "../cli/commands/keys.js"

/** An error as front-ends show it: its tag and a sentence a user understands. */
export interface ShownError {
  readonly _tag: string
  readonly message: string
}

/** What a defect (a bug, a lost database) shows instead of its stack trace. */
export const INTERNAL_ERROR: ShownError = { _tag: "InternalError", message: "Something went wrong inside usher; nothing was changed. Details were logged." }

/** Core's message, then a front-end's hint when it has one. */
export const withHint = (error: { readonly _tag: string; readonly message: string }, hint: string | undefined): ShownError =>
  ({ _tag: error._tag, message: hint === undefined ? error.message : `${error.message} ${hint}` })

/** Any other tagged failure (Effect's ConfigError at startup): its own message. */
const foreign = (error: unknown): ShownError => {
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tagged = error as { _tag: unknown; message?: unknown }
    const tag = String(tagged._tag)
    return { _tag: tag, message: typeof tagged.message === "string" && tagged.message !== "" ? tagged.message : tag }
  }
  return { _tag: "InternalError", message: String(error) }
}

/**
 * A failure as one front-end shows it: its typed errors through its own exhaustive formatter,
 * anything else tagged by its message, a defect as a generic message (never a stack trace).
 */
export const causeFormatter = <E>(isOwn: (error: unknown) => error is E, format: (error: E) => ShownError) =>
  (cause: Cause.Cause<unknown>): ShownError => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) return isOwn(failure.value) ? format(failure.value) : foreign(failure.value)
    if (Cause.isInterruptedOnly(cause)) return { _tag: "Interrupted", message: "Interrupted." }
    return INTERNAL_ERROR
  }

/** What a CLI command fails with: core's errors, bad syntax, an unreadable key file. */
export type CliError = Core.CoreError | UsageError | KeyFileUnreadable

const isCliError = (error: unknown): error is CliError =>
  Core.isCoreError(error) || (typeof error === "object" && error !== null && "_tag" in error && (error._tag === "UsageError" || error._tag === "KeyFileUnreadable"))

/** The CLI's hint after core's message: which command helps, where one does. */
const cliHint = (error: CliError): string | undefined => {
  switch (error._tag) {
    case "ActorUnknown":
      return error.unnamed === "no-admin"
        ? "Run `usher init --admin EMAIL`, or say who you are with --as EMAIL."
        : error.unnamed === "several-admins" ? "Use --as EMAIL (or USHER_ACTOR)." : undefined
    case "NotInitialized":
      return "Run `usher init --admin EMAIL` first."
    case "GrantNeedsApproval":
      return `Use usher roles grant ${error.role} --user USER --scope ${error.scope} --reason TEXT.`
    case "InvalidPermission":
      return error.namespace === undefined ? undefined : "usher roles show provider-admin lists the catalog."
    case "SlackUserUnmapped":
    case "SlackIdentityMismatch":
      return `Link them with usher slack link ${error.slackUserId} USER.`
    case "SlackAccountTaken":
      return `Move it with usher slack unlink, then usher slack link ${error.slackUserId} ${error.email}.`
    case "SshKeyTaken":
      return "usher keys list shows whose it is; usher keys remove takes it away."
    case "SshKeyNotFound":
      return "usher keys list shows the fingerprints."
    case "ApiTokenNotFound":
      return "usher tokens list shows the ids."
    case "AccountSuspended":
    case "AlreadyInitialized":
    case "AppExists":
    case "AppNotFound":
    case "ApprovalAlreadyPending":
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
    case "SlackLinkNotFound":
    case "SshKeyInvalid":
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
    case "UsageError":
    case "KeyFileUnreadable":
      return undefined
    default:
      return error satisfies never
  }
}

/** A CLI command's typed error as the person at the terminal reads it: core's message and the CLI's hint. */
export const formatError = (error: CliError): ShownError => withHint(error, cliHint(error))

/** The CLI's one place a failure becomes words. */
export const formatCause = causeFormatter(isCliError, formatError)
