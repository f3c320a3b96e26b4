import { createHash, randomBytes } from "node:crypto"
import { Either } from "effect"
import { PasswordRejected } from "./Errors.js"

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
