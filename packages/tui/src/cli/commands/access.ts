import * as Core from "@usher/core"
import { Effect } from "effect"
import { fields, table, when } from "../../present/Table.js"
import { command, given, list, str, type Command } from "../Command.js"
import { approvalRequested, memberResults, p, principalOf } from "./shared.js"

/** Roles, groups, organizations, apps and `why`. */
/** One path that gives a permission, as why and who-can print it. */
const pathLine = (x: Core.WhyAnswer["paths"][number]) =>
  `${x.group === null ? "direct" : `group ${x.group} →`} ${x.role}@${x.scope}${x.expiresAt === null ? "" : ` until ${when(x.expiresAt)}`}`

export const accessCommands: ReadonlyArray<Command> = [
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
    run: (parsed) => Core.decodeThen(Core.CreateRoleInput, Core.createRole)({ name: p(parsed, 0), permissions: list(parsed, "permission"), ...given(parsed, { description: "description" }) }),
    text: (r) => `Created role ${r.name}: ${r.permissions.join(", ")}.`
  }),
  command({
    name: "roles grant",
    usage: "ROLE (--user USER | --group NAME) [--scope SCOPE] [--expires ISO8601 | --for DURATION] [--reason TEXT]",
    summary: "Grant a role at a scope (default: the default organization), until --expires or --for 8h|3d|2w (at most 365d); admin roles may need approval (settings).",
    options: {
      user: { type: "string" }, group: { type: "string" }, scope: { type: "string" }, expires: { type: "string" }, for: { type: "string" }, reason: { type: "string" }
    },
    positionals: { min: 1, max: 1 },
    run: (parsed) =>
      Effect.flatMap(principalOf(parsed), (to) =>
        Core.decodeThen(Core.GrantInput, Core.grantRole)({
          role: p(parsed, 0), to, ...given(parsed, { scope: "scope", expiresAt: "expires", expiresIn: "for", reason: "reason" })
        })),
    text: (g) =>
      g._tag === "ApprovalRequested"
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
      Effect.flatMap(principalOf(parsed), (from) => Core.decodeThen(Core.RevokeInput, Core.revokeRole)({ role: p(parsed, 0), from, ...given(parsed, { scope: "scope" }) })),
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
    run: (parsed) => Core.decodeThen(Core.CreateGroupInput, Core.createGroup)({ name: p(parsed, 0), ...given(parsed, { org: "org" }) }),
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
    run: (parsed) => Core.decodeThen(Core.CreateOrgInput, Core.createOrg)({ slug: p(parsed, 0), ...given(parsed, { name: "name" }) }),
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
    usage: "SLUG USER... [--reason TEXT]",
    summary: "Remove users from an organization (their accounts stay); more than one at once waits for approval.",
    options: { reason: { type: "string" } },
    positionals: { min: 2, max: Infinity },
    run: (parsed) => Core.removeOrgMembers(p(parsed, 0), parsed.positionals.slice(1), given(parsed, { reason: "reason" })),
    text: (r) => r._tag === "ApprovalRequested" ? approvalRequested(r.approval) : r.removed.map((u) => `Removed ${u} from ${r.org}; the account stays.`).join("\n")
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
          `  ${pathLine(x)}`)].join("\n")
        : `no: ${w.user} does not have ${w.permission} at ${w.scope}${w.status === "active" ? "" : ` (the user is ${w.status}: no permissions until active)`}.`
  }),
  command({
    name: "who-can",
    usage: "PERMISSION [--scope SCOPE]",
    summary: "Who has PERMISSION at SCOPE (default: the default organization), and through what? Among the users you may read.",
    options: { scope: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.whoCan(p(parsed, 0), str(parsed, "scope")),
    text: (w) =>
      w.holders.length === 0
        ? `Nobody you may read has ${w.permission} at ${w.scope}.`
        : [`${w.holders.length} ${w.holders.length === 1 ? "user has" : "users have"} ${w.permission} at ${w.scope}:`, ...w.holders.flatMap((h) => [
          `  ${h.user}`,
          ...h.paths.map((x) => `    ${pathLine(x)}`)
        ])].join("\n")
  })
]
