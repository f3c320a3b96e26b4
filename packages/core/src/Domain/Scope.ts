import { Either, Schema } from "effect"
import type { HttpStatus } from "./HttpStatus.js"

/**
 * Where a grant applies: `provider` ⊃ `org:<slug>` ⊃ `app:<org>/<app>`.
 * Kept as its canonical string so it can be a map key and a column value.
 */
export type Scope = string & { readonly Scope: unique symbol }

/** The scope that contains every other. */
export const provider = "provider" as Scope

const slug = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
/** A slug: lower-case letters, digits and inner dashes, at most 63 characters. */
export const SLUG = new RegExp(`^${slug}$`)
const SCOPE = new RegExp(`^(?:provider|org:(${slug})|app:(${slug})/(${slug}))$`)

/** Parses `provider`, `org:<slug>` or `app:<org>/<app>`. */
export const parse = (text: string): Either.Either<Scope, InvalidScope> => {
  const trimmed = text.trim()
  return SCOPE.test(trimmed)
    ? Either.right(trimmed as Scope)
    : Either.left(new InvalidScope({ scope: text }))
}

/** The organization scope of a slug. */
export const org = (orgSlug: string): Scope => `org:${orgSlug}` as Scope

/** The app scope of an org slug and app slug. */
export const app = (orgSlug: string, appSlug: string): Scope => `app:${orgSlug}/${appSlug}` as Scope

/** The organization slug a scope lies in (none for `provider`). */
export const orgSlugOf = (scope: Scope): string | undefined => {
  if (scope.startsWith("org:")) return scope.slice(4)
  if (scope.startsWith("app:")) return scope.slice(4, scope.indexOf("/"))
  return undefined
}

/** The app slug of an app scope. */
export const appSlugOf = (scope: Scope): string | undefined =>
  scope.startsWith("app:") ? scope.slice(scope.indexOf("/") + 1) : undefined

/** The scope itself and every scope containing it, narrowest first. */
export const ancestors = (scope: Scope): ReadonlyArray<Scope> => {
  if (scope === provider) return [provider]
  if (scope.startsWith("org:")) return [scope, provider]
  return [scope, org(orgSlugOf(scope)!), provider]
}

/** Whether a grant at `outer` applies at `inner`. */
export const contains = (outer: Scope, inner: Scope): boolean =>
  outer === inner ||
  outer === provider ||
  (outer.startsWith("org:") && inner.startsWith("app:") && orgSlugOf(inner) === orgSlugOf(outer))

/** Not of the form provider, org:<slug> or app:<org>/<app>. */
export class InvalidScope extends Schema.TaggedError<InvalidScope>()("InvalidScope", { scope: Schema.String }) {
  static readonly httpStatus = 400 satisfies HttpStatus
  override get message() {
    return `"${this.scope}" is not a scope; use provider, org:<slug> or app:<org>/<app>.`
  }
}

/** A well-formed scope naming an organization or app that does not exist. */
export class ScopeNotFound extends Schema.TaggedError<ScopeNotFound>()("ScopeNotFound", { scope: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `The scope ${this.scope} names an organization or app that does not exist.`
  }
}
