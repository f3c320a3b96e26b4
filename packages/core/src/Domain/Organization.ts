import { Schema } from "effect"
import { AppId, OrgId, UserId } from "./Ids.js"
import type { HttpStatus } from "./HttpStatus.js"

/** An organization (tenant); a fresh directory has one, the default. */
export const Organization = Schema.Struct({
  id: OrgId,
  slug: Schema.String,
  name: Schema.String
})
export type Organization = typeof Organization.Type

/** A user's membership of an organization; removing it never deletes the account. */
export const Membership = Schema.Struct({
  userId: UserId,
  orgId: OrgId,
  joinedAt: Schema.String
})
export type Membership = typeof Membership.Type

/** An app of an organization: the scope `app:<org>/<app>` roles can be granted at. */
export const App = Schema.Struct({
  id: AppId,
  org: Schema.String,
  slug: Schema.String,
  name: Schema.String,
  scope: Schema.String
})
export type App = typeof App.Type

/** No organization with that slug. */
export class OrgNotFound extends Schema.TaggedError<OrgNotFound>()("OrgNotFound", { org: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No organization ${this.org}.`
  }
}

/** An organization with that slug exists already. */
export class OrgExists extends Schema.TaggedError<OrgExists>()("OrgExists", { org: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `An organization ${this.org} exists already.`
  }
}

/** No app with that name in the organization. */
export class AppNotFound extends Schema.TaggedError<AppNotFound>()("AppNotFound", { app: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No app ${this.app}.`
  }
}

/** The organization has an app of that name already. */
export class AppExists extends Schema.TaggedError<AppExists>()("AppExists", { app: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `An app ${this.app} exists already.`
  }
}

/** The user is not a member of the organization. */
export class NotAMember extends Schema.TaggedError<NotAMember>()("NotAMember", {
  user: Schema.String,
  org: Schema.String
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `${this.user} is not a member of ${this.org}.`
  }
}
