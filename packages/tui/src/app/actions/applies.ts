import * as Core from "@usher/core"
import { Either } from "effect"
import { minute } from "../components/layout.js"
import type { CommandId } from "../keys/Keymap.js"

/** What the dashboard knows of a user besides its row: a deletion request waiting for approval, and its detail when that is open. */
export interface UserFacts {
  readonly pendingDeletion?: Core.ApprovalRequest | undefined
  readonly detail?: Core.UserDetail | undefined
}

/** The user actions that depend on the row under the cursor (invite and create do not). */
export const ROW_ACTIONS: ReadonlyArray<CommandId> = [
  "user.edit", "user.suspend", "user.reactivate", "user.grant", "user.revoke", "user.group.add", "user.group.remove",
  "user.org.add", "user.org.remove", "user.password.reset", "user.sessions.revoke", "user.unlock", "user.invite.resend",
  "user.invite.cancel", "user.delete"
]

/** Core's lifecycle table on an event: its refusal in core's words, or undefined when the status allows it. */
const lifecycle = (user: Core.User, event: Core.Lifecycle.LifecycleEvent): string | undefined =>
  Either.match(Core.Lifecycle.transition(user, event, new Date()), { onLeft: (refused) => refused.message, onRight: () => undefined })

/**
 * Why a user action cannot apply to this user now, in a sentence (undefined: it may, and core
 * decides the rest when it runs). Lifecycle questions are answered by core's transition table; an
 * invitation is open exactly while the account may still be cancelled as invited.
 */
export const whyNot = (command: CommandId, user: Core.User, facts: UserFacts = {}): string | undefined => {
  const detail = facts.detail?.user.id === user.id ? facts.detail : undefined
  switch (command) {
    case "user.suspend":
      return lifecycle(user, "suspend")
    case "user.reactivate":
      return lifecycle(user, "reactivate")
    case "user.invite.resend":
    case "user.invite.cancel":
      return lifecycle(user, "cancelInvite") === undefined
        ? undefined
        : `${user.email} is ${user.status}: there is no open invitation to ${command === "user.invite.resend" ? "resend" : "cancel"}.`
    case "user.unlock":
      return user.lockedAt === null ? `${user.email} is not locked: there is nothing to unlock.` : undefined
    case "user.delete": {
      const request = facts.pendingDeletion
      return request === undefined
        ? undefined
        : `The deletion of ${user.email} already waits for approval (filed by ${request.requestedBy} ${minute(request.createdAt)}): decide or withdraw it in :approvals.`
    }
    case "user.revoke":
      return detail !== undefined && !detail.grants.some((g) => g.group === null)
        ? `${user.email} has no direct grants (roles through groups are revoked on the group).`
        : undefined
    case "user.group.remove":
      return detail !== undefined && detail.groups.length === 0 ? `${user.email} is in no group.` : undefined
    case "user.org.remove":
      return detail !== undefined && detail.organizations.length === 0 ? `${user.email} is in no organization.` : undefined
    default:
      return undefined
  }
}

/** The row actions that cannot apply to a user (all of them when there is no row under the cursor), for the key hints. */
export const unavailableFor = (user: Core.User | undefined, facts: UserFacts = {}): ReadonlySet<CommandId> =>
  new Set(user === undefined ? ROW_ACTIONS : ROW_ACTIONS.filter((command) => whyNot(command, user, facts) !== undefined))
