import { Either, Schema } from "effect"
import type { HttpStatus } from "./HttpStatus.js"

/**
 * The longest input each kind of field takes, in characters (code points): every front-end checks
 * its arguments against these before it calls core, and core checks the fields it stores.
 * `email` is RFC 5321's path limit; `path` is Linux's PATH_MAX; `text` covers any other argument.
 */
export const MaxLength = {
  name: 200,
  email: 254,
  search: 1_000,
  reason: 2_000,
  text: 2_000,
  path: 4_096
} as const
export type LengthKind = keyof typeof MaxLength

/** How many characters (code points, so an emoji counts once) a text has. */
export const characters = (text: string): number => {
  let n = 0
  for (const _ of text) n++
  return n
}

/** The text itself, or `InputTooLong` naming the field when it has more than `max` characters. */
export const checkLength = (field: string, max: number, text: string): Either.Either<string, InputTooLong> => {
  // UTF-16 units are never fewer than code points: only a long text needs counting
  if (text.length <= max) return Either.right(text)
  const length = characters(text)
  return length <= max ? Either.right(text) : Either.left(new InputTooLong({ field, max, length }))
}

/** `checkLength` with one of the `MaxLength` kinds. */
export const checkKind = (field: string, kind: LengthKind, text: string): Either.Either<string, InputTooLong> =>
  checkLength(field, MaxLength[kind], text)

// control characters (Cc), format characters (Cf: the bidi embeddings, overrides and isolates
// U+202A–202E and U+2066–2069, the marks U+200E/200F and U+061C, zero-width space and joiners,
// U+FEFF …), and the line and paragraph separators: none of them is visible where a name is shown
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u

/** The first invisible or control character of a text as `U+XXXX`, or `undefined` when it has none. */
export const invisibleCharacter = (text: string): string | undefined => {
  const match = INVISIBLE.exec(text)
  return match === null ? undefined : `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`
}

/** The bounds of a whole-number field. */
export interface Bounds {
  readonly min: number
  readonly max: number
}

/** How many results a list returns at most: `--limit` and its like. */
export const LIST_LIMIT: Bounds = { min: 1, max: 10_000 }

/**
 * A whole number written in decimal digits (no sign, exponent, fraction, spaces or hex) within
 * the bounds, or `InvalidInput` naming the field and the bounds.
 */
export const parseWholeNumber = (field: string, text: string, bounds: Bounds): Either.Either<number, InvalidInput> => {
  const bad = () => new InvalidInput({ field, reason: `use a whole number from ${bounds.min} to ${bounds.max}` })
  if (!/^[0-9]{1,16}$/.test(text)) return Either.left(bad())
  const n = Number(text)
  return Number.isSafeInteger(n) && n >= bounds.min && n <= bounds.max ? Either.right(n) : Either.left(bad())
}

/** Whether a number fits the bounds as a whole number (for values that arrive as numbers). */
export const isWithin = (n: number, bounds: Bounds): boolean => Number.isSafeInteger(n) && n >= bounds.min && n <= bounds.max

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * An instant written in ISO 8601: a calendar date `YYYY-MM-DD` (its midnight UTC) or a date and
 * time `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or an offset (UTC when none is given). Anything else
 * — "Dec 25 2027", a day that does not exist, a time of 25:00 — is `InvalidInput`.
 */
export const parseIsoInstant = (field: string, text: string): Either.Either<Date, InvalidInput> => {
  const bad = () => new InvalidInput({ field, reason: "use an ISO 8601 date or date-time, e.g. 2027-12-25 or 2027-12-25T17:00:00Z" })
  const match = ISO.exec(text.trim())
  if (match === null) return Either.left(bad())
  const [, y, mo, d, h = "00", mi = "00", s = "00", fraction = "", zone = "Z"] = match
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s)
  const calendar = new Date(Date.UTC(year, month - 1, day))
  if (
    year < 1 || calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day ||
    hour > 23 || minute > 59 || second > 59
  ) return Either.left(bad())
  let offsetMinutes = 0
  if (zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "")
    const oh = Number(digits.slice(1, 3)), om = Number(digits.slice(3, 5))
    if (oh > 23 || om > 59) return Either.left(bad())
    offsetMinutes = (digits.startsWith("-") ? -1 : 1) * (oh * 60 + om)
  }
  const ms = Number(`0.${fraction || "0"}`) * 1000
  return Either.right(new Date(Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(ms) - offsetMinutes * 60_000))
}

/** A value that is malformed for its field (a date, a number, an enum). */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  field: Schema.String,
  reason: Schema.String
}) {
  static readonly httpStatus = 400 satisfies HttpStatus
  override get message() {
    return `Invalid ${this.field}: ${this.reason}.`
  }
}

/** An input longer than its field allows; nothing of it is echoed back (it may be huge). */
export class InputTooLong extends Schema.TaggedError<InputTooLong>()("InputTooLong", {
  field: Schema.String,
  max: Schema.Number,
  length: Schema.Number
}) {
  static readonly httpStatus = 400 satisfies HttpStatus
  override get message() {
    return `Too long: ${this.field} has ${this.length} characters, at most ${this.max}.`
  }
}

/** A name (role, group, organization, app) that breaks the naming rule. */
export class InvalidName extends Schema.TaggedError<InvalidName>()("InvalidName", {
  kind: Schema.String,
  name: Schema.String,
  rule: Schema.String
}) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `"${this.name}" is not a valid ${this.kind} name: ${this.rule}.`
  }
}

/** A file that cannot be read (missing, unreadable, not text). */
export class FileUnreadable extends Schema.TaggedError<FileUnreadable>()("FileUnreadable", { path: Schema.String, reason: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `Cannot read ${this.path}: ${this.reason}.`
  }
}
