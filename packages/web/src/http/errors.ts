/**
 * The one place that turns a typed error into HTTP: its status, and the words a page shows.
 * Pages and APIs both answer through it, so a core error means the same everywhere on the server:
 * its status comes from core's catalogue (`httpStatusOf`), its words from one exhaustive switch.
 */
import { type CoreError, FIRST_LOCK_MINUTES, httpStatusOf, isCoreError, MAX_FAILED_SIGN_INS } from "@usher/core"
import { Data } from "effect"
import { OidcCallbackRejected, OidcConfigInvalid, OidcDiscoveryFailed } from "../oidc/client.js"

/** The web's own refusals, beside core's errors. */
export class CsrfRefused extends Data.TaggedError("CsrfRefused")<{}> {}
export class TooManyRequests extends Data.TaggedError("TooManyRequests")<{ readonly retryAfterSeconds: number }> {}
export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{}> {}
export class BadRequest extends Data.TaggedError("BadRequest")<{ readonly reason: string }> {}
export class PageNotFound extends Data.TaggedError("PageNotFound")<{}> {}
/** An `If-Match` that cannot hold: the operation's resource carries no entity tag (RFC 9110 §13.1.1). */
export class PreconditionFailed extends Data.TaggedError("PreconditionFailed")<{ readonly reason: string }> {}

/** A defect: something went wrong that no typed error names (its details go to the log only). */
export class Defect extends Data.TaggedError("Defect")<{}> {}

/** The web's own refusals and the identity provider's. */
export type WebError = CsrfRefused | TooManyRequests | BodyTooLarge | BadRequest | PageNotFound | PreconditionFailed | OidcConfigInvalid | OidcDiscoveryFailed | OidcCallbackRejected

/** Any error a handler answers with: one of core's typed errors, the web's own, or a defect. */
export type ServerError = CoreError | WebError | Defect

const webErrors = [CsrfRefused, TooManyRequests, BodyTooLarge, BadRequest, PageNotFound, PreconditionFailed, OidcConfigInvalid, OidcDiscoveryFailed, OidcCallbackRejected, Defect] as const

/** Whether a value is an error the server knows how to answer; anything else is answered as a defect. */
export const isServerError = (value: unknown): value is ServerError => isCoreError(value) || webErrors.some((c) => value instanceof c)

/** The HTTP status of an error: core's from its class (`httpStatusOf`), the web's own here. */
export const statusOf = (error: ServerError): number => {
  switch (error._tag) {
    case "CsrfRefused": return 403
    case "TooManyRequests": return 429
    case "BodyTooLarge": return 413
    case "BadRequest": return 400
    case "PageNotFound": return 404
    case "PreconditionFailed": return 412
    case "OidcCallbackRejected": return 400
    case "OidcConfigInvalid":
    case "OidcDiscoveryFailed": return 503
    case "Defect": return 500
    default: return httpStatusOf(error)
  }
}

/** What a page says about an error: a title and a sentence. */
export interface Words {
  readonly title: string
  readonly message: string
}

/** A new password and its confirmation differ: a typing error, told before core is asked. */
export const PASSWORDS_DIFFER: Words = { title: "The passwords differ", message: "The new password and its confirmation are not the same; type them again." }

const LOCK_RULE = `After ${MAX_FAILED_SIGN_INS} failed attempts in a row an account is locked for ${FIRST_LOCK_MINUTES} minutes (longer each time it happens again); an administrator can unlock it sooner.`

const generic = (error: ServerError): Words => {
  const status = statusOf(error)
  const title = status === 404 ? "Not found" : status === 403 ? "Not allowed" : status >= 500 ? "Unavailable" : "That did not work"
  return { title, message: error.message }
}

/**
 * The words a page shows for an error: one exhaustive switch over every error the server can meet
 * (a new core error does not compile until it is placed here). A defect's words are generic: its
 * details go to the log, never to the page.
 */
export const wordsOf = (error: ServerError): Words => {
  switch (error._tag) {
    case "SignInFailed": return { title: "Sign-in failed", message: `Wrong e-mail or password, or the account is locked. ${LOCK_RULE}` }
    case "AccountSuspended": return { title: "Account suspended", message: "This account is suspended. Ask your administrator." }
    case "SessionInvalid": return { title: "Signed out", message: "Your session has ended; sign in again." }
    case "InvitationInvalid": return { title: "This invitation link no longer works", message: "It may have expired, been used already or been replaced by a newer one." }
    case "ResetLinkInvalid": return { title: "This reset link no longer works", message: "It may have expired, been used already or been replaced by a newer one. Ask your administrator for a new one." }
    case "CsrfRefused": return { title: "Form expired", message: "This form was not sent from this site, or it was open too long. Reload the page and try again." }
    case "TooManyRequests": return { title: "Too many attempts", message: `Too many attempts from here or for this account. Try again in ${Math.ceil(error.retryAfterSeconds / 60)} minute(s).` }
    case "BodyTooLarge": return { title: "Too much data", message: "The form sent more data than usher accepts." }
    case "BadRequest": return { title: "Bad request", message: `The request could not be read: ${error.reason}.` }
    case "PageNotFound": return { title: "Page not found", message: "There is no page at this address." }
    case "PreconditionFailed": return { title: "Precondition failed", message: `The If-Match condition cannot hold: ${error.reason}.` }
    case "ApiTokenNotForThis": return { title: "Not for this token", message: error.message }
    case "ConcurrentModification": return { title: "Changed meanwhile", message: "It was changed by someone else while you were editing it, so nothing was written. Reload it and try again." }
    case "Defect": return { title: "Something went wrong", message: "usher could not complete this request. The details were logged." }
    case "OidcConfigInvalid":
    case "OidcDiscoveryFailed": return { title: "Company sign-in unavailable", message: "Signing in with your company account does not work right now. Sign in with your password, or ask your administrator." }
    case "OidcCallbackRejected": return { title: "Company sign-in failed", message: "The answer from your company's sign-in could not be verified. Start again from the sign-in page." }
    case "IdpLinkRequired": return { title: "Sign in with your password first", message: error.message }
    case "IdpRegistrationPending": return { title: "Waiting for approval", message: error.message }
    case "IdpEmailUnverified":
    case "IdpRegistrationClosed":
    case "IdpRegistrationDenied":
    case "IdpRegistrationUnavailable":
    case "IdpAccountUnavailable":
    case "IdpIdentityTaken":
    case "IdpAlreadyLinked":
    case "AlreadyInitialized":
    case "AppExists":
    case "AppNotFound":
    case "ApprovalAlreadyPending":
    case "ApprovalExpired":
    case "ApprovalNotFound":
    case "ApprovalNotPending":
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
    case "GrantNeedsApproval":
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
    case "ActorUnknown":
    case "ReasonRequired":
    case "RoleExists":
    case "RoleNotFound":
    case "ScopeNotFound":
    case "SelfApproval":
    case "SessionNotFound":
    case "SettingInvalid":
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
    case "InvalidScimFilter":
    case "ScimInvalidValue":
    case "ScimUserNameTaken":
    case "SshKeyUnknown":
    case "UserNotFound":
      return generic(error)
    default:
      return error satisfies never
  }
}

/** An error as RFC 9457 problem details (the APIs' answer): status, a title, what happened, and core's error tag. */
export const problem = (error: ServerError) => {
  const status = statusOf(error)
  const words = wordsOf(error)
  return { type: `urn:usher:error:${error._tag}`, title: words.title, status, detail: words.message, error: error._tag }
}
