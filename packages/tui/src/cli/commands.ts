import * as Core from "@usher/core"
import { Effect, Either, Schema } from "effect"
import { formatUser, formatUserDetail, formatUserList } from "../present/formatUser.js"
import { fields, table, when } from "../present/Table.js"
import { command, given, list, str, UsageError, type Command, type Parsed } from "./Command.js"

const profileFlags = {
  "first-name": { type: "string" },
  "last-name": { type: "string" },
  phone: { type: "string" },
  gender: { type: "string" },
  birthday: { type: "string" },
  "org-unit": { type: "string" },
  position: { type: "string" },
  kind: { type: "string" }
} as const

const profileOf = (parsed: Parsed) =>
  given(parsed, {
    firstName: "first-name",
    lastName: "last-name",
    phone: "phone",
    gender: "gender",
    birthday: "birthday",
    orgUnit: "org-unit",
    position: "position",
    kind: "kind"
  })

const decodeStatus = (text: string | undefined) =>
  text === undefined ? Effect.succeed(undefined) : Either.match(Schema.decodeUnknownEither(Core.UserStatus)(text), {
    onLeft: () => Effect.fail(new UsageError({ message: `--status must be one of ${Core.UserStatus.literals.join(", ")}` })),
    onRight: Effect.succeed
  })

const positiveInt = (flag: string, text: string | undefined) => {
  if (text === undefined) return Effect.succeed(undefined)
  const n = Number(text)
  return Number.isInteger(n) && n > 0 ? Effect.succeed(n) : Effect.fail(new UsageError({ message: `--${flag} must be a positive whole number` }))
}

const principalOf = (parsed: Parsed) => {
  const user = str(parsed, "user")
  const group = str(parsed, "group")
  if ((user === undefined) === (group === undefined)) {
    return Effect.fail(new UsageError({ message: "give exactly one of --user USER or --group NAME" }))
  }
  return Effect.succeed<Core.PrincipalRef>(user !== undefined ? { user } : { group: group! })
}

const memberResults = (results: ReadonlyArray<{ user: string; added: boolean }>, where: string) =>
  results.map((r) => r.added ? `Added ${r.user} to ${where}.` : `${r.user} was already in ${where}.`).join("\n")

const p = (parsed: Parsed, i: number) => parsed.positionals[i]!

/** What a command that filed an approval request prints. */
const approvalRequested = (a: Core.ApprovalRequest) =>
  `Approval requested (${a.id}): ${a.summary}.\nIt waits for someone else with approvals.decide at ${a.scopes.join(", ")} until ${when(a.expiresAt)}: usher approvals approve ${a.id}`

/** Every `usher` subcommand, in the order help lists them. */
export const commands: ReadonlyArray<Command> = [
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
      return Core.init({ adminEmail: admin, ...given(parsed, { firstName: "first-name", lastName: "last-name", org: "org", orgName: "org-name" }) })
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
        const limit = yield* positiveInt("limit", str(parsed, "limit"))
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
      return Core.createUser({
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
      `Created ${r.user.email} (provisioned).\nTemporary password (shown once, they must change it at first sign-in): ${r.temporaryPassword}`
  }),
  command({
    name: "users update",
    usage: "USER [--first-name F] [--last-name L] [--phone P] [--gender G] [--birthday D] [--org-unit U] [--position P] [--kind K] [--email NEW] [--if-version N]",
    summary: "Change profile fields (an empty value clears an optional field).",
    options: { ...profileFlags, email: { type: "string" }, "if-version": { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) =>
      Effect.gen(function*() {
        const expectedVersion = yield* positiveInt("if-version", str(parsed, "if-version"))
        const patch = { ...profileOf(parsed), ...given(parsed, { email: "email" }) }
        if (Object.keys(patch).length === 0) return yield* Effect.fail(new UsageError({ message: "nothing to change: give at least one profile flag" }))
        return yield* Core.updateUser(p(parsed, 0), patch, expectedVersion !== undefined ? { expectedVersion } : {})
      }),
    text: (u) => `Updated ${u.email}.\n${formatUser(u)}`
  }),
  command({
    name: "users suspend",
    usage: "USER [--reason TEXT]",
    summary: "Suspend a user: sessions revoked, access gone, roles and data kept.",
    options: { reason: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.suspendUser(p(parsed, 0), given(parsed, { reason: "reason" })),
    text: (u) => `Suspended ${u.email}.`
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
    name: "roles list",
    usage: "",
    summary: "Built-in and custom roles.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.listRoles,
    text: (roles) =>
      table(["ROLE", "KIND", "GRANTS", "PERMISSIONS"], roles.map((r) => [r.name, r.builtIn ? "built-in" : "custom", String(r.grants), r.permissions.join(" ")]))
  }),
  command({
    name: "roles show",
    usage: "ROLE",
    summary: "A role's permissions and who holds it.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.showRole(p(parsed, 0)),
    text: (r) =>
      [
        fields([["role", r.name], ["kind", r.builtIn ? "built-in" : "custom"], ["description", r.description || null]]),
        "permissions:",
        ...r.permissions.map((x) => `  ${x}`),
        "held by:",
        ...(r.holders.length === 0 ? ["  —"] : r.holders.map((h) => `  ${h.principalType} ${h.principal} at ${h.scope}${h.expiresAt === null ? "" : ` until ${when(h.expiresAt)}`}`))
      ].join("\n")
  }),
  command({
    name: "roles create",
    usage: "NAME --permission P... [--description D]",
    summary: "Create a custom role from catalog and application permissions (e.g. expenses.approve).",
    options: { permission: { type: "string", multiple: true }, description: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.createRole({ name: p(parsed, 0), permissions: list(parsed, "permission"), ...given(parsed, { description: "description" }) }),
    text: (r) => `Created role ${r.name}: ${r.permissions.join(", ")}.`
  }),
  command({
    name: "roles grant",
    usage: "ROLE (--user USER | --group NAME) [--scope SCOPE] [--expires ISO8601]",
    summary: "Grant a role at a scope (default: the default organization).",
    options: { user: { type: "string" }, group: { type: "string" }, scope: { type: "string" }, expires: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) =>
      Effect.flatMap(principalOf(parsed), (to) =>
        Core.grantRole({ role: p(parsed, 0), to, ...given(parsed, { scope: "scope", expiresAt: "expires" }) })),
    text: (g) =>
      "approval" in g
        ? approvalRequested(g.approval)
        : `${g.created ? "Granted" : "Already held; updated"} ${g.role}@${g.scope} to ${g.principal}${g.expiresAt === null ? "" : ` until ${when(g.expiresAt)}`}.`
  }),
  command({
    name: "roles revoke",
    usage: "ROLE (--user USER | --group NAME) [--scope SCOPE]",
    summary: "Revoke a role at a scope.",
    options: { user: { type: "string" }, group: { type: "string" }, scope: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) =>
      Effect.flatMap(principalOf(parsed), (from) => Core.revokeRole({ role: p(parsed, 0), from, ...given(parsed, { scope: "scope" }) })),
    text: (r) => `Revoked ${r.role}@${r.scope} from ${r.principal}.`
  }),
  command({
    name: "groups list",
    usage: "[--org SLUG]",
    summary: "Groups with their member counts and the roles they carry.",
    options: { org: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) => Core.listGroups(given(parsed, { org: "org" })),
    text: (groups) =>
      groups.length === 0 ? "No groups." : table(
        ["GROUP", "MEMBERS", "ROLES"],
        groups.map((g) => [`${g.org}/${g.name}`, String(g.members), g.roles.map((r) => `${r.role}@${r.scope}`).join(" ") || "—"])
      )
  }),
  command({
    name: "groups create",
    usage: "NAME [--org SLUG]",
    summary: "Create an empty group.",
    options: { org: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.createGroup({ name: p(parsed, 0), ...given(parsed, { org: "org" }) }),
    text: (g) => `Created group ${g.org}/${g.name}.`
  }),
  command({
    name: "groups delete",
    usage: "NAME [--org SLUG]",
    summary: "Delete a group; members lose what it carried, accounts stay.",
    options: { org: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.deleteGroup(p(parsed, 0), str(parsed, "org")),
    text: (r) => `Deleted group ${r.group} (${r.members} members).`
  }),
  command({
    name: "groups add",
    usage: "NAME USER... [--org SLUG]",
    summary: "Add users to a group (they get every role it carries).",
    options: { org: { type: "string" } },
    positionals: { min: 2, max: Infinity },
    run: (parsed) => Core.addGroupMembers(p(parsed, 0), parsed.positionals.slice(1), str(parsed, "org")),
    text: (r) => memberResults(r.results, r.group)
  }),
  command({
    name: "groups remove",
    usage: "NAME USER... [--org SLUG]",
    summary: "Remove users from a group.",
    options: { org: { type: "string" } },
    positionals: { min: 2, max: Infinity },
    run: (parsed) => Core.removeGroupMembers(p(parsed, 0), parsed.positionals.slice(1), str(parsed, "org")),
    text: (r) => r.removed.map((u) => `Removed ${u} from ${r.group}.`).join("\n")
  }),
  command({
    name: "orgs list",
    usage: "",
    summary: "Organizations with their member counts.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.listOrgs,
    text: (orgs) => table(["ORG", "NAME", "MEMBERS", ""], orgs.map((o) => [o.slug, o.name, String(o.members), o.isDefault ? "default" : ""]))
  }),
  command({
    name: "orgs create",
    usage: "SLUG [--name NAME]",
    summary: "Create an organization.",
    options: { name: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.createOrg({ slug: p(parsed, 0), ...given(parsed, { name: "name" }) }),
    text: (o) => `Created organization ${o.slug} (${o.name}).`
  }),
  command({
    name: "orgs add",
    usage: "SLUG USER...",
    summary: "Add existing users to an organization.",
    options: {},
    positionals: { min: 2, max: Infinity },
    run: (parsed) => Core.addOrgMembers(p(parsed, 0), parsed.positionals.slice(1)),
    text: (r) => memberResults(r.results, r.org)
  }),
  command({
    name: "orgs remove",
    usage: "SLUG USER...",
    summary: "Remove users from an organization (their accounts stay).",
    options: {},
    positionals: { min: 2, max: Infinity },
    run: (parsed) => Core.removeOrgMembers(p(parsed, 0), parsed.positionals.slice(1)),
    text: (r) => "approval" in r ? approvalRequested(r.approval) : r.removed.map((u) => `Removed ${u} from ${r.org}; the account stays.`).join("\n")
  }),
  command({
    name: "apps list",
    usage: "",
    summary: "Apps, the scopes app:<org>/<app> that roles can be granted at.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.listApps,
    text: (apps) => apps.length === 0 ? "No apps." : table(["APP", "NAME", "SCOPE"], apps.map((a) => [`${a.org}/${a.slug}`, a.name, a.scope]))
  }),
  command({
    name: "apps create",
    usage: "ORG/APP [--name NAME]",
    summary: "Create an app in an organization.",
    options: { name: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.createApp(p(parsed, 0), str(parsed, "name")),
    text: (a) => `Created app ${a.org}/${a.slug}; grant roles at ${a.scope}.`
  }),
  command({
    name: "why",
    usage: "USER PERMISSION [--scope SCOPE]",
    summary: "Does USER have PERMISSION at SCOPE, and through what?",
    options: { scope: { type: "string" } },
    positionals: { min: 2, max: 2 },
    run: (parsed) => Core.why(p(parsed, 0), p(parsed, 1), str(parsed, "scope")),
    text: (w) =>
      w.allowed
        ? [`yes: ${w.user} has ${w.permission} at ${w.scope} through`, ...w.paths.map((x) =>
          `  ${x.group === null ? "direct" : `group ${x.group} →`} ${x.role}@${x.scope}${x.expiresAt === null ? "" : ` until ${when(x.expiresAt)}`}`)].join("\n")
        : `no: ${w.user} does not have ${w.permission} at ${w.scope}${w.status === "active" ? "" : ` (the user is ${w.status}: no permissions until active)`}.`
  }),
  command({
    name: "audit list",
    usage: "[--user USER] [--limit N]",
    summary: "Recent audit events, newest first.",
    options: { user: { type: "string" }, limit: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const limit = yield* positiveInt("limit", str(parsed, "limit"))
        const userRef = str(parsed, "user")
        const userId = userRef === undefined ? undefined : (yield* Core.showUser(userRef)).user.id
        return yield* Core.listAudit({ ...(userId !== undefined ? { userId } : {}), ...(limit !== undefined ? { limit } : {}) })
      }),
    text: (events) =>
      table(["SEQ", "AT", "VIA", "ACTION", "TARGET", "DETAILS"], events.map((e) => [
        String(e.seq), when(e.at), e.via, e.action, e.target ?? "—", JSON.stringify(e.details) + (e.reason ? ` reason: ${e.reason}` : "")
      ]))
  }),
  command({
    name: "audit verify",
    usage: "",
    summary: "Walk the hash chain; fails if any event was altered or removed.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.verifyAudit,
    text: (v) => v.ok ? `Audit chain intact: ${v.events} events.` : `AUDIT CHAIN BROKEN: ${v.problem}.`,
    failed: (v) => !v.ok
  }),
  command({
    name: "seed",
    usage: "--users N",
    summary: "Add N realistic demo users to the default organization.",
    options: { users: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const n = yield* positiveInt("users", str(parsed, "users"))
        if (n === undefined) return yield* Effect.fail(new UsageError({ message: "--users N is required" }))
        return yield* Core.seedUsers(n)
      }),
    text: (r) => `Seeded ${r.created} users into ${r.org}.`
  })
]
