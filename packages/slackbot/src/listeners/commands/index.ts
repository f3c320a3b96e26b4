import type { App, SlashCommand } from "@slack/bolt"
import * as Core from "@usher/core"
import { Effect, Either } from "effect"
import { usageReply } from "../../blocks/errors.js"
import { inviteModal } from "../../blocks/modals.js"
import { help } from "../../blocks/users.js"
import { replyWith, runToReply, type Bot, type Respond } from "../../bot.js"
import { callSlack } from "../../identity.js"
import { parseCommand, type Command } from "../../parse/command.js"
import { execute } from "./execute.js"

/** What the invite modal carries to its submission: where to answer. */
export interface InviteFormMetadata {
  readonly responseUrl: string
  readonly channel: string
}

/** The commands that change the directory (or open a modal that will). */
const CHANGES = new Set<Command["_tag"]>(["Invite", "InviteForm", "Suspend", "Reactivate", "RoleGrant", "RoleRevoke", "Delete"])

/** Handles one slash command after it was acknowledged: parse, identify, run, answer ephemerally. */
export const handleCommand = async (bot: Bot, command: SlashCommand, respond: Respond): Promise<void> => {
  const reply = await runToReply(bot, Effect.gen(function*() {
    const parsed = parseCommand(command.text)
    if (Either.isLeft(parsed)) return usageReply(parsed.left, bot.config.command)
    // a redelivered change must not happen twice; a read may be answered twice (and skips the write)
    if (CHANGES.has(parsed.right._tag) && !(yield* Core.Jobs.claimSlackDelivery(`command:${command.team_id}:${command.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const actor = yield* bot.identity.actor(command.user_id)
    switch (parsed.right._tag) {
      case "Help":
        return help(bot.config.command)
      case "InviteForm": {
        // someone who may not invite is told so now, not after filling in the form
        yield* Core.checkCanInvite().pipe(Core.as(actor.id, "slack"))
        const metadata: InviteFormMetadata = { responseUrl: command.response_url, channel: command.channel_id }
        yield* callSlack("views.open", () => bot.client.views.open({ trigger_id: command.trigger_id, view: inviteModal(JSON.stringify(metadata)) }))
        return null
      }
      default:
        return yield* execute(bot, parsed.right, command.user_id).pipe(Core.as(actor.id, "slack"))
    }
  }))
  if (reply !== null) await replyWith(bot, respond, reply)
}

/** Registers the slash command: acknowledge at once (Slack allows 3 s), then do the work. */
export const register = (app: App, bot: Bot): void => {
  app.command(bot.config.command, async ({ ack, command, respond }) => {
    await ack()
    await bot.work(() => handleCommand(bot, command, respond))
  })
}
