/**
 * The one place that turns a typed error into HTTP: its status, and the words a page shows.
 * Pages and APIs both answer through it, so a core error means the same everywhere on the server.
 */
import { FIRST_LOCK_MINUTES, MAX_FAILED_SIGN_INS } from "@usher/core"
import { Data } from "effect"

/** The web's own refusals, beside core's errors. */
export class CsrfRefused extends Data.TaggedError("CsrfRefused")<{}> {}
export class TooManyRequests extends Data.TaggedError("TooManyRequests")<{ readonly retryAfterSeconds: number }> {}
export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{}> {}
export class BadRequest extends Data.TaggedError("BadRequest")<{ readonly reason: string }> {}
export class PageNotFound extends Data.TaggedError("PageNotFound")<{}> {}

/** Any error a handler may meet: core's (tagged, with a message) or the web's own. */
export interface TaggedError {
  readonly _tag: string
  readonly message?: string
}

/**
 * HTTP status by error tag. Core is to export `httpStatusOf(error)` (an annotation on each error);
 * when it does, `statusOf` becomes that call for core's tags.
 */
const STATUS: Readonly<Record<string, number>> = {
  // the web's own
  CsrfRefused: 403, TooManyRequests: 429, BodyTooLarge: 413, BadRequest: 400, PageNotFound: 404,
  // who you are
  SignInFailed: 401, SessionInvalid: 401, ActorUnknown: 401,
  AccountSuspended: 403, PasswordChangeRequired: 403, PermissionDenied: 403, EscalationDenied: 403, SelfApproval: 403, DeciderNotEligible: 403,
  // links that no longer work
  InvitationInvalid: 410, ResetLinkInvalid: 410,
  // what you sent
  PasswordRejected: 422, InvalidProfile: 422, InvalidName: 422, InvalidPhone: 422, InvalidEmail: 422, InputTooLong: 422, InvalidInput: 422,
  InvalidScope: 422, InvalidPermission: 422, SettingInvalid: 422, ReasonRequired: 422, InvalidTransition: 409, InvalidSlackUserId: 422,
  SshKeyInvalid: 422, CsvHeaderInvalid: 422, CsvLineMalformed: 422,
  // what is not there
  UserNotFound: 404, SessionNotFound: 404, InvitationNotFound: 404, OrgNotFound: 404, AppNotFound: 404, RoleNotFound: 404, GroupNotFound: 404,
  GrantNotFound: 404, ApprovalNotFound: 404, ScopeNotFound: 404, SlackLinkNotFound: 404, SshKeyNotFound: 404, NotInitialized: 503,
  // what is in the way
  ConcurrentModification: 409, EmailTaken: 409, OrgExists: 409, AppExists: 409, RoleExists: 409, GroupExists: 409, SshKeyTaken: 409,
  AlreadyInitialized: 409, ApprovalAlreadyPending: 409, ApprovalNotPending: 409, ApprovalExpired: 409, LastProviderAdmin: 409,
  NotAMember: 409, GrantOutsideOrganization: 409, GrantNeedsApproval: 202, NoEligibleApprover: 409,
  DatabaseUnavailable: 503
}

/** The HTTP status of an error (500 for one this table does not know: a defect's). */
export const statusOf = (error: TaggedError): number => STATUS[error._tag] ?? 500

/** What a page says about an error: a title and a sentence. */
export interface Words {
  readonly title: string
  readonly message: string
}

const LOCK_RULE = `After ${MAX_FAILED_SIGN_INS} failed attempts in a row an account is locked for ${FIRST_LOCK_MINUTES} minutes (longer each time it happens again); an administrator can unlock it sooner.`

const PAGE_WORDS: Readonly<Record<string, (error: TaggedError) => Words>> = {
  SignInFailed: () => ({ title: "Sign-in failed", message: `Wrong e-mail or password, or the account is locked. ${LOCK_RULE}` }),
  AccountSuspended: () => ({ title: "Account suspended", message: "This account is suspended. Ask your administrator." }),
  SessionInvalid: () => ({ title: "Signed out", message: "Your session has ended; sign in again." }),
  InvitationInvalid: () => ({ title: "This invitation link no longer works", message: "It may have expired, been used already or been replaced by a newer one." }),
  ResetLinkInvalid: () => ({ title: "This reset link no longer works", message: "It may have expired, been used already or been replaced by a newer one. Ask your administrator for a new one." }),
  CsrfRefused: () => ({ title: "Form expired", message: "This form was not sent from this site, or it was open too long. Reload the page and try again." }),
  TooManyRequests: (e) => ({ title: "Too many attempts", message: `Too many attempts from here or for this account. Try again in ${Math.ceil(((e as TooManyRequests).retryAfterSeconds ?? 60) / 60)} minute(s).` }),
  BodyTooLarge: () => ({ title: "Too much data", message: "The form sent more data than usher accepts." }),
  BadRequest: (e) => ({ title: "Bad request", message: `The form could not be read: ${(e as BadRequest).reason}.` }),
  PageNotFound: () => ({ title: "Page not found", message: "There is no page at this address." }),
  ConcurrentModification: () => ({ title: "Changed meanwhile", message: "Your account was changed while you were editing it. Reload the page and try again." })
}

/** The words a page shows for an error; a defect's are generic (its details go to the log, never to the page). */
export const wordsOf = (error: TaggedError): Words => {
  const special = PAGE_WORDS[error._tag]
  if (special !== undefined) return special(error)
  if (statusOf(error) === 500) return { title: "Something went wrong", message: "usher could not complete this request. The details were logged." }
  return { title: statusOf(error) >= 500 ? "Unavailable" : "That did not work", message: error.message ?? error._tag }
}
