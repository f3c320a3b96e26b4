import * as Core from "@usher/core"
import { Effect } from "effect"
import { postApproval } from "../../approvals.js"
import { pendingList } from "../../blocks/approvals.js"
import { granted, invited, revoked, statusChanged, whois, why } from "../../blocks/users.js"
import type { Bot } from "../../bot.js"
import type { Command } from "../../parse/command.js"
import { pendingSeen } from "../../requests.js"

/** A command other than help and the invite form, which need no directory identity. */
export type DirectoryCommand = Exclude<Command, { readonly _tag: "Help" } | { readonly _tag: "InviteForm" }>

/**
 * Runs one parsed command as the acting directory user: resolve whom it names, call the one
 * use case, render its result. Approval requests go to the approvals channel.
 */
export const execute = (bot: Bot, command: DirectoryCommand, slackUserId: string) =>
  Effect.gen(function*() {
    switch (command._tag) {
      case "Invite":
        return invited(yield* Core.decodeThen(Core.InviteInput, Core.inviteUser)({
          email: command.email,
          roles: command.roles,
          groups: command.groups,
          link: command.link,
          ...(command.scope === undefined ? {} : { scope: command.scope })
        }))
      case "Suspend":
        return statusChanged(
          yield* Core.suspendUser(yield* bot.identity.target(command.target), command.reason === undefined ? {} : { reason: command.reason }),
          "Suspended"
        )
      case "Reactivate":
        return statusChanged(yield* Core.reactivateUser(yield* bot.identity.target(command.target)), "Reactivated")
      case "RoleGrant": {
        const result = yield* Core.decodeThen(Core.GrantInput, Core.grantRole)({
          role: command.role,
          to: { user: yield* bot.identity.target(command.target) },
          ...(command.scope === undefined ? {} : { scope: command.scope }),
          ...(command.expiresIn === undefined ? {} : { expiresIn: command.expiresIn }),
          ...(command.reason === undefined ? {} : { reason: command.reason })
        })
        return result._tag === "ApprovalRequested" ? yield* postApproval(bot, result.approval, slackUserId) : granted(result)
      }
      case "RoleRevoke":
        return revoked(yield* Core.decodeThen(Core.RevokeInput, Core.revokeRole)({
          role: command.role,
          from: { user: yield* bot.identity.target(command.target) },
          ...(command.scope === undefined ? {} : { scope: command.scope })
        }))
      case "Delete": {
        const { approval } = yield* Core.deleteUser(yield* bot.identity.target(command.target), { reason: command.reason })
        return yield* postApproval(bot, approval, slackUserId)
      }
      case "Whois":
        return whois(yield* Core.showUser(yield* bot.identity.target(command.target)))
      case "Why":
        return why(yield* Core.why(yield* bot.identity.target(command.target), command.permission, command.scope))
      case "Pending":
        return pendingList(yield* pendingSeen)
    }
  })
