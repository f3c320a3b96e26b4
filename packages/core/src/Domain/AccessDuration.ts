/**
 * Time-bound access: how long a grant lasts, written as a whole number and a unit (`90m`, `8h`,
 * `3d`, `2w`), and the instant it ends. Pure; every front-end (the CLI's `--for`, the dashboard,
 * the bot) reads durations through here so they all accept and refuse the same.
 */
import { Either } from "effect"
import { InvalidInput } from "./Input.js"

/** The units a duration takes, in milliseconds: minutes, hours, days, weeks. */
export const units = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const
export type Unit = keyof typeof units

/** The shortest time-bound grant: one minute. */
export const MIN_MS = units.m
/** The longest: 365 days (longer access is not time-bound; grant it without an expiry). */
export const MAX_MS = 365 * units.d

// digits are capped so a huge number is refused by its bounds, never read imprecisely
const DURATION = /^([0-9]{1,9})([mhdw])$/

const reason = "use a whole number with m, h, d or w (minutes, hours, days, weeks), from 1m to 365d, e.g. 8h or 3d"

/** A duration's length in milliseconds, or `InvalidInput` naming the field and the rule. */
export const parse = (field: string, text: string): Either.Either<number, InvalidInput> => {
  const match = DURATION.exec(text.trim())
  if (match === null) return Either.left(new InvalidInput({ field, reason }))
  const ms = Number(match[1]) * units[match[2] as Unit]
  return ms >= MIN_MS && ms <= MAX_MS ? Either.right(ms) : Either.left(new InvalidInput({ field, reason }))
}

/** The instant a grant made at `at` for the duration ends. */
export const expiryAfter = (field: string, text: string, at: Date): Either.Either<Date, InvalidInput> =>
  Either.map(parse(field, text), (ms) => new Date(at.getTime() + ms))

/** A length in milliseconds as the largest unit that writes it whole (`8h`, `3d`, `90m`): `parse`'s inverse. */
export const format = (ms: number): string => {
  for (const unit of ["w", "d", "h", "m"] as const) {
    if (ms % units[unit] === 0) return `${ms / units[unit]}${unit}`
  }
  return `${Math.round(ms / units.m)}m`
}
