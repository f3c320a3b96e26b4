import { Either } from "effect"
import { InvalidInput } from "../Domain/Errors.js"
import { UserStatus } from "../Domain/User.js"

/** The filter of the users view: free text over name, e-mail and phone, plus `key:value` tokens. */
export interface UserFilter {
  /** the search terms; a user matches when every term occurs in its name, e-mail or phone */
  readonly terms: ReadonlyArray<string>
  readonly status?: UserStatus
  readonly org?: string
  readonly group?: string
  readonly role?: string
}

/** The token keys a filter understands, in the order `formatUserFilter` writes them. */
export const filterKeys = ["status", "org", "group", "role"] as const
export type FilterKey = typeof filterKeys[number]

const STATUSES: ReadonlyArray<UserStatus> = UserStatus.literals.filter((s) => s !== "deleted")

const PHONE_LIKE = /^\+?[\d\s().-]{3,}$/

/** One whitespace-separated word, or a `key:"quoted value"` (group names may hold spaces). */
const TOKEN = /([a-z]+):"([^"]*)"?|(\S+)/gi

/** A status from a whole name or an unambiguous prefix (`status:sus` while typing). */
const statusFrom = (text: string): Either.Either<UserStatus | undefined, InvalidInput> => {
  const value = text.toLowerCase()
  if (value === "") return Either.right(undefined)
  const matches = STATUSES.filter((s) => s.startsWith(value))
  const exact = STATUSES.find((s) => s === value)
  if (exact !== undefined) return Either.right(exact)
  if (matches.length === 1) return Either.right(matches[0])
  return Either.left(new InvalidInput({ field: "status filter", reason: `"${text}" is not one of ${STATUSES.join(", ")}` }))
}

/**
 * Parses the users view's filter text: `status:`, `org:`, `group:` and `role:` tokens (a token
 * without a value yet is ignored, so typing never fails half-way) and search words. A text that
 * looks like a phone number is one term of its digits, as `normalizeSearch` does.
 */
export const parseUserFilter = (text: string): Either.Either<UserFilter, InvalidInput> => {
  const words: Array<string> = []
  const tokens: { -readonly [K in FilterKey]?: string } = {}
  for (const match of text.matchAll(TOKEN)) {
    const [, quotedKey, quotedValue, word] = match
    const raw = word ?? ""
    const colon = raw.indexOf(":")
    const key = (quotedKey ?? (colon > 0 ? raw.slice(0, colon) : undefined))?.toLowerCase()
    if (key === undefined) {
      words.push(raw)
      continue
    }
    if (!(filterKeys as ReadonlyArray<string>).includes(key)) {
      return Either.left(new InvalidInput({ field: "filter", reason: `unknown filter "${key}:"; use ${filterKeys.map((k) => `${k}:`).join(", ")}` }))
    }
    const value = (quotedValue ?? raw.slice(colon + 1)).trim()
    if (value === "") delete tokens[key as FilterKey]
    else tokens[key as FilterKey] = value
  }
  const free = words.join(" ").trim().toLowerCase()
  const terms = free === "" ? [] : PHONE_LIKE.test(free) ? [free.replace(/[^\d+]/g, "")] : free.split(/\s+/)
  return Either.map(statusFrom(tokens.status ?? ""), (status) => ({
    terms: terms.filter((t) => t !== ""),
    ...(status !== undefined ? { status } : {}),
    ...(tokens.org !== undefined ? { org: tokens.org.toLowerCase() } : {}),
    ...(tokens.group !== undefined ? { group: tokens.group } : {}),
    ...(tokens.role !== undefined ? { role: tokens.role } : {})
  }))
}

const quote = (value: string) => /\s|"/.test(value) ? `"${value.replace(/"/g, "")}"` : value

/** Writes a filter back as text that `parseUserFilter` reads as the same filter. */
export const formatUserFilter = (filter: UserFilter): string =>
  [
    ...filterKeys.flatMap((k) => filter[k] === undefined ? [] : [`${k}:${quote(filter[k])}`]),
    ...filter.terms
  ].join(" ")

/**
 * The filter text with its `status:` token replaced (or removed, for `undefined`), everything
 * else kept as typed: what the status keys of the users view do.
 */
export const withStatus = (text: string, status: UserStatus | undefined): string => {
  const rest = text.replace(/(^|\s+)status:("[^"]*"?|\S*)/gi, "").trim()
  return status === undefined ? rest : `status:${status}${rest === "" ? "" : ` ${rest}`}`
}
