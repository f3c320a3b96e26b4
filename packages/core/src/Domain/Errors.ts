import { Schema } from "effect"

/** No user with that e-mail or id (or it was deleted). */
export class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", { user: Schema.String }) {
  override get message() {
    return `No user ${this.user} in the directory.`
  }
}

/** Another account already uses that e-mail. */
export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", { email: Schema.String }) {
  override get message() {
    return `The e-mail ${this.email} is already used by another account.`
  }
}

/** Not an e-mail address. */
export class InvalidEmail extends Schema.TaggedError<InvalidEmail>()("InvalidEmail", {
  email: Schema.String,
  /** what is wrong, when more can be said than "not an address" */
  reason: Schema.optional(Schema.String)
}) {
  override get message() {
    return `"${this.email}" is not a valid e-mail address${this.reason === undefined ? "" : `: ${this.reason}`}.`
  }
}

/** Not a phone number (it must carry a country code, e.g. +44 20 7946 0958). */
export class InvalidPhone extends Schema.TaggedError<InvalidPhone>()("InvalidPhone", { phone: Schema.String }) {
  override get message() {
    return `"${this.phone}" is not a valid phone number; include the country code, e.g. +44 20 7946 0958.`
  }
}

/** A profile field that does not fit its rule. */
export class InvalidProfile extends Schema.TaggedError<InvalidProfile>()("InvalidProfile", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Invalid ${this.field}: ${this.reason}.`
  }
}

/** A lifecycle event that the user's current status does not allow. */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  from: Schema.String,
  event: Schema.String
}) {
  override get message() {
    return `Cannot ${this.event} a user who is ${this.from}.`
  }
}

/** The actor lacks a permission at a scope. */
export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", {
  permission: Schema.String,
  scope: Schema.String
}) {
  override get message() {
    return `Permission denied: you need ${this.permission} at ${this.scope}.`
  }
}

/** The actor tried to hand out permissions they do not hold themselves. */
export class EscalationDenied extends Schema.TaggedError<EscalationDenied>()("EscalationDenied", {
  role: Schema.String,
  scope: Schema.String,
  missing: Schema.Array(Schema.String)
}) {
  override get message() {
    return `You cannot grant ${this.role} at ${this.scope}: it carries ${this.missing.join(", ")}, which you do not hold there.`
  }
}

/** The row changed since it was read; nothing was written. */
export class ConcurrentModification extends Schema.TaggedError<ConcurrentModification>()("ConcurrentModification", {
  entity: Schema.String,
  id: Schema.String
}) {
  override get message() {
    return `The ${this.entity} ${this.id} was changed by someone else meanwhile; nothing was written. Reload and try again.`
  }
}

/** Not of the form provider, org:<slug> or app:<org>/<app>. */
export class InvalidScope extends Schema.TaggedError<InvalidScope>()("InvalidScope", { scope: Schema.String }) {
  override get message() {
    return `"${this.scope}" is not a scope; use provider, org:<slug> or app:<org>/<app>.`
  }
}

/** A well-formed scope naming an organization or app that does not exist. */
export class ScopeNotFound extends Schema.TaggedError<ScopeNotFound>()("ScopeNotFound", { scope: Schema.String }) {
  override get message() {
    return `The scope ${this.scope} names an organization or app that does not exist.`
  }
}

/** No role of that name. */
export class RoleNotFound extends Schema.TaggedError<RoleNotFound>()("RoleNotFound", { role: Schema.String }) {
  override get message() {
    return `No role named ${this.role}.`
  }
}

/** A role of that name exists already. */
export class RoleExists extends Schema.TaggedError<RoleExists>()("RoleExists", { role: Schema.String }) {
  override get message() {
    return `A role named ${this.role} exists already.`
  }
}

/** Not a permission name (catalog, or dotted lower-case application permission). */
export class InvalidPermission extends Schema.TaggedError<InvalidPermission>()("InvalidPermission", {
  permission: Schema.String,
  /** set when the name lies in a catalog namespace (`users.` …) but is not in the catalog: a typo, never an application permission */
  namespace: Schema.optional(Schema.String)
}) {
  override get message() {
    return this.namespace === undefined
      ? `"${this.permission}" is not a permission; use a catalog permission or a dotted lower-case name such as expenses.approve.`
      : `Unknown permission ${this.permission}: names under ${this.namespace}. are usher's own, and this one is not in its catalog (see usher roles show provider-admin); application permissions take a namespace of their own, such as expenses.approve.`
  }
}

/** A name (role, group, organization, app) that breaks the naming rule. */
export class InvalidName extends Schema.TaggedError<InvalidName>()("InvalidName", {
  kind: Schema.String,
  name: Schema.String,
  rule: Schema.String
}) {
  override get message() {
    return `"${this.name}" is not a valid ${this.kind} name: ${this.rule}.`
  }
}

/** No group of that name in the organization. */
export class GroupNotFound extends Schema.TaggedError<GroupNotFound>()("GroupNotFound", { group: Schema.String }) {
  override get message() {
    return `No group named ${this.group}.`
  }
}

/** The organization has a group of that name already. */
export class GroupExists extends Schema.TaggedError<GroupExists>()("GroupExists", { group: Schema.String }) {
  override get message() {
    return `A group named ${this.group} exists already.`
  }
}

/** No organization with that slug. */
export class OrgNotFound extends Schema.TaggedError<OrgNotFound>()("OrgNotFound", { org: Schema.String }) {
  override get message() {
    return `No organization ${this.org}.`
  }
}

/** An organization with that slug exists already. */
export class OrgExists extends Schema.TaggedError<OrgExists>()("OrgExists", { org: Schema.String }) {
  override get message() {
    return `An organization ${this.org} exists already.`
  }
}

/** No app with that name in the organization. */
export class AppNotFound extends Schema.TaggedError<AppNotFound>()("AppNotFound", { app: Schema.String }) {
  override get message() {
    return `No app ${this.app}.`
  }
}

/** The organization has an app of that name already. */
export class AppExists extends Schema.TaggedError<AppExists>()("AppExists", { app: Schema.String }) {
  override get message() {
    return `An app ${this.app} exists already.`
  }
}

/** No such grant to revoke. */
export class GrantNotFound extends Schema.TaggedError<GrantNotFound>()("GrantNotFound", {
  role: Schema.String,
  principal: Schema.String,
  scope: Schema.String
}) {
  override get message() {
    return `${this.principal} does not hold ${this.role} at ${this.scope}.`
  }
}

/** The user is not a member of the organization. */
export class NotAMember extends Schema.TaggedError<NotAMember>()("NotAMember", {
  user: Schema.String,
  org: Schema.String
}) {
  override get message() {
    return `${this.user} is not a member of ${this.org}.`
  }
}

/** A group granted a role at another organization's scope. */
export class GrantOutsideOrganization extends Schema.TaggedError<GrantOutsideOrganization>()("GrantOutsideOrganization", {
  principal: Schema.String,
  scope: Schema.String,
  org: Schema.String
}) {
  override get message() {
    return `The group ${this.principal} belongs to ${this.org}; it can hold roles at provider, org:${this.org} or app:${this.org}/…, not at ${this.scope}.`
  }
}

/** The action would leave the directory without an active provider admin. */
export class LastProviderAdmin extends Schema.TaggedError<LastProviderAdmin>()("LastProviderAdmin", {
  user: Schema.String
}) {
  override get message() {
    return `${this.user} is the last active provider admin; grant provider-admin to someone else first.`
  }
}

/** No acting user could be determined, or the named one does not exist. */
export class ActorUnknown extends Schema.TaggedError<ActorUnknown>()("ActorUnknown", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}

/** `init` on a directory that already has users. */
export class AlreadyInitialized extends Schema.TaggedError<AlreadyInitialized>()("AlreadyInitialized", {}) {
  override get message() {
    return "This directory is already set up; `usher init` runs only on an empty one."
  }
}

/** An operation on a directory nobody has set up yet. */
export class NotInitialized extends Schema.TaggedError<NotInitialized>()("NotInitialized", {}) {
  override get message() {
    return "This directory is empty; run `usher init --admin EMAIL` first."
  }
}

/** A value that is malformed for its field (a date, a number, an enum). */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Invalid ${this.field}: ${this.reason}.`
  }
}

/** An input longer than its field allows; nothing of it is echoed back (it may be huge). */
export class InputTooLong extends Schema.TaggedError<InputTooLong>()("InputTooLong", {
  field: Schema.String,
  max: Schema.Number,
  length: Schema.Number
}) {
  override get message() {
    return `Too long: ${this.field} has ${this.length} characters, at most ${this.max}.`
  }
}

/** An invitation link that cannot be used; deliberately silent about why (unknown, used, replaced or expired). */
export class InvitationInvalid extends Schema.TaggedError<InvitationInvalid>()("InvitationInvalid", {}) {
  override get message() {
    return "This invitation link is not valid: it may have expired, been used already or been replaced by a newer one. Ask your admin to resend it."
  }
}

/** A password-reset link that cannot be used; silent about why, like `InvitationInvalid`. */
export class ResetLinkInvalid extends Schema.TaggedError<ResetLinkInvalid>()("ResetLinkInvalid", {}) {
  override get message() {
    return "This password-reset link is not valid: it may have expired, been used already or been replaced by a newer one. Ask your admin for a new one."
  }
}

/** The user has no pending invitation (never invited, or already accepted). */
export class InvitationNotFound extends Schema.TaggedError<InvitationNotFound>()("InvitationNotFound", { user: Schema.String }) {
  override get message() {
    return `${this.user} has no pending invitation.`
  }
}

/** A new password that breaks the length rule (12 to 256 characters; no composition rules). */
export class PasswordRejected extends Schema.TaggedError<PasswordRejected>()("PasswordRejected", { reason: Schema.String }) {
  override get message() {
    return `That password cannot be used: ${this.reason}.`
  }
}

/**
 * Sign-in refused: the same error, in the same time, for an unknown e-mail, a wrong password and
 * a locked account, so a caller learns nothing about which accounts exist.
 */
export class SignInFailed extends Schema.TaggedError<SignInFailed>()("SignInFailed", {}) {
  override get message() {
    return "Wrong e-mail or password. After 10 failed attempts an account is locked until an admin unlocks it."
  }
}

/** A provisioned user signed in with the temporary password: a new password must be set first. */
export class PasswordChangeRequired extends Schema.TaggedError<PasswordChangeRequired>()("PasswordChangeRequired", {}) {
  override get message() {
    return "You signed in with a temporary password: choose a new password to continue."
  }
}

/** Correct credentials of an account that is suspended. */
export class AccountSuspended extends Schema.TaggedError<AccountSuspended>()("AccountSuspended", {}) {
  override get message() {
    return "This account is suspended; ask your admin."
  }
}

/** No such session of that user (or it has ended already). */
export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", { session: Schema.String }) {
  override get message() {
    return `No active session ${this.session}.`
  }
}

/** A session token that is unknown, revoked or expired. */
export class SessionInvalid extends Schema.TaggedError<SessionInvalid>()("SessionInvalid", {}) {
  override get message() {
    return "Your session has ended; sign in again."
  }
}

/** No approval request with that id. */
export class ApprovalNotFound extends Schema.TaggedError<ApprovalNotFound>()("ApprovalNotFound", { id: Schema.String }) {
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
  override get message() {
    return `Approval request ${this.id} is ${this.status} already${this.decidedBy === null ? "" : ` (by ${this.decidedBy})`}; nothing was changed.`
  }
}

/** The request expired before anyone decided it; ask again if it is still needed. */
export class ApprovalExpired extends Schema.TaggedError<ApprovalExpired>()("ApprovalExpired", { id: Schema.String, expiredAt: Schema.String }) {
  override get message() {
    return `Approval request ${this.id} expired at ${this.expiredAt.slice(0, 16).replace("T", " ")} UTC; request it again if it is still needed.`
  }
}

/** Four eyes: the requester cannot decide their own request. */
export class SelfApproval extends Schema.TaggedError<SelfApproval>()("SelfApproval", { id: Schema.String }) {
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
  override get message() {
    return `Request ${this.id} (${this.summary}, filed by ${this.requestedBy}) is already waiting for the same thing; decide or cancel it instead of filing another.`
  }
}

/** Nobody but the requester could ever decide the request, so it is refused up front. */
export class NoEligibleApprover extends Schema.TaggedError<NoEligibleApprover>()("NoEligibleApprover", { scopes: Schema.Array(Schema.String) }) {
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
  override get message() {
    return this.group === undefined
      ? `Granting ${this.role} at ${this.scope} needs approval in this directory: leave it out here, then grant it with usher roles grant (or /usher role grant), which files the request.`
      : `Joining ${this.group} grants ${this.role} at ${this.scope}, which needs approval in this directory: grant the role itself with usher roles grant (or /usher role grant), which files the request.`
  }
}

/** An action that needs approval was asked for without a reason. */
export class ReasonRequired extends Schema.TaggedError<ReasonRequired>()("ReasonRequired", {
  action: Schema.String,
  /** a denial, whose reason goes to the requester, rather than a request */
  denial: Schema.optional(Schema.Boolean)
}) {
  override get message() {
    return this.denial === true
      ? `Give a reason for denying "${this.action}": the requester is told why.`
      : `${this.action} needs approval: give a reason for the approvers.`
  }
}

/** Not a directory setting, or a value it does not accept. */
export class SettingInvalid extends Schema.TaggedError<SettingInvalid>()("SettingInvalid", { key: Schema.String, reason: Schema.String }) {
  override get message() {
    return `Setting ${this.key}: ${this.reason}.`
  }
}

/** A file that cannot be read (missing, unreadable, not text). */
export class FileUnreadable extends Schema.TaggedError<FileUnreadable>()("FileUnreadable", { path: Schema.String, reason: Schema.String }) {
  override get message() {
    return `Cannot read ${this.path}: ${this.reason}.`
  }
}
