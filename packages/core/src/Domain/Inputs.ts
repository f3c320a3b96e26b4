import { Effect, Either, ParseResult, Schema } from "effect"
import { InvalidInput } from "./Input.js"

/**
 * The structured inputs of core's mutating use cases, as Schemas: every front-end (the CLI, the
 * Slack bot, pages, the APIs) decodes what it assembled through the same one, so a wrong shape
 * is refused alike everywhere. They check shape only (strings, lists, literals); the rules of a
 * value (an e-mail, a phone number, a length) stay with the use case, which checks them for
 * every caller.
 */

/** An optional field that, when present, holds a value (never `undefined`: exact optional properties). */
const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

const Text = Schema.String
const Texts = Schema.Array(Schema.String)

/** The editable part of a user (`updateUser`'s patch); `null` clears an optional field, absence leaves it alone. */
export const ProfileInput = Schema.Struct({
  email: optional(Text),
  firstName: optional(Text),
  lastName: optional(Text),
  phone: optional(Schema.NullOr(Text)),
  gender: optional(Schema.NullOr(Text)),
  birthday: optional(Schema.NullOr(Text)),
  orgUnit: optional(Schema.NullOr(Text)),
  position: optional(Schema.NullOr(Text)),
  kind: optional(Text)
})
export type ProfileInput = typeof ProfileInput.Type

/** Where a new account starts: its organization, roles at a scope, groups. */
const Placement = {
  /** organization to join (default: the directory's default organization) */
  org: optional(Text),
  /** roles granted at `scope` */
  roles: optional(Texts),
  /** scope of the roles (default: the organization's scope) */
  scope: optional(Text),
  /** groups to join, `NAME` (in `org`) or `ORG/NAME` */
  groups: optional(Texts)
}

/** `createUser`: a provisioned account with a temporary password. */
export const CreateUserInput = Schema.Struct({ ...ProfileInput.fields, email: Text, firstName: Text, lastName: Text, ...Placement })
export type CreateUserInput = typeof CreateUserInput.Type

/** `inviteUser`: an invited account and its invitation. */
export const InviteInput = Schema.Struct({
  ...ProfileInput.fields,
  email: Text,
  ...Placement,
  /** hand the registration link to the inviter instead of mailing it */
  link: optional(Schema.Boolean)
})
export type InviteInput = typeof InviteInput.Type

/** `updateUser`: whom, the patch, and the version the caller saw (a stale one is `ConcurrentModification`). */
export const UpdateUserInput = Schema.Struct({
  user: Text,
  patch: ProfileInput,
  expectedVersion: optional(Schema.Int.pipe(Schema.nonNegative()))
})
export type UpdateUserInput = typeof UpdateUserInput.Type

/** `acceptInvitation`: the invitee's side. */
export const AcceptInput = Schema.Struct({
  /** the token, or the whole link */
  token: Text,
  password: Text,
  firstName: optional(Text),
  lastName: optional(Text)
})
export type AcceptInput = typeof AcceptInput.Type

/** Who a grant or revocation is for: a user (e-mail or id) or a group (`NAME` or `ORG/NAME`). */
export const PrincipalRef = Schema.Union(Schema.Struct({ user: Text }), Schema.Struct({ group: Text }))
export type PrincipalRef = typeof PrincipalRef.Type

/** `grantRole`. */
export const GrantInput = Schema.Struct({
  role: Text,
  to: PrincipalRef,
  /** default: the default organization */
  scope: optional(Text),
  /** ISO 8601 (`2027-12-25` or a date-time; UTC unless it says otherwise); the grant stops counting then */
  expiresAt: optional(Text),
  /** or how long it lasts from now (`8h`, `3d`: `AccessDuration`); a gated grant's from its approval */
  expiresIn: optional(Text),
  /** why, for the approvers, when configuration gates admin grants */
  reason: optional(Text)
})
export type GrantInput = typeof GrantInput.Type

/** `revokeRole`. */
export const RevokeInput = Schema.Struct({ role: Text, from: PrincipalRef, scope: optional(Text) })
export type RevokeInput = typeof RevokeInput.Type

/** `createRole`: catalog and application permissions. */
export const CreateRoleInput = Schema.Struct({ name: Text, permissions: Texts, description: optional(Text) })
export type CreateRoleInput = typeof CreateRoleInput.Type

/** `createGroup`. */
export const CreateGroupInput = Schema.Struct({ name: Text, org: optional(Text) })
export type CreateGroupInput = typeof CreateGroupInput.Type

/** `createOrg`. */
export const CreateOrgInput = Schema.Struct({ slug: Text, name: optional(Text) })
export type CreateOrgInput = typeof CreateOrgInput.Type

/** `init`: the first admin and organization. */
export const InitInput = Schema.Struct({
  adminEmail: Text,
  firstName: optional(Text),
  lastName: optional(Text),
  /** slug of the first organization (default: from the admin's e-mail domain) */
  org: optional(Text),
  orgName: optional(Text)
})
export type InitInput = typeof InitInput.Type

/** What a session records of where it was opened. */
export const SessionMeta = Schema.Struct({ userAgent: optional(Text), ip: optional(Text) })
export type SessionMeta = typeof SessionMeta.Type

/** `signIn`. */
export const SignInInput = Schema.Struct({
  ...SessionMeta.fields,
  email: Text,
  password: Text,
  /** the new password, required when signing in with a temporary one */
  newPassword: optional(Text)
})
export type SignInInput = typeof SignInInput.Type

/** `changePassword`: the acting user's own. */
export const ChangePasswordInput = Schema.Struct({
  currentPassword: Text,
  newPassword: Text,
  /** the session to keep (the one the change was made from); every other one ends */
  keepSession: optional(Text)
})
export type ChangePasswordInput = typeof ChangePasswordInput.Type

/** `completePasswordReset`. */
export const ResetInput = Schema.Struct({ token: Text, password: Text })
export type ResetInput = typeof ResetInput.Type

/**
 * Where a decoding problem is (dotted: `to.user`, `roles.2`; `input` for the whole) and what is
 * wrong, in words that never echo the value given: it may be a password.
 */
const problemOf = (issue: ParseResult.ParseIssue): { readonly field: string; readonly reason: string } => {
  const path: Array<string> = []
  let at: ParseResult.ParseIssue = issue
  for (;;) {
    if (at._tag === "Pointer") {
      path.push(...(Array.isArray(at.path) ? at.path : [at.path]).map(String))
      at = at.issue
    } else if (at._tag === "Composite" && at.ast._tag !== "Union") {
      at = Array.isArray(at.issues) ? at.issues[0]! : at.issues as ParseResult.ParseIssue
    } else if (at._tag === "Refinement" || at._tag === "Transformation") at = at.issue
    else break
  }
  // a key that is not one of the schema's comes from the input: shown, but never empty nor long
  const field = path.length === 0 ? "input" : path.map((key) => key === "" ? '""' : key.length > 40 ? `${key.slice(0, 40)}…` : key).join(".")
  switch (at._tag) {
    case "Missing":
      return { field, reason: "is required" }
    case "Unexpected":
      return { field, reason: "is not a field of this input" }
    default:
      return { field, reason: `must be ${String(at.ast)}` }
  }
}

/**
 * Decodes what a front-end assembled (flags, a form, a JSON body) with one of these schemas.
 * Extra fields are refused, not dropped, so a misspelled field is never silently ignored. A wrong
 * shape is core's `InvalidInput`, naming the field, like every other refused value.
 */
export const decodeInput = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "error", errors: "first" })
  return (input: unknown): Either.Either<A, InvalidInput> => Either.mapLeft(decode(input), (error) => new InvalidInput(problemOf(error.issue)))
}

/**
 * A use case that takes what a front-end assembled, decoded first through the use case's input
 * schema: `decodeThen(GrantInput, grantRole)(fields)`. A wrong shape fails with `InvalidInput`.
 */
export const decodeThen = <A, I, B, E, R>(schema: Schema.Schema<A, I>, useCase: (input: A) => Effect.Effect<B, E, R>) => {
  const decode = decodeInput(schema)
  return (assembled: I): Effect.Effect<B, E | InvalidInput, R> => Either.match(decode(assembled), { onLeft: Effect.fail, onRight: useCase })
}
