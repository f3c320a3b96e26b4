import { Schema } from "effect"
import type { HttpStatus } from "./HttpStatus.js"

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
    expiresAt: Schema.NullOr(Schema.String),
    /** a time-bound grant's duration (`8h`): its expiry counts from the approval, not the request */
    expiresIn: Schema.optional(Schema.String)
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
      return `Grant ${action.role}@${action.scope} to ${action.principal.label}${
        action.expiresIn !== undefined ? ` for ${action.expiresIn}` : action.expiresAt === null ? "" : ` until ${action.expiresAt.slice(0, 16).replace("T", " ")} UTC`
      }`
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

/**
 * The result of a use case that, under configuration or by rule, files a request instead of
 * acting: callers switch on `_tag` (`ApprovalRequested`, or the use case's own tag when it acted).
 */
export interface ApprovalRequested {
  readonly _tag: "ApprovalRequested"
  readonly approval: ApprovalRequest
}

/** Wraps a filed request as a use case's result. */
export const approvalRequested = (approval: ApprovalRequest): ApprovalRequested => ({ _tag: "ApprovalRequested", approval })

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

/** No approval request with that id. */
export class ApprovalNotFound extends Schema.TaggedError<ApprovalNotFound>()("ApprovalNotFound", { id: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No approval request ${this.id}.`
  }
}

/** The request was decided (or withdrawn) already; nothing happens twice. */
export class ApprovalNotPending extends Schema.TaggedError<ApprovalNotPending>()("ApprovalNotPending", {
  id: Schema.String,
  status: Schema.String,
  decidedBy: Schema.NullOr(Schema.String)
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Approval request ${this.id} is ${this.status} already${this.decidedBy === null ? "" : ` (by ${this.decidedBy})`}; nothing was changed.`
  }
}

/** The request expired before anyone decided it; ask again if it is still needed. */
export class ApprovalExpired extends Schema.TaggedError<ApprovalExpired>()("ApprovalExpired", { id: Schema.String, expiredAt: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Approval request ${this.id} expired at ${this.expiredAt.slice(0, 16).replace("T", " ")} UTC; request it again if it is still needed.`
  }
}

/** Four eyes: the requester cannot decide their own request. */
export class SelfApproval extends Schema.TaggedError<SelfApproval>()("SelfApproval", { id: Schema.String }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `You filed request ${this.id} yourself; someone else must approve or deny it.`
  }
}

/**
 * Four eyes that can't be faked: the decider's right to decide must predate the request, come
 * from someone other than the requester (not granted by them, directly or through a group they
 * filled, nor to a person they invited), and belong to an account active before the request.
 */
export class DeciderNotEligible extends Schema.TaggedError<DeciderNotEligible>()("DeciderNotEligible", { id: Schema.String, scopes: Schema.Array(Schema.String) }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `Your right to decide request ${this.id} at ${this.scopes.join(" and ")} does not count for it: it came after the request was filed, or from its requester (a grant they made, a group they added you to, or their invitation). Someone else must decide it.`
  }
}

/** A request for the same action on the same target is already waiting: decide or cancel that one. */
export class ApprovalAlreadyPending extends Schema.TaggedError<ApprovalAlreadyPending>()("ApprovalAlreadyPending", {
  id: Schema.String,
  summary: Schema.String,
  requestedBy: Schema.String
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Request ${this.id} (${this.summary}, filed by ${this.requestedBy}) is already waiting for the same thing; decide or cancel it instead of filing another.`
  }
}

/** Nobody but the requester could ever decide the request, so it is refused up front. */
export class NoEligibleApprover extends Schema.TaggedError<NoEligibleApprover>()("NoEligibleApprover", { scopes: Schema.Array(Schema.String) }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Nobody else could approve this: grant the approver role at ${this.scopes.join(" and ")} to someone other than you first.`
  }
}

/**
 * A role that configuration puts behind four-eyes approval, asked for where no request can be
 * filed (an invitation, a new account, a bulk import): it is granted afterwards, with approval.
 */
export class GrantNeedsApproval extends Schema.TaggedError<GrantNeedsApproval>()("GrantNeedsApproval", {
  role: Schema.String,
  scope: Schema.String,
  /** the group whose joining would grant it */
  group: Schema.optional(Schema.String)
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return this.group === undefined
      ? `Granting ${this.role} at ${this.scope} needs approval in this directory: leave it out here, then grant the role on its own, which files the request.`
      : `Joining ${this.group} grants ${this.role} at ${this.scope}, which needs approval in this directory: grant the role itself instead, which files the request.`
  }
}

/** An action that needs approval was asked for without a reason. */
export class ReasonRequired extends Schema.TaggedError<ReasonRequired>()("ReasonRequired", {
  action: Schema.String,
  /** a denial, whose reason goes to the requester, rather than a request */
  denial: Schema.optional(Schema.Boolean)
}) {
  static readonly httpStatus = 400 satisfies HttpStatus
  override get message() {
    return this.denial === true
      ? `Give a reason for denying "${this.action}": the requester is told why.`
      : `${this.action} needs approval: give a reason for the approvers.`
  }
}
