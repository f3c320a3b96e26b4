import { Either, Schema } from "effect"
import { parsePhoneNumberFromString } from "libphonenumber-js/max"
import { domainToASCII, domainToUnicode } from "node:url"
import validator from "validator"
import { UserId } from "./Ids.js"
import { checkKind, invisibleCharacter } from "./Input.js"
import { isMixedScript, scriptNames } from "./Scripts.js"
import type { HttpStatus } from "./HttpStatus.js"
import { InputTooLong } from "./Input.js"
import type { ProfileInput } from "./Inputs.js"
export type { ProfileInput } from "./Inputs.js"

/** Where a user is in the lifecycle (DESIGN §3). */
export const UserStatus = Schema.Literal("invited", "provisioned", "active", "suspended", "deleted")
export type UserStatus = typeof UserStatus.Type

/** `member` = IT user / admin, `end-user` = a user of the organization's apps. */
export const UserKind = Schema.Literal("member", "end-user")
export type UserKind = typeof UserKind.Type

/** An account as every front-end sees it; the password hash never leaves core. */
export const User = Schema.Struct({
  id: UserId,
  email: Schema.String,
  firstName: Schema.String,
  lastName: Schema.String,
  phone: Schema.NullOr(Schema.String),
  gender: Schema.NullOr(Schema.String),
  birthday: Schema.NullOr(Schema.String),
  orgUnit: Schema.NullOr(Schema.String),
  position: Schema.NullOr(Schema.String),
  kind: UserKind,
  status: UserStatus,
  createdAt: Schema.String,
  registeredAt: Schema.NullOr(Schema.String),
  lastActiveAt: Schema.NullOr(Schema.String),
  mustChangePassword: Schema.Boolean,
  /** when sign-in was last locked after repeated failures (cleared by a sign-in, unlock or reset) */
  lockedAt: Schema.NullOr(Schema.String),
  /** when that lock ends by itself; sign-in is locked while this lies in the future */
  lockedUntil: Schema.NullOr(Schema.String),
  version: Schema.Number
})
export type User = typeof User.Type


/** A validated, normalized profile patch. */
export interface Profile {
  readonly email?: string
  readonly firstName?: string
  readonly lastName?: string
  readonly phone?: string | null
  readonly gender?: string | null
  readonly birthday?: string | null
  readonly orgUnit?: string | null
  readonly position?: string | null
  readonly kind?: UserKind
}

/** Every way a profile input can be wrong. */
export type ProfileError = InvalidEmail | InvalidPhone | InvalidProfile | InputTooLong

/**
 * The first label of a domain that mixes scripts (UTS #39), as a reason in words; `undefined`
 * when every label is written in one script. Punycode labels are read as the Unicode they encode.
 */
const mixedScriptLabel = (domain: string): string | undefined => {
  const unicode = /^[\x00-\x7f]*$/.test(domain) && !domain.includes("xn--") ? domain : domainToUnicode(domain)
  for (const label of (unicode === "" ? domain : unicode).split(".")) {
    if (isMixedScript(label)) return `the domain label "${label}" mixes ${scriptNames(label).join(" and ")} letters, as a lookalike of another domain does`
  }
  return undefined
}

/**
 * Normalizes an e-mail: trimmed and lower-cased, or `InvalidEmail` (also for a domain label that
 * mixes scripts, such as a Cyrillic "а" among Latin letters), or `InputTooLong` past 254 characters.
 */
export const normalizeEmail = (text: string): Either.Either<string, InvalidEmail | InputTooLong> => {
  const email = text.trim().toLowerCase()
  const long = checkKind("the e-mail", "email", email)
  if (Either.isLeft(long)) return Either.left(long.left)
  if (!validator.isEmail(email, { allow_utf8_local_part: false, require_tld: true })) return Either.left(new InvalidEmail({ email: text }))
  const mixed = mixedScriptLabel(email.slice(email.lastIndexOf("@") + 1))
  return mixed === undefined ? Either.right(email) : Either.left(new InvalidEmail({ email: text, reason: mixed }))
}

/**
 * The e-mail with its domain in punycode (`bob@xn--…`) when the domain is an internationalized
 * one, so a reader sees what it really is; `undefined` for an all-ASCII address.
 */
export const asciiEmail = (email: string): string | undefined => {
  const at = email.lastIndexOf("@")
  const domain = email.slice(at + 1)
  if (at < 0 || /^[\x00-\x7f]*$/.test(domain)) return undefined
  const ascii = domainToASCII(domain)
  return ascii === "" ? undefined : `${email.slice(0, at)}@${ascii}`
}

/** Normalizes a phone number to E.164 (a country code is required), or `InvalidPhone`. */
export const normalizePhone = (text: string): Either.Either<string, InvalidPhone> => {
  const trimmed = text.trim()
  const parsed = trimmed.length <= 40 && /^\+?[\d\s().-]+$/.test(trimmed)
    ? parsePhoneNumberFromString(trimmed.startsWith("+") ? trimmed : `+${trimmed}`)
    : undefined
  return parsed !== undefined && parsed.isValid()
    ? Either.right(parsed.number)
    : Either.left(new InvalidPhone({ phone: text }))
}

/**
 * A stored (E.164) phone number as people read it, in international format (`+44 20 7946 0958`);
 * text that does not parse is shown as it is. For display only: the directory keeps E.164.
 */
export const formatPhone = (e164: string): string => {
  const parsed = /^\+[0-9]{2,15}$/.test(e164) ? parsePhoneNumberFromString(e164) : undefined
  return parsed === undefined ? e164 : parsed.formatInternational()
}

const text = (field: string, max: number, required: boolean) =>
(value: string): Either.Either<string, InvalidProfile> => {
  const trimmed = value.trim()
  if (required && trimmed.length === 0) return Either.left(new InvalidProfile({ field, reason: "must not be empty" }))
  if (trimmed.length > max) return Either.left(new InvalidProfile({ field, reason: `at most ${max} characters` }))
  const invisible = invisibleCharacter(trimmed)
  if (invisible !== undefined) {
    return Either.left(new InvalidProfile({ field, reason: `contains ${invisible}; control characters and invisible formatting characters (a text-direction override, a zero-width space …) are not allowed` }))
  }
  return Either.right(trimmed)
}

/** Validates a birthday: an existing calendar date `YYYY-MM-DD`, from 1900 up to today. */
export const normalizeBirthday = (value: string, today: Date): Either.Either<string, InvalidProfile> => {
  const trimmed = value.trim()
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed)
  const date = match ? new Date(`${trimmed}T00:00:00Z`) : undefined
  if (!match || date === undefined || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== trimmed) {
    return Either.left(new InvalidProfile({ field: "birthday", reason: "use an existing date as YYYY-MM-DD" }))
  }
  if (Number(match[1]) < 1900 || date.getTime() > today.getTime()) {
    return Either.left(new InvalidProfile({ field: "birthday", reason: "must lie between 1900 and today" }))
  }
  return Either.right(trimmed)
}

const optional = <E>(
  value: string | null | undefined,
  check: (value: string) => Either.Either<string, E>
): Either.Either<string | null | undefined, E> =>
  value === undefined ? Either.right(undefined) :
  value === null || value.trim() === "" ? Either.right(null) :
  check(value)

/** Validates and normalizes a profile patch; the first problem found is the error. */
export const normalizeProfile = (input: ProfileInput, today: Date): Either.Either<Profile, ProfileError> =>
  Either.gen(function*() {
    const out: { -readonly [K in keyof Profile]: Profile[K] } = {}
    if (input.email !== undefined) out.email = yield* normalizeEmail(input.email)
    if (input.firstName !== undefined) out.firstName = yield* text("first name", 100, true)(input.firstName)
    if (input.lastName !== undefined) out.lastName = yield* text("last name", 100, true)(input.lastName)
    const phone = yield* optional(input.phone, normalizePhone)
    if (phone !== undefined) out.phone = phone
    const gender = yield* optional(input.gender, text("gender", 40, false))
    if (gender !== undefined) out.gender = gender
    const birthday = yield* optional(input.birthday, (b) => normalizeBirthday(b, today))
    if (birthday !== undefined) out.birthday = birthday
    const orgUnit = yield* optional(input.orgUnit, text("organization unit", 100, false))
    if (orgUnit !== undefined) out.orgUnit = orgUnit
    const position = yield* optional(input.position, text("position", 100, false))
    if (position !== undefined) out.position = position
    if (input.kind !== undefined) {
      if (input.kind !== "member" && input.kind !== "end-user") {
        return yield* Either.left(new InvalidProfile({ field: "kind", reason: "use member or end-user" }))
      }
      out.kind = input.kind
    }
    return out
  })

/** The display name of a user: "First Last", or the e-mail when both are empty. */
export const displayName = (user: Pick<User, "firstName" | "lastName" | "email">): string =>
  `${user.firstName} ${user.lastName}`.trim() || user.email

/** Whether sign-in is locked at an instant: a lock lasts until `lockedUntil`, never longer. */
export const signInLocked = (user: { readonly lockedUntil: string | null }, at: Date): boolean =>
  user.lockedUntil !== null && Date.parse(user.lockedUntil) > at.getTime()

/** No user with that e-mail or id (or it was deleted). */
export class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", { user: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No user ${this.user} in the directory.`
  }
}

/** Another account already uses that e-mail. */
export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", { email: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `The e-mail ${this.email} is already used by another account.`
  }
}

/** Not an e-mail address. */
export class InvalidEmail extends Schema.TaggedError<InvalidEmail>()("InvalidEmail", {
  email: Schema.String,
  /** what is wrong, when more can be said than "not an address" */
  reason: Schema.optional(Schema.String)
}) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `"${this.email}" is not a valid e-mail address${this.reason === undefined ? "" : `: ${this.reason}`}.`
  }
}

/** Not a phone number (it must carry a country code, e.g. +44 20 7946 0958). */
export class InvalidPhone extends Schema.TaggedError<InvalidPhone>()("InvalidPhone", { phone: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `"${this.phone}" is not a valid phone number; include the country code, e.g. +44 20 7946 0958.`
  }
}

/** A profile field that does not fit its rule. */
export class InvalidProfile extends Schema.TaggedError<InvalidProfile>()("InvalidProfile", {
  field: Schema.String,
  reason: Schema.String
}) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `Invalid ${this.field}: ${this.reason}.`
  }
}
