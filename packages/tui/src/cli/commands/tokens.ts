import * as Core from "@usher/core"
import { tokenLimits } from "../../present/tokens.js"
import { table, when } from "../../present/Table.js"
import { command, given, str, type Command } from "../Command.js"
import { p } from "./shared.js"

/** API tokens for programs: a token acts as its owner, never more. */
export const tokenCommands: ReadonlyArray<Command> = [
  command({
    name: "tokens create",
    usage: "--name NAME [--expires ISO8601] [--only check|scim|admin] [--org SLUG]",
    summary: [
      "Create an API token acting as you (--as): shown once, stored hashed. --only limits it to the permission-check API,",
      "      SCIM or the admin API; --org to one organization; --expires ends it (none: until revoked)."
    ].join("\n"),
    options: { name: { type: "string" }, expires: { type: "string" }, only: { type: "string" }, org: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) => Core.createApiToken({ name: str(parsed, "name") ?? "", ...given(parsed, { expires: "expires", only: "only", org: "org" }) }),
    text: ({ token, secret }) =>
      [
        `Created API token ${token.id} "${token.name}" for ${token.user} (${tokenLimits(token)}${token.expiresAt === null ? "" : `, until ${when(token.expiresAt)}`}).`,
        `Token (shown once, keep it secret): ${secret}`
      ].join("\n")
  }),
  command({
    name: "tokens list",
    usage: "[USER]",
    summary: "Your API tokens, or USER's (needs users.read on them): never their secrets.",
    options: {},
    positionals: { min: 0, max: 1 },
    run: (parsed) => Core.listApiTokens(parsed.positionals[0]),
    text: (tokens) =>
      tokens.length === 0
        ? "No API tokens; usher tokens create --name NAME makes one."
        : table(
          ["ID", "NAME", "FOR", "STATE", "CREATED", "EXPIRES", "LAST USED"],
          tokens.map((t) => [t.id, t.name, tokenLimits(t), t.state, when(t.createdAt), when(t.expiresAt), when(t.lastUsedAt)])
        )
  }),
  command({
    name: "tokens revoke",
    usage: "ID",
    summary: "Revoke an API token at once: yours, or another user's with users.sessions.revoke over them.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.revokeApiToken(p(parsed, 0)),
    text: (token) => `Revoked API token ${token.id} "${token.name}" of ${token.user}.`
  })
]
