/**
 * What an identity provider sends, read into usher's terms: a SCIM User resource decoded by
 * Schema, then coerced the way Okta and Entra really send it (`"False"` for false, an e-mail only
 * as the `userName`, a name only as `displayName`). Nothing here decides a rule: the use cases in
 * `Scim/Users.ts` and `Scim/Groups.ts` check the result as any other input.
 */
import { Either, ParseResult, Schema } from "effect"
import type { HttpStatus } from "../Domain/HttpStatus.js"
import { ENTERPRISE_USER_SCHEMA } from "./Resources.js"

/** A SCIM resource or value that does not fit (RFC 7644 `invalidValue`). */
export class ScimInvalidValue extends Schema.TaggedError<ScimInvalidValue>()("ScimInvalidValue", { reason: Schema.String }) {
  static readonly httpStatus = 400 satisfies HttpStatus
  override get message() {
    return `The SCIM resource is not valid: ${this.reason}.`
  }
}

/** Another account already has this `userName` (RFC 7644 `uniqueness`). */
export class ScimUserNameTaken extends Schema.TaggedError<ScimUserNameTaken>()("ScimUserNameTaken", { userName: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Another account already has the userName ${this.userName}.`
  }
}

const Text = Schema.String.pipe(Schema.maxLength(1_000))
const MaybeText = Schema.optional(Schema.NullOr(Text))
const MultiValue = Schema.Struct({ value: MaybeText, type: MaybeText, primary: Schema.optional(Schema.Unknown) })

/** A User resource as far as usher keeps it; other attributes are ignored, as RFC 7643 lets a provider do. */
const UserResource = Schema.Struct({
  userName: Text,
  externalId: MaybeText,
  name: Schema.optional(Schema.NullOr(Schema.Struct({ givenName: MaybeText, familyName: MaybeText, formatted: MaybeText }))),
  displayName: MaybeText,
  emails: Schema.optional(Schema.NullOr(Schema.Array(MultiValue).pipe(Schema.maxItems(50)))),
  phoneNumbers: Schema.optional(Schema.NullOr(Schema.Array(MultiValue).pipe(Schema.maxItems(50)))),
  title: MaybeText,
  active: Schema.optional(Schema.Unknown),
  [ENTERPRISE_USER_SCHEMA]: Schema.optional(Schema.NullOr(Schema.Struct({ department: MaybeText })))
})

/** A user as SCIM describes it, in usher's fields. */
export interface ScimUserFields {
  readonly userName: string
  readonly externalId: string | null
  readonly firstName: string
  readonly lastName: string
  readonly email: string
  readonly phone: string | null
  readonly position: string | null
  readonly orgUnit: string | null
  readonly active: boolean
}

/** `true`, `false`, or the strings Entra sends for them (`"True"`, `"False"`), any case. */
export const booleanOf = (value: unknown, field: string): Either.Either<boolean, ScimInvalidValue> => {
  if (typeof value === "boolean") return Either.right(value)
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return Either.right(value.trim().toLowerCase() === "true")
  return Either.left(new ScimInvalidValue({ reason: `${field} must be true or false` }))
}

const present = (text: string | null | undefined): string | undefined => {
  const trimmed = text?.trim()
  return trimmed === undefined || trimmed === "" ? undefined : trimmed
}

/** The primary value, else the `work` one, else the first (RFC 7643 §2.4). */
const chosen = (values: ReadonlyArray<typeof MultiValue.Type> | null | undefined): string | undefined => {
  const usable = (values ?? []).filter((v) => present(v.value) !== undefined)
  const primary = usable.find((v) => Either.getOrElse(booleanOf(v.primary ?? false, "primary"), () => false))
  return present((primary ?? usable.find((v) => v.type?.toLowerCase() === "work") ?? usable[0])?.value)
}

const looksLikeEmail = (text: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)

/**
 * Reads a User resource: the e-mail is the primary (else `work`, else first) e-mail, or the
 * `userName` when no e-mail is given and it is one; names from `name`, else split from
 * `displayName` or `name.formatted`; `title` is the position, the enterprise `department` the
 * organizational unit; `active` defaults to true.
 */
export const decodeScimUser = (resource: unknown): Either.Either<ScimUserFields, ScimInvalidValue> =>
  Either.gen(function*() {
    const user = yield* Schema.decodeUnknownEither(UserResource)(resource).pipe(
      Either.mapLeft((error) => new ScimInvalidValue({ reason: ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 4).join(" ") }))
    )
    const userName = present(user.userName)
    if (userName === undefined) return yield* Either.left(new ScimInvalidValue({ reason: "userName is required" }))
    const email = chosen(user.emails) ?? (looksLikeEmail(userName) ? userName : undefined)
    if (email === undefined) return yield* Either.left(new ScimInvalidValue({ reason: "an e-mail is required: in emails, or as a userName that is one" }))
    const whole = present(user.displayName) ?? present(user.name?.formatted)
    const [first, ...rest] = (whole ?? "").split(/\s+/)
    const firstName = present(user.name?.givenName) ?? present(first)
    const lastName = present(user.name?.familyName) ?? present(rest.join(" "))
    if (firstName === undefined || lastName === undefined) {
      return yield* Either.left(new ScimInvalidValue({ reason: "name.givenName and name.familyName are required (or a displayName of both)" }))
    }
    const active = user.active === undefined || user.active === null ? true : yield* booleanOf(user.active, "active")
    return {
      userName,
      externalId: present(user.externalId) ?? null,
      firstName,
      lastName,
      email,
      phone: chosen(user.phoneNumbers) ?? null,
      position: present(user.title) ?? null,
      orgUnit: present(user[ENTERPRISE_USER_SCHEMA]?.department) ?? null,
      active
    } satisfies ScimUserFields
  })

const GroupResource = Schema.Struct({
  displayName: Text,
  externalId: MaybeText,
  members: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({ value: Text })).pipe(Schema.maxItems(100_000))))
})

/** A group as SCIM describes it: its name, the IdP's id, the ids of its members. */
export interface ScimGroupFields {
  readonly displayName: string
  readonly externalId: string | null
  readonly members: ReadonlyArray<string>
}

/** Reads a Group resource. */
export const decodeScimGroup = (resource: unknown): Either.Either<ScimGroupFields, ScimInvalidValue> =>
  Either.gen(function*() {
    const group = yield* Schema.decodeUnknownEither(GroupResource)(resource).pipe(
      Either.mapLeft((error) => new ScimInvalidValue({ reason: ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 4).join(" ") }))
    )
    const displayName = present(group.displayName)
    if (displayName === undefined) return yield* Either.left(new ScimInvalidValue({ reason: "displayName is required" }))
    return { displayName, externalId: present(group.externalId) ?? null, members: [...new Set((group.members ?? []).map((m) => m.value.trim()))] }
  })
