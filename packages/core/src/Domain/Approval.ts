import { Schema } from "effect"

/** Where a request stands (DESIGN §4); `expired` is also derived for pending requests past their date. */
export const ApprovalStatus = Schema.Literal("pending", "approved", "executed", "denied", "expired", "canceled", "failed")
export type ApprovalStatus = typeof ApprovalStatus.Type

const Person = Schema.Struct({ id: Schema.String, email: Schema.String })

/** The actions that wait for a second person, with what they act on. */
export const ApprovalAction = Schema.Union(
  Schema.TaggedStruct("user.delete", { user: Person }),
  Schema.TaggedStruct("org.members.remove", { org: Schema.String, users: Schema.Array(Person) }),
  Schema.TaggedStruct("role.grant", {
    role: Schema.String,
    principal: Schema.Union(
      Schema.Struct({ type: Schema.Literal("user"), id: Schema.String, label: Schema.String }),
      Schema.Struct({ type: Schema.Literal("group"), id: Schema.String, label: Schema.String, org: Schema.String })
    ),
    scope: Schema.String,
    expiresAt: Schema.NullOr(Schema.String)
  }),
  Schema.TaggedStruct("users.suspend", { users: Schema.Array(Person) }),
  /** a person's first sign-in through the identity provider, held under `oidc.auto-register` pending */
  Schema.TaggedStruct("user.register", { user: Person, org: Schema.String, issuer: Schema.String })
)
export type ApprovalAction = typeof ApprovalAction.Type

const list = (users: ReadonlyArray<{ readonly email: string }>, max = 3) =>
  users.length <= max
    ? users.map((u) => u.email).join(", ")
    : `${users.slice(0, max).map((u) => u.email).join(", ")} and ${users.length - max} more`

/** One line saying what approving will do, for lists, mails and Slack. */
export const summarize = (action: ApprovalAction): string => {
  switch (action._tag) {
    case "user.delete":
      return `Delete the account ${action.user.email}`
    case "org.members.remove":
      return `Remove ${action.users.length} users from ${action.org}: ${list(action.users)}`
    case "role.grant":
      return `Grant ${action.role}@${action.scope} to ${action.principal.label}${action.expiresAt === null ? "" : ` until ${action.expiresAt.slice(0, 16).replace("T", " ")} UTC`}`
    case "users.suspend":
      return `Suspend ${action.users.length} users: ${list(action.users)}`
    case "user.register":
      return `Let ${action.user.email} into ${action.org} (first sign-in through ${action.issuer})`
  }
}

/** An approval request as every front-end shows it. */
export interface ApprovalRequest {
  readonly id: string
  readonly action: ApprovalAction["_tag"]
  readonly payload: ApprovalAction
  readonly summary: string
  /** where `approvals.decide` is needed to decide it */
  readonly scopes: ReadonlyArray<string>
  readonly requestedBy: string
  readonly requestedById: string
  readonly requestedVia: string
  readonly reason: string
  readonly status: ApprovalStatus
  readonly createdAt: string
  readonly expiresAt: string
  readonly decidedBy: string | null
  readonly decidedAt: string | null
  readonly note: string | null
  /** what the execution did (executed) */
  readonly result: unknown
  /** why the execution failed (failed) */
  readonly error: string | null
  /** where the request was posted in Slack, so its message can be updated later */
  readonly slack: { readonly channel: string; readonly ts: string } | null
  readonly version: number
}

/** The status a stored request has at an instant: a pending one past its expiry is `expired`. */
export const statusAt = (stored: ApprovalStatus, expiresAt: string, now: Date): ApprovalStatus =>
  stored === "pending" && Date.parse(expiresAt) <= now.getTime() ? "expired" : stored

/**
 * What a request acts on, as one string: two pending requests with the same action and key
 * would do the same thing, so only the first may be pending (the second is refused naming it).
 */
export const targetKey = (action: ApprovalAction): string => {
  switch (action._tag) {
    case "user.delete":
      return action.user.id
    case "org.members.remove":
      return `${action.org}:${action.users.map((u) => u.id).sort().join(",")}`
    case "role.grant":
      return `${action.principal.type}:${action.principal.id}:${action.role}:${action.scope}`
    case "users.suspend":
      return action.users.map((u) => u.id).sort().join(",")
    case "user.register":
      return action.user.id
  }
}
