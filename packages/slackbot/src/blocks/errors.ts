import * as Core from "@usher/core"
import { Cause, Option } from "effect"
import type { ParseError } from "../parse/command.js"
import { context, escape, fallback, section, type Reply } from "./mrkdwn.js"

/** An error as a person sees it: its tag (for tests and logs) and its plain-words message. */
export interface ShownError {
  readonly _tag: string
  readonly message: string
}

const GENERIC = "Something went wrong inside usher and nothing was changed by this message; the error was logged for the admins."

/** The bot's hint after core's message, for what a person in Slack (or their admin) can do next. */
const slackHint = (error: Core.CoreError): string | undefined => {
  switch (error._tag) {
    case "NotInitialized":
      return "An admin sets it up on the server first (usher init)."
    case "GrantNeedsApproval":
      return "Grant the role itself with the `role grant` command, which files the request."
    case "SlackUserUnmapped":
    case "SlackIdentityMismatch":
      return `An admin links you on the server: usher slack link ${error.slackUserId} USER.`
    case "SlackAccountTaken":
      return `An admin can move it on the server: usher slack unlink, then usher slack link ${error.slackUserId} ${error.email}.`
    case "AccountSuspended":
    case "ActorUnknown":
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

/** A core error as the bot shows it: core's message, then the bot's hint where one helps. */
export const formatSlackError = (error: Core.CoreError): ShownError => {
  const hint = slackHint(error)
  return { _tag: error._tag, message: hint === undefined ? error.message : `${error.message} ${hint}` }
}

/**
 * The one place the bot turns a failure into words: a core error through `formatSlackError`, the
 * bot's own typed errors (a Slack API call that failed) by their message, a defect (a bug, a
 * database that went away) a generic one — never a stack trace.
 */
export const shownError = (cause: Cause.Cause<unknown>): ShownError => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    if (Core.isCoreError(failure.value)) return formatSlackError(failure.value)
    const error = failure.value as { readonly _tag?: unknown; readonly message?: unknown }
    if (typeof error._tag === "string" && typeof error.message === "string" && error.message !== "") return { _tag: error._tag, message: error.message }
  }
  return { _tag: "InternalError", message: GENERIC }
}

/** An ephemeral refusal: a warning sign and the message. */
export const errorReply = (error: ShownError): Reply => ({
  text: fallback(escape(error.message)),
  blocks: [section(`:warning: ${escape(error.message)}`)]
})

/** Bad command syntax: what was wrong, then the usage line(s). */
export const usageReply = (error: ParseError, command: string): Reply => ({
  text: fallback(escape(`${error.message} Usage: ${command} ${error.usage.split("\n")[0]}`)),
  blocks: [
    section(`:warning: ${escape(error.message)}`),
    section(error.usage.split("\n").map((u) => `\`${command} ${escape(u)}\``).join("\n")),
    context(`\`${command} help\` lists every command.`)
  ]
})
