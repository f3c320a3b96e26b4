import * as Core from "@usher/core"
import type { CommandId } from "../keys/Keymap.js"
import type { Dashboard } from "../runtime/Dashboard.js"
import type { FieldSpec, FormSpec, Submitted, UiActions } from "../state/ui.js"
import { whyNot, type UserFacts } from "./applies.js"
import { mailWords, optional, optionalList, settled } from "./forms.js"

/** What an action needs to know about the user it acts on. */
export type Target = Core.User

const reasonField: FieldSpec = { name: "reason", label: "Reason", hint: "kept in the audit log" }
const accessFields: ReadonlyArray<FieldSpec> = [
  { name: "org", label: "Organization", hint: "slug; empty: the default organization" },
  { name: "roles", label: "Roles", hint: "comma-separated, e.g. user-manager, auditor" },
  { name: "scope", label: "Scope", hint: "provider, org:<slug> or app:<org>/<app>; empty: the organization" },
  { name: "groups", label: "Groups", hint: "comma-separated NAME or ORG/NAME" }
]
const nameFields: ReadonlyArray<FieldSpec> = [
  { name: "email", label: "E-mail" },
  { name: "firstName", label: "First name" },
  { name: "lastName", label: "Last name" }
]

const inviteForm = (dashboard: Dashboard): FormSpec => ({
  title: "Invite someone",
  lines: ["They get a single-use registration link; a shareable link is handed to you instead of mailed."],
  fields: [...nameFields, { name: "phone", label: "Phone", hint: "with country code, optional" }, ...accessFields, { name: "delivery", label: "Send", choices: ["e-mail", "link"] }],
  submitLabel: "invite",
  submit: async (v) => {
    const link = v["delivery"] === "link"
    const outcome = await dashboard.run(Core.inviteUser({
      email: v["email"] ?? "",
      ...optional("firstName", v["firstName"]),
      ...optional("lastName", v["lastName"]),
      ...optional("phone", v["phone"]),
      ...optional("org", v["org"]),
      ...optionalList("roles", v["roles"]),
      ...optional("scope", v["scope"]),
      ...optionalList("groups", v["groups"]),
      link
    }))
    return settled(outcome, (sent) => ({
      ok: true,
      message: `Invited ${sent.invitation.email} to ${sent.invitation.org}${sent.mail ? `; ${mailWords(sent.mail)}` : ""}.`,
      ...(sent.link !== undefined
        ? { notice: { title: `Shareable link for ${sent.invitation.email} (shown once)`, copy: sent.link, lines: [`Works once; expires ${sent.invitation.expiresAt.slice(0, 16).replace("T", " ")} UTC.`] } }
        : {})
    }))
  }
})

const createForm = (dashboard: Dashboard): FormSpec => ({
  title: "New user with a temporary password",
  lines: ["The password is shown once; they must change it at first sign-in."],
  fields: [...nameFields, ...accessFields],
  submitLabel: "create",
  submit: async (v) =>
    settled(
      await dashboard.run(Core.createUser({
        email: v["email"] ?? "",
        firstName: v["firstName"] ?? "",
        lastName: v["lastName"] ?? "",
        ...optional("org", v["org"]),
        ...optionalList("roles", v["roles"]),
        ...optional("scope", v["scope"]),
        ...optionalList("groups", v["groups"])
      })),
      ({ temporaryPassword, user, signInUrl }) => ({
        ok: true,
        message: `Created ${user.email} (provisioned).`,
        notice: {
          title: `Temporary password for ${user.email} - shown once`,
          copy: temporaryPassword,
          lines: ["Hand it over on a safe channel; it must be changed at first sign-in.", `They sign in at ${signInUrl}`]
        }
      })
    )
})

const PROFILE: ReadonlyArray<readonly [keyof Core.ProfileInput & keyof Target, string, string?]> = [
  ["firstName", "First name"],
  ["lastName", "Last name"],
  ["email", "E-mail"],
  ["phone", "Phone", "with country code; empty clears it"],
  ["gender", "Gender"],
  ["birthday", "Birthday", "YYYY-MM-DD"],
  ["orgUnit", "Org unit"],
  ["position", "Position"]
]

const editForm = (dashboard: Dashboard, user: Target): FormSpec => ({
  title: `Edit ${user.email}`,
  fields: [
    ...PROFILE.map(([name, label, hint]): FieldSpec => ({ name, label, initial: String(user[name] ?? ""), ...(hint ? { hint } : {}) })),
    { name: "kind", label: "Kind", choices: ["member", "end-user"], initial: user.kind }
  ],
  submitLabel: "save",
  submit: async (v) => {
    const patch: Record<string, string | null> = {}
    for (const [name] of PROFILE) {
      const typed = (v[name] ?? "").trim()
      if (typed !== String(user[name] ?? "")) patch[name] = typed === "" && name !== "firstName" && name !== "lastName" && name !== "email" ? null : typed
    }
    if (v["kind"] !== user.kind) patch["kind"] = v["kind"] ?? user.kind
    return settled(
      await dashboard.run(Core.updateUser(user.id, patch, { expectedVersion: user.version })),
      (saved) => ({ ok: true, message: `Saved ${saved.email}.` })
    )
  }
})

const confirm = (title: string, lines: ReadonlyArray<string>, submitLabel: string, submit: () => Promise<Submitted>): FormSpec => ({
  title,
  lines,
  fields: [],
  submitLabel,
  submit
})

/**
 * Opens the form or dialog of a user action; false when the command is not a user action. An
 * action that cannot apply to the user (`whyNot`) is refused with the reason at once, before any form.
 */
export const runUserAction = (command: CommandId, user: Target | undefined, dashboard: Dashboard, ui: UiActions, facts: UserFacts = {}): boolean => {
  const form = (spec: FormSpec) => ui.open({ kind: "form", form: spec })
  if (command === "user.invite") return form(inviteForm(dashboard)), true
  if (command === "user.create") return form(createForm(dashboard)), true
  if (!command.startsWith("user.")) return false
  if (user === undefined) {
    ui.say("No user under the cursor.", "error")
    return true
  }
  const refused = whyNot(command, user, facts)
  if (refused !== undefined) {
    ui.say(refused, "error")
    return true
  }
  const who = user.email
  switch (command) {
    case "user.edit":
      form(editForm(dashboard, user))
      return true
    case "user.suspend":
      form({
        title: `Suspend ${who}`,
        lines: ["Their sessions end at once; roles, groups and data are kept."],
        fields: [reasonField],
        submitLabel: "suspend",
        submit: async (v) =>
          settled(await dashboard.run(Core.suspendUser(user.id, { reason: v["reason"] ?? "", expectedVersion: user.version })), (u) => ({ ok: true, message: `Suspended ${u.email}.` }))
      })
      return true
    case "user.reactivate":
      form({
        title: `Reactivate ${who}`,
        fields: [reasonField],
        submitLabel: "reactivate",
        submit: async (v) =>
          settled(await dashboard.run(Core.reactivateUser(user.id, { reason: v["reason"] ?? "", expectedVersion: user.version })), (u) => ({ ok: true, message: `Reactivated ${u.email} (${u.status}).` }))
      })
      return true
    case "user.grant":
      form({
        title: `Grant a role to ${who}`,
        fields: [
          { name: "role", label: "Role", hint: "provider-admin, org-admin, user-manager, approver, auditor or a custom role" },
          { name: "scope", label: "Scope", hint: "provider, org:<slug> or app:<org>/<app>; empty: the default organization" },
          { name: "expires", label: "Until", hint: "optional ISO date-time, e.g. 2030-01-31T18:00:00Z" },
          { name: "reason", label: "Reason", hint: "needed when admin grants wait for approval" }
        ],
        submitLabel: "grant",
        submit: async (v) =>
          settled(
            await dashboard.run(Core.grantRole({
              role: v["role"] ?? "",
              to: { user: user.id },
              ...optional("scope", v["scope"]),
              ...optional("expiresAt", v["expires"]),
              ...optional("reason", v["reason"])
            })),
            (r) => r._tag === "ApprovalRequested"
              ? { ok: true, message: `Approval requested: ${r.approval.summary}.` }
              : { ok: true, message: `Granted ${r.role}@${r.scope} to ${r.principal}.` }
          )
      })
      return true
    case "user.group.add":
      form({
        title: `Add ${who} to a group`,
        fields: [{ name: "group", label: "Group", hint: "NAME (default organization) or ORG/NAME" }],
        submitLabel: "add",
        submit: async (v) =>
          settled(await dashboard.run(Core.addGroupMembers(v["group"] ?? "", [user.id])), (r) => ({
            ok: true,
            message: r.results.some((x) => x.added) ? `Added ${who} to ${r.group}.` : `${who} was already in ${r.group}.`
          }))
      })
      return true
    case "user.org.add":
      form({
        title: `Add ${who} to an organization`,
        lines: ["Membership alone grants nothing."],
        fields: [{ name: "org", label: "Organization", hint: "slug" }],
        submitLabel: "add",
        submit: async (v) =>
          settled(await dashboard.run(Core.addOrgMembers(v["org"] ?? "", [user.id])), (r) => ({
            ok: true,
            message: r.results.some((x) => x.added) ? `Added ${who} to ${r.org}.` : `${who} was already in ${r.org}.`
          }))
      })
      return true
    case "user.revoke":
    case "user.group.remove":
    case "user.org.remove":
      ui.hold(pickFromDetail(command, user, dashboard, ui))
      return true
    case "user.password.reset":
      form(confirm(`Reset the password of ${who}?`, ["A single-use link is mailed to them; you never see or set the password."], "send the link", async () =>
        settled(await dashboard.run(Core.requestPasswordReset(user.id)), (r) => ({ ok: true, message: `Reset link for ${r.user}: ${mailWords(r.mail)}.` }))))
      return true
    case "user.sessions.revoke":
      form(confirm(`Sign ${who} out everywhere?`, ["Every session of theirs ends at once."], "revoke sessions", async () =>
        settled(await dashboard.run(Core.revokeSessions(user.id)), (r) => ({ ok: true, message: `Ended ${r.revoked} session${r.revoked === 1 ? "" : "s"} of ${r.user}.` }))))
      return true
    case "user.unlock":
      form(confirm(`Unlock sign-in for ${who}?`, ["Clears the lock after repeated failed sign-ins."], "unlock", async () =>
        settled(await dashboard.run(Core.unlockUser(user.id)), (r) => ({ ok: true, message: r.unlocked ? `Unlocked ${r.user.email}.` : `${r.user.email} was not locked.` }))))
      return true
    case "user.invite.resend":
      form({
        title: `Resend the invitation of ${who}`,
        lines: ["A new link replaces the old one, which stops working."],
        fields: [{ name: "delivery", label: "Send", choices: ["e-mail", "link"] }],
        submitLabel: "resend",
        submit: async (v) =>
          settled(await dashboard.run(Core.resendInvitation(user.id, { link: v["delivery"] === "link" })), (sent) => ({
            ok: true,
            message: `Invitation of ${sent.invitation.email} sent again${sent.mail ? `; ${mailWords(sent.mail)}` : ""}.`,
            ...(sent.link !== undefined ? { notice: { title: `New shareable link for ${sent.invitation.email} (shown once)`, copy: sent.link, lines: ["The link before this one no longer works."] } } : {})
          }))
      })
      return true
    case "user.invite.cancel":
      form(confirm(`Cancel the invitation of ${who}?`, ["The invited account leaves the directory; the link stops working."], "cancel the invitation", async () =>
        settled(await dashboard.run(Core.cancelInvitation(user.id)), (r) => ({ ok: true, message: `Cancelled the invitation of ${r.email}.`, leave: true }))))
      return true
    case "user.delete":
      form({
        title: `Request the deletion of ${who}`,
        lines: ["Deletion waits for a second person's approval; then the account is erased for good.", `Type the e-mail (${who}) to confirm.`],
        fields: [{ name: "confirm", label: "E-mail" }, reasonField],
        submitLabel: "request deletion",
        check: (v) => (v["confirm"] ?? "").trim().toLowerCase() === who.toLowerCase() ? undefined : `Type ${who} exactly to confirm.`,
        submit: async (v) =>
          settled(await dashboard.run(Core.deleteUser(user.id, { reason: v["reason"] ?? "" })), (r) => ({
            ok: true,
            message: `Deletion requested (${r.approval.id.slice(0, 8)}): it waits for approval in :approvals.`
          }))
      })
      return true
    default:
      return false
  }
}

/** Revoking a role, leaving a group or an organization: pick one of the user's own, then confirm. */
const pickFromDetail = async (command: "user.revoke" | "user.group.remove" | "user.org.remove", user: Target, dashboard: Dashboard, ui: UiActions) => {
  const detail = await dashboard.run(Core.showUser(user.id))
  if (!detail.ok) return ui.say(detail.error.message, "error")
  const who = user.email
  const open = (spec: FormSpec) => () => ui.open({ kind: "form", form: spec })
  const items = command === "user.revoke"
    ? detail.value.grants.filter((g) => g.group === null).map((g) => ({
      label: `${g.role}@${g.scope}`,
      run: open(confirm(`Revoke ${g.role}@${g.scope} from ${who}?`, [], "revoke", async () =>
        settled(await dashboard.run(Core.revokeRole({ role: g.role, from: { user: user.id }, scope: g.scope })), (r) => ({ ok: true, message: `Revoked ${r.role}@${r.scope} from ${r.principal}.` }))))
    }))
    : command === "user.group.remove"
    ? detail.value.groups.map((g) => ({
      label: `${g.org}/${g.name}`,
      run: open(confirm(`Remove ${who} from ${g.org}/${g.name}?`, ["They lose what the group carries; the account stays."], "remove", async () =>
        settled(await dashboard.run(Core.removeGroupMembers(`${g.org}/${g.name}`, [user.id])), (r) => ({ ok: true, message: `Removed ${who} from ${r.group}.` }))))
    }))
    : detail.value.organizations.map((o) => ({
      label: `${o.slug} (${o.name})`,
      run: open({
        title: `Remove ${who} from ${o.slug}?`,
        lines: ["Their groups and roles there go too; the account stays."],
        fields: [reasonField],
        submitLabel: "remove",
        submit: async (v) =>
          settled(await dashboard.run(Core.removeOrgMembers(o.slug, [user.id], { reason: v["reason"] ?? "" })), (r) =>
            r._tag === "ApprovalRequested" ? { ok: true, message: `Approval requested: ${r.approval.summary}.` } : { ok: true, message: `Removed ${who} from ${r.org}.` })
      })
    }))
  if (items.length === 0) {
    const none = command === "user.revoke" ? "no direct grants (roles through groups are revoked on the group)" : command === "user.group.remove" ? "no groups" : "no organizations"
    return ui.say(`${who} has ${none}.`, "error")
  }
  ui.open({
    kind: "menu",
    menu: { title: command === "user.revoke" ? `Revoke which role of ${who}?` : command === "user.group.remove" ? `Remove ${who} from which group?` : `Remove ${who} from which organization?`, items }
  })
}
