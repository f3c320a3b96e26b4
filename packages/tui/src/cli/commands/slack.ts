import * as Core from "@usher/core"
import { table, when } from "../../present/Table.js"
import { command, type Command } from "../Command.js"
import { p } from "./shared.js"

/** Links between Slack users and directory users, for people whose Slack e-mail is not their directory e-mail. */
export const slackCommands: ReadonlyArray<Command> = [
  command({
    name: "slack link",
    usage: "SLACK_USER_ID USER",
    summary: "Let a Slack user act as USER in the Slack bot (needs users.update on USER and the right to hand out USER's roles).",
    options: {},
    positionals: { min: 2, max: 2 },
    run: (parsed) => Core.linkSlackUser(p(parsed, 0), p(parsed, 1)),
    text: (link) => `Linked Slack user ${link.slackUserId} to ${link.email}: in Slack they now act as ${link.email}.`
  }),
  command({
    name: "slack unlink",
    usage: "SLACK_USER_ID",
    summary: "Remove a Slack user's link; they are matched by their verified Slack e-mail again.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.unlinkSlackUser(p(parsed, 0)),
    text: (link) => `Unlinked Slack user ${link.slackUserId} (was ${link.email}).`
  }),
  command({
    name: "slack links",
    usage: "",
    summary: "Slack users linked to directory users you may read.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.listSlackLinks,
    text: (links) =>
      links.length === 0
        ? "No Slack links; Slack users are matched by their verified e-mail."
        : table(["SLACK USER", "USER", "STATUS", "LINKED BY", "LINKED"], links.map((l) => [l.slackUserId, l.email, l.status, l.linkedBy, when(l.linkedAt)]))
  })
]
