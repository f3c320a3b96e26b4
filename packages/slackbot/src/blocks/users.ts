import * as Core from "@usher/core"
import { USAGE } from "../parse/command.js"
import { context, divider, escape, fallback, fields, header, section, simple, when, type KnownBlock, type Reply } from "./mrkdwn.js"

/** `/usher help`: every subcommand's usage line, and where one's own account page is. */
export const help = (command: string, pages: Core.PageUrls): Reply => ({
  text: `Usage: ${command} ${USAGE.help}`,
  blocks: [
    header("usher in Slack"),
    section(Object.values(USAGE).flatMap((u) => u.split("\n")).map((u) => `\`${command} ${u}\``).join("\n")),
    context("Mention people with @ or give their e-mail. SCOPE is provider, org:<slug> or app:<org>/<app>. Deletions wait for an approver's click in the approvals channel; the app's Home tab lists what waits for your decision, your own requests and your access."),
    context(`Your own account — profile, sessions, password: <${pages.account}|${escape(pages.account)}>`)
  ]
})

const name = (user: Core.User) => {
  const full = `${user.firstName} ${user.lastName}`.trim()
  return full === "" ? user.email : `${full} (${user.email})`
}

/** `/usher whois`: profile, status, organizations, groups and roles. */
export const whois = (detail: Core.UserDetail): Reply => {
  const u = detail.user
  const blocks: Array<KnownBlock> = [
    header(name(u)),
    fields([
      ["Status", u.status],
      ["Kind", u.kind],
      ...(Core.asciiEmail(u.email) === undefined ? [] : [["E-mail in punycode", escape(Core.asciiEmail(u.email)!)] as const]),
      ["Organizations", detail.organizations.map((o) => escape(o.slug)).join(", ") || "none"],
      ["Groups", detail.groups.map((g) => escape(`${g.org}/${g.name}`)).join(", ") || "none"],
      ["Registered", u.registeredAt === null ? "not yet" : when(u.registeredAt)],
      ["Last active", u.lastActiveAt === null ? "never" : when(u.lastActiveAt)],
      ...(u.position === null ? [] : [["Position", escape(u.position)] as const]),
      ...(u.phone === null ? [] : [["Phone", escape(u.phone)] as const])
    ]),
    divider,
    section(detail.grants.length === 0
      ? "*Roles*: none"
      : `*Roles*\n${detail.grants.map((g) => `• ${escape(g.role)} @ ${escape(g.scope)}${g.group === null ? "" : ` (through group ${escape(g.group)})`}${g.expiresAt === null ? "" : ` until ${when(g.expiresAt)}`}`).join("\n")}`)
  ]
  return { text: fallback(`${escape(name(u))}: ${u.status}`), blocks }
}

/** `/usher why`: whether the user holds the permission at the scope, and through what. */
export const why = (answer: Core.WhyAnswer): Reply => {
  const verdict = answer.allowed
    ? `:white_check_mark: *${escape(answer.user)}* has *${escape(answer.permission)}* at ${escape(answer.scope)}`
    : `:no_entry: *${escape(answer.user)}* does not have *${escape(answer.permission)}* at ${escape(answer.scope)}`
  const paths = answer.paths.map((p) =>
    `• ${p.group === null ? "directly" : `through group ${escape(p.group)}`}: ${escape(p.role)} @ ${escape(p.scope)}${p.expiresAt === null ? "" : ` until ${when(p.expiresAt)}`}`)
  const note = !answer.allowed && answer.status !== "active" ? `\nThe account is ${answer.status}: only active accounts hold permissions.` : ""
  return {
    text: fallback(escape(`${answer.user} ${answer.allowed ? "has" : "does not have"} ${answer.permission} at ${answer.scope}`)),
    blocks: [section(`${verdict}${paths.length > 0 ? `, through:\n${paths.join("\n")}` : "."}${note}`)]
  }
}

/** The reply to a successful invitation: how it reaches the invitee (the link only to the inviter). */
export const invited = (sent: Core.InvitationSent): Reply => {
  const i = sent.invitation
  const how = sent.link !== undefined
    ? `Share this registration link with them yourself (only you see it): ${sent.link}`
    : sent.mail === undefined ? "No mail was sent."
    : sent.mail.status === "failed" ? `The invitation mail could not be sent (${escape(sent.mail.error ?? "unknown error")}); it stays in the outbox.`
    : `The invitation mail is on its way to ${escape(i.email)}.`
  return simple(`:envelope: Invited *${escape(i.email)}* to ${escape(i.org)}. ${how} The invitation expires ${when(i.expiresAt)}.`, `Invited ${i.email} to ${i.org}.`)
}

/** The reply to a status change (suspend, reactivate). */
export const statusChanged = (user: Core.User, verb: "Suspended" | "Reactivated"): Reply =>
  simple(
    verb === "Suspended"
      ? `:pause_button: Suspended *${escape(user.email)}*. Their sessions were ended; roles, groups and data are kept.`
      : `:arrow_forward: Reactivated *${escape(user.email)}*; the account is ${user.status} again.`,
    `${verb} ${user.email}.`
  )

/** The reply to a grant carried out at once. */
export const granted = (grant: { readonly role: string; readonly scope: string; readonly principal: string; readonly expiresAt?: string | null }): Reply => {
  const until = grant.expiresAt == null ? "" : ` until ${when(grant.expiresAt)}`
  const untilText = grant.expiresAt == null ? "" : ` until ${grant.expiresAt.slice(0, 16).replace("T", " ")} UTC`
  return simple(
    `:key: Granted *${escape(grant.role)}* at ${escape(grant.scope)} to ${escape(grant.principal)}${until}.`,
    `Granted ${grant.role} at ${grant.scope} to ${grant.principal}${untilText}.`
  )
}

/** The reply to a revocation. */
export const revoked = (r: { readonly role: string; readonly scope: string; readonly principal: string }): Reply =>
  simple(`Revoked *${escape(r.role)}* at ${escape(r.scope)} from ${escape(r.principal)}.`, `Revoked ${r.role} at ${r.scope} from ${r.principal}.`)
