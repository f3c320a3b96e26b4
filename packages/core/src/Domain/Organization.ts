import { Schema } from "effect"
import { AppId, OrgId, UserId } from "./Ids.js"

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
