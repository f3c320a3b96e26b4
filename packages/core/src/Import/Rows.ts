/** Turning an import line's fields into a validated row, with core's profile rules. Pure. */
import { Either } from "effect"
import { InvalidProfile, type InvalidScope } from "../Domain/Errors.js"
import * as Scope from "../Domain/Scope.js"
import { normalizeEmail, normalizeProfile, type Profile, type ProfileError, type ProfileInput } from "../Domain/User.js"
import type { Header } from "./Csv.js"
import { CsvLineMalformed } from "./Errors.js"

/** A `role` or `role@scope` item of the roles column; no scope means the import's organization. */
export interface RoleItem {
  readonly role: string
  readonly scope: Scope.Scope | undefined
}

/** A `name` or `org/name` item of the groups column; no organization means the import's. */
export interface GroupItem {
  readonly org: string | undefined
  readonly name: string
}

/** A line that decoded: its e-mail, the profile fields it gives (empty cells give none), roles and groups. */
export interface ImportRow {
  readonly line: number
  readonly email: string
  readonly profile: Profile
  /** slugs of the organizations the account belongs to (besides the import's, for a new one) */
  readonly orgs: ReadonlyArray<string>
  readonly roles: ReadonlyArray<RoleItem>
  readonly groups: ReadonlyArray<GroupItem>
}

/** Why a line's fields are not a row. */
export type DecodeError = CsvLineMalformed | ProfileError | InvalidScope

/** Splits a `;`-separated cell into its trimmed, non-empty items. */
export const items = (cell: string): ReadonlyArray<string> => cell.split(";").map((s) => s.trim()).filter((s) => s !== "")

/** Parses `role` or `role@scope`. */
export const parseRoleItem = (text: string): Either.Either<RoleItem, InvalidScope> => {
  const at = text.indexOf("@")
  if (at < 0) return Either.right({ role: text, scope: undefined })
  return Either.map(Scope.parse(text.slice(at + 1)), (scope) => ({ role: text.slice(0, at).trim(), scope }))
}

/** Parses `name` or `org/name`. */
export const parseGroupItem = (text: string): GroupItem => {
  const slash = text.indexOf("/")
  return slash > 0 ? { org: text.slice(0, slash).trim().toLowerCase(), name: text.slice(slash + 1).trim() } : { org: undefined, name: text }
}

/** Takes off the `'` an export puts before a cell a spreadsheet would run as a formula (`'=…`, `'+…`, `'-…`, `'@…`). */
export const unescapeFormula = (cell: string): string => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell)

const PROFILE_COLUMNS = ["firstName", "lastName", "phone", "gender", "birthday", "orgUnit", "position"] as const

/**
 * Decodes one line's fields: as many as the header has, a valid e-mail, a profile that passes
 * `normalizeProfile` (empty cells leave a field out: an import never clears one), well-formed
 * role and group items. The first problem found is the error.
 */
export const decodeRow = (header: Header, fields: ReadonlyArray<string>, line: number, today: Date): Either.Either<ImportRow, DecodeError> => {
  const columns = header.columns
  if (fields.length !== columns.length) {
    return Either.left(new CsvLineMalformed({ reason: `it has ${fields.length} field${fields.length === 1 ? "" : "s"}; the header has ${columns.length}` }))
  }
  const cell: Partial<Record<(typeof columns)[number], string>> = {}
  for (let i = 0; i < columns.length; i++) cell[columns[i]!] = unescapeFormula(fields[i]!)
  const emailText = cell.email ?? ""
  if (emailText.trim() === "") return Either.left(new InvalidProfile({ field: "e-mail", reason: "must not be empty" }))
  const email = normalizeEmail(emailText)
  if (Either.isLeft(email)) return Either.left(email.left)
  const input: { -readonly [K in keyof ProfileInput]: ProfileInput[K] } = {}
  for (const column of PROFILE_COLUMNS) {
    const value = cell[column]
    if (value !== undefined && value.trim() !== "") input[column] = value
  }
  const profile = normalizeProfile(input, today)
  if (Either.isLeft(profile)) return Either.left(profile.left)
  const roles: Array<RoleItem> = []
  for (const text of items(cell.roles ?? "")) {
    const role = parseRoleItem(text)
    if (Either.isLeft(role)) return Either.left(role.left)
    roles.push(role.right)
  }
  const groups = items(cell.groups ?? "").map(parseGroupItem)
  const orgs = [...new Set(items(cell.orgs ?? "").map((slug) => slug.toLowerCase()))]
  return Either.right({ line, email: email.right, profile: profile.right, orgs, roles, groups })
}

/** The e-mail a line names, when it has a valid one (so a bad row can still be told by its e-mail). */
export const emailOf = (header: Header, fields: ReadonlyArray<string>): string | null => {
  const index = header.columns.indexOf("email")
  const text = fields[index]
  return text === undefined ? null : Either.getOrNull(normalizeEmail(unescapeFormula(text)))
}
