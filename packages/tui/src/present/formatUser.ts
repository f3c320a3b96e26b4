import { asciiEmail, formatPhone, signInLocked, type User, type UserDetail } from "@usher/core"
import { fields, table, when } from "./Table.js"

/** Users as the list table (seed columns: name, e-mail, phone, status, registered, last active). */
export const formatUserList = (users: ReadonlyArray<User>): string =>
  users.length === 0
    ? "No users match."
    : table(
      ["NAME", "EMAIL", "PHONE", "STATUS", "REGISTERED", "LAST ACTIVE"],
      users.map((u) => [`${u.firstName} ${u.lastName}`.trim(), u.email, u.phone === null ? "—" : formatPhone(u.phone), u.status, when(u.registeredAt), when(u.lastActiveAt)])
    )

/** One user's profile and status fields; an internationalized e-mail domain is shown in punycode too. */
export const formatUser = (user: User): string => {
  const ascii = asciiEmail(user.email)
  return fields([
    ["id", user.id],
    ["name", `${user.firstName} ${user.lastName}`.trim()],
    ["email", user.email],
    ...(ascii === undefined ? [] : [["punycode", ascii] as const]),
    ["phone", user.phone === null ? null : formatPhone(user.phone)],
    ["gender", user.gender],
    ["birthday", user.birthday],
    ["org unit", user.orgUnit],
    ["position", user.position],
    ["kind", user.kind],
    ["status", user.status + (user.mustChangePassword ? " (must change password)" : "")],
    ["sign-in", signInLocked(user, new Date()) ? `locked until ${when(user.lockedUntil)} (usher users unlock lifts it now)` : "allowed"],
    ["created", when(user.createdAt)],
    ["registered", when(user.registeredAt)],
    ["last active", when(user.lastActiveAt)],
    ["version", String(user.version)]
  ])
}

/** `users show`: profile, organizations, groups, grants. */
export const formatUserDetail = (detail: UserDetail): string =>
  [
    formatUser(detail.user),
    "",
    `organizations: ${detail.organizations.length === 0 ? "—" : detail.organizations.map((o) => o.slug).join(", ")}`,
    `groups:        ${detail.groups.length === 0 ? "—" : detail.groups.map((g) => `${g.org}/${g.name}`).join(", ")}`,
    "grants:",
    detail.grants.length === 0
      ? "  —"
      : detail.grants.map((g) =>
        `  ${g.role}@${g.scope}${g.group === null ? "" : ` (via group ${g.group})`}${g.expiresAt === null ? "" : ` until ${when(g.expiresAt)}`}`
      ).join("\n")
  ].join("\n")
