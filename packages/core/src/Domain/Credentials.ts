import { createHash, randomBytes } from "node:crypto"
import { Either, Schema } from "effect"
import type { HttpStatus } from "./HttpStatus.js"

/** Passwords: 12 to 256 characters (Unicode code points), no composition rules (DESIGN §5). */
export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 256

/** Checks a new password against the length rule; nothing else is asked of it. */
export const checkPassword = (password: string): Either.Either<string, PasswordRejected> => {
  const length = [...password.normalize("NFKC")].length
  if (length < PASSWORD_MIN) return Either.left(new PasswordRejected({ reason: `it needs at least ${PASSWORD_MIN} characters` }))
  if (length > PASSWORD_MAX) return Either.left(new PasswordRejected({ reason: `it may have at most ${PASSWORD_MAX} characters` }))
  return Either.right(password)
}

/** A fresh secret token: 32 bytes from the CSPRNG, base64url (43 characters). */
export const newToken = (): string => randomBytes(32).toString("base64url")

/** What is stored of a token: its SHA-256, hex. */
export const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex")

const TOKEN = /^[A-Za-z0-9_-]{43}$/

/**
 * The token inside what a user pasted: the bare token, or a whole link ending in `/<token>`
 * (query and fragment ignored). Anything else yields `undefined`.
 */
export const tokenFrom = (text: string): string | undefined => {
  const trimmed = text.trim()
  const path = trimmed.split(/[?#]/)[0] ?? ""
  const last = path.slice(path.lastIndexOf("/") + 1)
  return TOKEN.test(last) ? last : undefined
}

/** An invitation link that cannot be used; deliberately silent about why (unknown, used, replaced or expired). */
export class InvitationInvalid extends Schema.TaggedError<InvitationInvalid>()("InvitationInvalid", {}) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return "This invitation link is not valid: it may have expired, been used already or been replaced by a newer one. Ask your admin to resend it."
  }
}

/** A password-reset link that cannot be used; silent about why, like `InvitationInvalid`. */
export class ResetLinkInvalid extends Schema.TaggedError<ResetLinkInvalid>()("ResetLinkInvalid", {}) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return "This password-reset link is not valid: it may have expired, been used already or been replaced by a newer one. Ask your admin for a new one."
  }
}

/** The user has no pending invitation (never invited, or already accepted). */
export class InvitationNotFound extends Schema.TaggedError<InvitationNotFound>()("InvitationNotFound", { user: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `${this.user} has no pending invitation.`
  }
}

/** A new password that breaks the length rule (12 to 256 characters; no composition rules). */
export class PasswordRejected extends Schema.TaggedError<PasswordRejected>()("PasswordRejected", { reason: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `That password cannot be used: ${this.reason}.`
  }
}

/**
 * Sign-in refused: the same error, in the same time, for an unknown e-mail, a wrong password and
 * a locked account, so a caller learns nothing about which accounts exist.
 */
export class SignInFailed extends Schema.TaggedError<SignInFailed>()("SignInFailed", {}) {
  static readonly httpStatus = 401 satisfies HttpStatus
  override get message() {
    return "Wrong e-mail or password. After 10 failed attempts an account is locked until an admin unlocks it."
  }
}

/** A provisioned user signed in with the temporary password: a new password must be set first. */
export class PasswordChangeRequired extends Schema.TaggedError<PasswordChangeRequired>()("PasswordChangeRequired", {}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return "You signed in with a temporary password: choose a new password to continue."
  }
}

/** Correct credentials of an account that is suspended. */
export class AccountSuspended extends Schema.TaggedError<AccountSuspended>()("AccountSuspended", {}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return "This account is suspended; ask your admin."
  }
}

/** No such session of that user (or it has ended already). */
export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", { session: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No active session ${this.session}.`
  }
}

/** A session token that is unknown, revoked or expired. */
export class SessionInvalid extends Schema.TaggedError<SessionInvalid>()("SessionInvalid", {}) {
  static readonly httpStatus = 401 satisfies HttpStatus
  override get message() {
    return "Your session has ended; sign in again."
  }
}
