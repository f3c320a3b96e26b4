import * as Core from "@usher/core"
import { Either } from "effect"
import { tokenize, type Token } from "./tokens.js"

/** Whom a command is about: a Slack user mentioned with `@`, or a directory e-mail. */
export type Target =
  | { readonly _tag: "SlackUser"; readonly id: string; readonly label: string }
  | { readonly _tag: "Email"; readonly email: string }

/** A parsed `/usher` command. */
export type Command =
  | { readonly _tag: "Help" }
  | { readonly _tag: "InviteForm" }
  | {
    readonly _tag: "Invite"
    readonly email: string
    readonly roles: ReadonlyArray<string>
    readonly scope: string | undefined
    readonly groups: ReadonlyArray<string>
    readonly link: boolean
  }
  | { readonly _tag: "Suspend"; readonly target: Target; readonly reason: string | undefined }
  | { readonly _tag: "Reactivate"; readonly target: Target }
  | {
    readonly _tag: "RoleGrant"
    readonly target: Target
    readonly role: string
    readonly scope: string | undefined
    /** how long it lasts (`for 8h`), as `AccessDuration` reads it; undefined: until revoked */
    readonly expiresIn: string | undefined
    readonly reason: string | undefined
  }
  | { readonly _tag: "RoleRevoke"; readonly target: Target; readonly role: string; readonly scope: string | undefined }
  | { readonly _tag: "Delete"; readonly target: Target; readonly reason: string }
  | { readonly _tag: "Whois"; readonly target: Target }
  | { readonly _tag: "Why"; readonly target: Target; readonly permission: string; readonly scope: string | undefined }
  | { readonly _tag: "Pending" }

/** Command text that cannot be understood: what was wrong, and the usage line of the subcommand. */
export interface ParseError {
  readonly _tag: "ParseError"
  readonly message: string
  readonly usage: string
}

/** The usage line of each subcommand (without the slash command itself), in help order. */
export const USAGE = {
  invite: "invite EMAIL [ROLE[@SCOPE]]... [group:NAME]... [--link]",
  suspend: "suspend @user|EMAIL [reason…]",
  reactivate: "reactivate @user|EMAIL",
  role: "role grant @user|EMAIL ROLE[@SCOPE] [for 8h|3d|2w] [reason… (when the grant needs approval)]\nrole revoke @user|EMAIL ROLE[@SCOPE]",
  delete: "delete @user|EMAIL reason…",
  whois: "whois @user|EMAIL",
  why: "why @user|EMAIL PERMISSION [SCOPE]",
  pending: "pending",
  help: "help"
} as const

/** A subcommand name. */
export type Subcommand = keyof typeof USAGE

type Result = Either.Either<Command, ParseError>

const fail = (sub: Subcommand | undefined, message: string): Result =>
  Either.left({ _tag: "ParseError", message, usage: sub === undefined ? Object.values(USAGE).join("\n") : USAGE[sub] })

/**
 * The longest command text read at all: a reason (2,000 characters) with room for the rest. A
 * longer text is refused before it is split into words.
 */
export const MAX_TEXT = 4_000

/** The first of the words (a field's name, its kind, its text) longer than its kind allows, as a message. */
const tooLong = (...fields: ReadonlyArray<readonly [string, Core.Input.LengthKind, string | undefined]>): string | undefined => {
  for (const [field, kind, text] of fields) {
    if (text === undefined) continue
    const checked = Core.Input.checkKind(field, kind, text)
    if (Either.isLeft(checked)) return checked.left.message
  }
  return undefined
}

/** A word of the command text, cut short for a message that quotes it. */
const quote = (text: string) => text.length <= 80 ? text : `${text.slice(0, 80)}…`

const target = (sub: Subcommand, token: Token | undefined): Either.Either<Target, ParseError> => {
  const bad = (message: string) => Either.left<ParseError>({ _tag: "ParseError", message, usage: USAGE[sub] })
  if (token === undefined) return bad("Say whom: mention them (@name) or give their e-mail.")
  if (token.mention !== undefined) return Either.right({ _tag: "SlackUser", id: token.mention, label: token.text })
  const text = token.text
  if (text.startsWith("@")) {
    return bad(`Unknown user ${quote(text)}: pick them from Slack's list when you type @ (so Slack sends who they are), or give their e-mail.`)
  }
  if (!text.includes("@")) return bad(`"${quote(text)}" is neither an @mention nor an e-mail address.`)
  return Either.match(Core.normalizeEmail(text), {
    onLeft: (error) => bad(error.message),
    onRight: (email) => Either.right({ _tag: "Email", email })
  })
}

/** `ROLE` or `ROLE@SCOPE`, split at the first `@` (role names never contain one). */
export const roleSpec = (text: string): { readonly role: string; readonly scope: string | undefined } | undefined => {
  const at = text.indexOf("@")
  const role = at < 0 ? text : text.slice(0, at)
  const scope = at < 0 ? undefined : text.slice(at + 1)
  if (role === "" || scope === "") return undefined
  return { role, scope }
}

/** The words after the target, as one reason (quoted words keep their inner spaces). */
const rest = (tokens: ReadonlyArray<Token>): string | undefined => {
  const text = tokens.map((t) => t.text).join(" ").trim()
  return text === "" ? undefined : text
}

/** The reason after the target, or what is wrong with it (too long). */
const reasonOf = (sub: Subcommand, tokens: ReadonlyArray<Token>): Either.Either<string | undefined, ParseError> => {
  const reason = rest(tokens)
  const long = tooLong(["the reason", "reason", reason])
  return long === undefined ? Either.right(reason) : Either.left({ _tag: "ParseError", message: long, usage: USAGE[sub] })
}

/**
 * `for 8h` after a grant's role: how long it lasts, read by core's `AccessDuration` (so the bot
 * accepts what the CLI's `--for` does), and the words after it. `for` followed by something that
 * is no duration at all (`for the audit`) is the start of the reason; one shaped like a duration
 * but out of bounds (`for 400d`, `for 8x`) is refused with the rule.
 */
const durationOf = (tokens: ReadonlyArray<Token>): Either.Either<{ readonly expiresIn: string | undefined; readonly rest: ReadonlyArray<Token> }, string> => {
  const [word, value] = tokens
  if (word?.text.toLowerCase() !== "for" || value === undefined || !/^[0-9]+[a-z]+$/i.test(value.text)) return Either.right({ expiresIn: undefined, rest: tokens })
  const parsed = Core.AccessDuration.parse("for", value.text.toLowerCase())
  return Either.isLeft(parsed)
    ? Either.left(`"${quote(value.text)}" is not a duration: ${parsed.left.reason}.`)
    : Either.right({ expiresIn: value.text.toLowerCase(), rest: tokens.slice(2) })
}

/**
 * The roles of an invitation, `ROLE` or `ROLE@SCOPE` each: core invites with one scope, so they
 * must all name the same one (or none, for the organization). Returns what is wrong otherwise.
 */
export const invitationRoles = (texts: ReadonlyArray<string>): Either.Either<{ readonly roles: ReadonlyArray<string>; readonly scope: string | undefined }, string> => {
  const roles: Array<string> = []
  const scopes = new Set<string | undefined>()
  for (const text of texts) {
    const spec = roleSpec(text)
    if (spec === undefined) return Either.left(`"${quote(text)}" is not ROLE or ROLE@SCOPE.`)
    const long = tooLong(["the role", "name", spec.role], ["the scope", "name", spec.scope])
    if (long !== undefined) return Either.left(long)
    roles.push(spec.role)
    scopes.add(spec.scope)
  }
  if (scopes.size > 1) {
    return Either.left("Give every role of an invitation the same scope (or none, for the organization); grant others afterwards with /usher role grant.")
  }
  return Either.right({ roles, scope: [...scopes][0] })
}

const invite = (args: ReadonlyArray<Token>): Result => {
  if (args.length === 0) return Either.right({ _tag: "InviteForm" })
  const [first, ...others] = args
  if (first!.mention !== undefined) return fail("invite", `${first!.text} is on Slack already; invite someone by their e-mail address.`)
  const email = Core.normalizeEmail(first!.text)
  if (Either.isLeft(email)) return fail("invite", email.left.message)
  const roleTexts: Array<string> = []
  const groups: Array<string> = []
  let link = false
  for (const token of others) {
    const text = token.text
    if (!token.quoted && text === "--link") link = true
    else if (!token.quoted && text.startsWith("--")) return fail("invite", `Unknown option ${quote(text)}; the only option is --link.`)
    else if (text.toLowerCase().startsWith("group:")) {
      const name = text.slice("group:".length)
      if (name === "") return fail("invite", "group: needs a group name, e.g. group:ops.")
      const long = tooLong(["the group name", "name", name])
      if (long !== undefined) return fail("invite", long)
      groups.push(name)
    } else roleTexts.push(text)
  }
  const roles = invitationRoles(roleTexts)
  if (Either.isLeft(roles)) return fail("invite", roles.left)
  return Either.right({ _tag: "Invite", email: email.right, roles: roles.right.roles, scope: roles.right.scope, groups, link })
}

const exactly = (sub: Subcommand, args: ReadonlyArray<Token>, count: number): ParseError | undefined =>
  args.length > count
    ? { _tag: "ParseError", message: `Unexpected "${quote(args[count]!.text)}".`, usage: USAGE[sub] }
    : undefined

/**
 * Parses the text after `/usher` into a command, or says what is wrong with the subcommand's
 * usage line. Total: never throws, whatever the text.
 */
export const parseCommand = (text: string): Result => {
  const long = Core.Input.checkLength("the command", MAX_TEXT, text)
  if (Either.isLeft(long)) return fail(undefined, long.left.message)
  const tokens = tokenize(text)
  const [head, ...args] = tokens
  if (head === undefined) return Either.right({ _tag: "Help" })
  const sub = head.text.toLowerCase()
  switch (sub) {
    case "help":
      return Either.right({ _tag: "Help" })
    case "pending": {
      const extra = exactly("pending", args, 0)
      return extra === undefined ? Either.right({ _tag: "Pending" }) : Either.left(extra)
    }
    case "invite":
      return invite(args)
    case "suspend":
      return Either.flatMap(target("suspend", args[0]), (t) =>
        Either.map(reasonOf("suspend", args.slice(1)), (reason): Command => ({ _tag: "Suspend", target: t, reason })))
    case "delete":
      return Either.flatMap(target("delete", args[0]), (t) =>
        Either.map(reasonOf("delete", args.slice(1)), (reason): Command => ({ _tag: "Delete", target: t, reason: reason ?? "" })))
    case "reactivate":
    case "whois": {
      const extra = exactly(sub, args, 1)
      if (extra !== undefined) return Either.left(extra)
      return Either.map(target(sub, args[0]), (t): Command => sub === "whois" ? { _tag: "Whois", target: t } : { _tag: "Reactivate", target: t })
    }
    case "role": {
      const verb = args[0]?.text.toLowerCase()
      if (verb !== "grant" && verb !== "revoke") return fail("role", "Say grant or revoke after role.")
      const extra = verb === "revoke" ? exactly("role", args, 3) : undefined
      if (extra !== undefined) return Either.left(extra)
      const who = target("role", args[1])
      if (Either.isLeft(who)) return Either.left(who.left)
      const spec = args[2] === undefined ? undefined : roleSpec(args[2].text)
      if (spec === undefined) return fail("role", args[2] === undefined ? "Say which role, e.g. user-manager@org:acme." : `"${quote(args[2].text)}" is not ROLE or ROLE@SCOPE.`)
      const long = tooLong(["the role", "name", spec.role], ["the scope", "name", spec.scope])
      if (long !== undefined) return fail("role", long)
      const lasting = verb === "grant" ? durationOf(args.slice(3)) : Either.right({ expiresIn: undefined, rest: [] })
      if (Either.isLeft(lasting)) return fail("role", lasting.left)
      const reason = verb === "grant" ? reasonOf("role", lasting.right.rest) : Either.right(undefined)
      if (Either.isLeft(reason)) return Either.left(reason.left)
      return Either.right(verb === "grant"
        ? { _tag: "RoleGrant", target: who.right, role: spec.role, scope: spec.scope, expiresIn: lasting.right.expiresIn, reason: reason.right }
        : { _tag: "RoleRevoke", target: who.right, role: spec.role, scope: spec.scope })
    }
    case "why": {
      const extra = exactly("why", args, 3)
      if (extra !== undefined) return Either.left(extra)
      const who = target("why", args[0])
      if (Either.isLeft(who)) return Either.left(who.left)
      if (args[1] === undefined) return fail("why", "Say which permission, e.g. users.suspend.")
      const long = tooLong(["the permission", "name", args[1].text], ["the scope", "name", args[2]?.text])
      if (long !== undefined) return fail("why", long)
      return Either.right({ _tag: "Why", target: who.right, permission: args[1].text, scope: args[2]?.text })
    }
    default:
      return fail(undefined, `Unknown command "${quote(head.text)}".`)
  }
}
