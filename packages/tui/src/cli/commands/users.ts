import * as Core from "@usher/core"
import { Effect } from "effect"
import { formatUser, formatUserDetail, formatUserList } from "../../present/formatUser.js"
import { when } from "../../present/Table.js"
import { command, flag, given, list, str, UsageError, type Command } from "../Command.js"
import { limitFlag, wholeNumber } from "../Arguments.js"
import { approvalRequested, bulkResults, decodeStatus, formatInvitationSent, mailLine, p, profileFlags, profileOf } from "./shared.js"

/** `init` and the `users` commands of issue 2. */
export const userCommands: ReadonlyArray<Command> = [
  command({
    name: "init",
    usage: "--admin EMAIL [--first-name F] [--last-name L] [--org SLUG] [--org-name NAME]",
    summary: "Set up an empty directory: the first organization and its provider admin.",
    options: { admin: { type: "string" }, "first-name": { type: "string" }, "last-name": { type: "string" }, org: { type: "string" }, "org-name": { type: "string" } },
    positionals: { min: 0, max: 0 },
    actor: "system",
    run: (parsed) => {
      const admin = str(parsed, "admin")
      if (admin === undefined) return Effect.fail(new UsageError({ message: "--admin EMAIL is required" }))
      return Core.decodeThen(Core.InitInput, Core.init)({ adminEmail: admin, ...given(parsed, { firstName: "first-name", lastName: "last-name", org: "org", orgName: "org-name" }) })
    },
    text: (r) => `Directory set up: organization ${r.org.slug} (${r.org.name}), provider admin ${r.admin.email}.`
  }),
  command({
    name: "users list",
    usage: "[--status S] [--search Q] [--org SLUG] [--group NAME] [--limit N]",
    summary: "List users; search matches name, e-mail and phone.",
    options: { status: { type: "string" }, search: { type: "string" }, org: { type: "string" }, group: { type: "string" }, limit: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const status = yield* decodeStatus(str(parsed, "status"))
        const limit = yield* limitFlag(parsed)
        return yield* Core.listUsers({
          ...given(parsed, { search: "search", org: "org", group: "group" }),
          ...(status !== undefined ? { status } : {}),
          ...(limit !== undefined ? { limit } : {})
        })
      }),
    text: formatUserList
  }),
  command({
    name: "users show",
    usage: "USER",
    summary: "Profile, status, organizations, groups and grants of a user (USER is an e-mail or an id).",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.showUser(p(parsed, 0)),
    text: formatUserDetail
  }),
  command({
    name: "users create",
    usage: "EMAIL --first-name F --last-name L [--phone P] [--gender G] [--birthday YYYY-MM-DD] [--org-unit U] [--position P] [--kind member|end-user] [--org SLUG] [--role ROLE]... [--scope SCOPE] [--group NAME]...",
    summary: "Create a user with a temporary password (shown once; they must change it at first sign-in).",
    options: { ...profileFlags, org: { type: "string" }, role: { type: "string", multiple: true }, scope: { type: "string" }, group: { type: "string", multiple: true } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => {
      const profile = profileOf(parsed)
      if (profile.firstName === undefined || profile.lastName === undefined) {
        return Effect.fail(new UsageError({ message: "--first-name and --last-name are required" }))
      }
      return Core.decodeThen(Core.CreateUserInput, Core.createUser)({
        ...profile,
        email: p(parsed, 0),
        firstName: profile.firstName,
        lastName: profile.lastName,
        ...given(parsed, { org: "org", scope: "scope" }),
        roles: list(parsed, "role"),
        groups: list(parsed, "group")
      })
    },
    text: (r) =>
      `Created ${r.user.email} (provisioned).\nTemporary password (shown once, they must change it at first sign-in): ${r.temporaryPassword}\nThey sign in at ${r.signInUrl}`
  }),
  command({
    name: "users update",
    usage: "USER [--first-name F] [--last-name L] [--phone P] [--gender G] [--birthday D] [--org-unit U] [--position P] [--kind K] [--email NEW] [--if-version N]",
    summary: "Change profile fields (an empty value clears an optional field).",
    options: { ...profileFlags, email: { type: "string" }, "if-version": { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) =>
      Effect.gen(function*() {
        const expectedVersion = yield* wholeNumber("if-version", str(parsed, "if-version"), { min: 1, max: Number.MAX_SAFE_INTEGER })
        const patch = { ...profileOf(parsed), ...given(parsed, { email: "email" }) }
        if (Object.keys(patch).length === 0) return yield* Effect.fail(new UsageError({ message: "nothing to change: give at least one profile flag" }))
        const update = (input: Core.UpdateUserInput) =>
          Core.updateUser(input.user, input.patch, input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {})
        return yield* Core.decodeThen(Core.UpdateUserInput, update)({ user: p(parsed, 0), patch, ...(expectedVersion !== undefined ? { expectedVersion } : {}) })
      }),
    text: (u) => `Updated ${u.email}.\n${formatUser(u)}`
  }),
  command({
    name: "users suspend",
    usage: "USER... [--reason TEXT]",
    summary: "Suspend users: sessions revoked, access gone, roles and data kept (several at once may need approval).",
    options: { reason: { type: "string" } },
    positionals: { min: 1, max: Infinity },
    run: (parsed) =>
      Effect.gen(function*() {
        const options = given(parsed, { reason: "reason" })
        return parsed.positionals.length === 1
          ? yield* Core.suspendUser(p(parsed, 0), options)
          : yield* Core.suspendUsers(parsed.positionals, options)
      }),
    text: (r) =>
      !("_tag" in r) ? `Suspended ${r.email}.` :
      r._tag === "ApprovalRequested" ? approvalRequested(r.approval) :
      bulkResults(r.results, "Suspended"),
    failed: (r) => "_tag" in r && r._tag === "Suspended" && r.results.some((x) => !x.ok)
  }),
  command({
    name: "users reactivate",
    usage: "USER [--reason TEXT]",
    summary: "Reactivate a suspended user.",
    options: { reason: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.reactivateUser(p(parsed, 0), given(parsed, { reason: "reason" })),
    text: (u) => `Reactivated ${u.email}: now ${u.status}.`
  }),
  command({
    name: "users invite",
    usage: "EMAIL [--first-name F] [--last-name L] [profile flags as in users create] [--org SLUG] [--role ROLE]... [--scope SCOPE] [--group NAME]... [--link]",
    summary: "Invite someone: an invited account and a single-use registration link, mailed (or with --link, printed for you to share).",
    options: {
      ...profileFlags, org: { type: "string" }, role: { type: "string", multiple: true }, scope: { type: "string" },
      group: { type: "string", multiple: true }, link: { type: "boolean" }
    },
    positionals: { min: 1, max: 1 },
    run: (parsed) =>
      Core.decodeThen(Core.InviteInput, Core.inviteUser)({
        ...profileOf(parsed),
        email: p(parsed, 0),
        ...given(parsed, { org: "org", scope: "scope" }),
        roles: list(parsed, "role"),
        groups: list(parsed, "group"),
        link: flag(parsed, "link")
      }),
    text: formatInvitationSent,
    failed: (r) => r.mail?.status === "failed"
  }),
  command({
    name: "users delete",
    usage: "USER --reason TEXT",
    summary: "Ask for a user's deletion: it waits for someone else's approval, then erases the account (audit kept).",
    options: { reason: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.deleteUser(p(parsed, 0), given(parsed, { reason: "reason" })),
    text: (r) => approvalRequested(r.approval)
  }),
  command({
    name: "users reset-password",
    usage: "USER",
    summary: "Mail the user a single-use link (1 hour) to choose a new password; you never see it.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.requestPasswordReset(p(parsed, 0)),
    text: (r) => `Password-reset link for ${r.user}, valid until ${when(r.expiresAt)}: ${mailLine(r.mail)}`,
    failed: (r) => r.mail.status === "failed"
  }),
  command({
    name: "users unlock",
    usage: "USER",
    summary: "Let a user sign in again after their account was locked by failed attempts.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.unlockUser(p(parsed, 0)),
    text: (r) => r.unlocked ? `Unlocked ${r.user.email}.` : `${r.user.email} was not locked.`
  })
]
