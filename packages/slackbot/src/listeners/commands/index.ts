import type { App, SlashCommand } from "@slack/bolt"
import * as Core from "@usher/core"
import { Effect, Either } from "effect"
import { usageReply } from "../../blocks/errors.js"
import { inviteModal } from "../../blocks/modals.js"
import { help } from "../../blocks/users.js"
import { lookUpPeople, replyWith, runToReply, type Bot, type Respond } from "../../bot.js"
import { answerIn, openLoading, showModal } from "../../modal.js"
import { parseCommand, type Command } from "../../parse/command.js"
import { execute } from "./execute.js"

/** What the invite modal carries to its submission: where to answer. */
export interface InviteFormMetadata {
  readonly responseUrl: string
  readonly channel: string
}

/** The commands that change the directory (or open a modal that will). */
const CHANGES = new Set<Command["_tag"]>(["Invite", "InviteForm", "Suspend", "Reactivate", "RoleGrant", "RoleRevoke", "Delete"])

/** A command that needs to know who is asking (everything but help). */
export type IdentifiedCommand = Exclude<Command, { readonly _tag: "Help" }>

const INVITE_TITLE = "Invite someone"

/** The Slack users a command names (their e-mails are looked up before the command runs). */
const mentioned = (command: IdentifiedCommand): ReadonlyArray<string> =>
  "target" in command && command.target._tag === "SlackUser" ? [command.target.id] : []

/** Handles one parsed slash command after it was acknowledged: identify, run, answer ephemerally. */
export const handleCommand = async (bot: Bot, command: SlashCommand, respond: Respond, parsed: IdentifiedCommand, loading?: string): Promise<void> => {
  const reply = await runToReply(bot, Effect.gen(function*() {
    // a redelivered change must not happen twice; a read may be answered twice (and skips the write)
    if (CHANGES.has(parsed._tag) && !(yield* Core.Jobs.claimSlackDelivery(`command:${command.team_id}:${command.trigger_id}`).pipe(Core.Jobs.asSystem("slack")))) return null
    const actor = yield* bot.identity.actor(command.user_id)
    switch (parsed._tag) {
      case "InviteForm": {
        // someone who may not invite is told so now, not after filling in the form
        yield* Core.checkCanInvite().pipe(Core.as(actor.id, "slack"))
        const metadata: InviteFormMetadata = { responseUrl: command.response_url, channel: command.channel_id }
        yield* showModal(bot, loading, command.trigger_id, inviteModal(JSON.stringify(metadata)))
        return null
      }
      default:
        return yield* execute(bot, parsed, command.user_id).pipe(Core.as(actor.id, "slack"))
    }
  }))
  if (reply !== null) await answerIn(bot, respond, reply, loading, INVITE_TITLE)
}

/**
 * Registers the slash command: acknowledge at once (Slack allows 3 s); help and bad syntax,
 * which need nobody's identity, are answered straight away, for anyone; the invite form's
 * modal opens (loading) before anything else; then who is who is looked up, and the work runs.
 */
export const register = (app: App, bot: Bot): void => {
  app.command(bot.config.command, async ({ ack, command, respond }) => {
    await ack()
    const parsed = parseCommand(command.text)
    if (Either.isLeft(parsed)) return replyWith(bot, respond, usageReply(parsed.left, bot.config.command))
    if (parsed.right._tag === "Help") return replyWith(bot, respond, help(bot.config.command, await bot.runtime.runPromise(Core.pageUrls)))
    const identified = parsed.right
    const loading = identified._tag === "InviteForm" ? await openLoading(bot, command.trigger_id, INVITE_TITLE) : undefined
    const failed = await lookUpPeople(bot, [command.user_id, ...mentioned(identified)])
    if (failed !== null) return answerIn(bot, respond, failed, loading, INVITE_TITLE)
    await bot.work(() => handleCommand(bot, command, respond, identified, loading))
  })
}
