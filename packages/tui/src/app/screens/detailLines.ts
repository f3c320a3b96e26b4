import * as Core from "@usher/core"
import { day, minute } from "../components/layout.js"
import { actorName, targetName } from "./auditText.js"

/** One line of the detail view. */
export interface DetailLine {
  readonly text: string
  readonly color?: string
  readonly bold?: boolean
  readonly dim?: boolean
  /** wrapped, its continuations start at the margin (a message), not indented under it */
  readonly flush?: boolean
}

/** Everything the detail view shows about one user; each part may be missing (loading or not readable). */
export interface DetailData {
  readonly detail: Core.UserDetail | undefined
  readonly access: Core.AccessTree | undefined
  readonly sessions: { readonly sessions: ReadonlyArray<Core.Session> } | undefined
  readonly invitation: Core.Invitation | null | undefined
  readonly audit: ReadonlyArray<Core.AuditLine> | undefined
  /** a request to delete the account that waits for approval */
  readonly pendingDeletion?: Core.ApprovalRequest | undefined
  /** why a part could not be read (e.g. no `audit.read`) */
  readonly errors: Readonly<Partial<Record<"detail" | "access" | "sessions" | "invitation" | "audit", string>>>
}

const heading = (text: string): DetailLine => ({ text, bold: true, color: "cyan" })
const item = (text: string, extra: Omit<DetailLine, "text"> = {}): DetailLine => ({ text: `  ${text}`, ...extra })
const missing = (error: string | undefined): ReadonlyArray<DetailLine> => [item(error ?? "loading...", { dim: true })]

/** Words wrapped into lines of at most `width` cells, each after `prefix` (continuations after `indent`). */
const wrapList = (words: ReadonlyArray<string>, width: number, prefix: string, indent: string): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let current = prefix
  for (const [i, word] of words.entries()) {
    const piece = `${word}${i < words.length - 1 ? "," : ""}`
    if (current.length + piece.length + 1 > width && current.trim() !== prefix.trim()) {
      lines.push(current)
      current = `${indent}${piece}`
    } else {
      current = current === prefix ? `${prefix}${piece}` : `${current} ${piece}`
    }
  }
  lines.push(current)
  return lines
}

/** The provenance tree: user → direct or group → role@scope → permissions. */
export const accessLines = (access: Core.AccessTree, width: number): ReadonlyArray<DetailLine> => {
  const out: Array<DetailLine> = [item(access.user)]
  access.sources.forEach((source, s) => {
    const lastSource = s === access.sources.length - 1
    out.push(item(`${lastSource ? "└─" : "├─"} ${source.group === null ? "direct" : `group ${source.group}`}`))
    const bar = lastSource ? "   " : "│  "
    source.grants.forEach((grant, g) => {
      const lastGrant = g === source.grants.length - 1
      const until = grant.expiresAt === null ? "" : grant.expired ? ` (expired ${day(grant.expiresAt)})` : ` (until ${minute(grant.expiresAt)})`
      out.push(item(`${bar}${lastGrant ? "└─" : "├─"} ${grant.role}@${grant.scope}${until}`, grant.expired ? { dim: true } : {}))
      const leafIndent = `  ${bar}${lastGrant ? "   " : "│  "}`
      for (const text of wrapList(grant.permissions, width, `${leafIndent}└─ `, `${leafIndent}   `)) {
        out.push({ text, ...(grant.expired || !access.active ? { dim: true } : {}) })
      }
    })
  })
  if (access.sources.length === 0) out.push(item("└─ no roles"))
  return out
}

/** The detail view's lines for a width: profile, lifecycle, memberships, grants, access tree, sessions, invitation, audit. */
export const detailLines = (data: DetailData, width: number): ReadonlyArray<DetailLine> => {
  const d = data.detail
  if (d === undefined) return missing(data.errors.detail)
  const u = d.user
  const deletion = data.pendingDeletion
  const flags = [
    u.mustChangePassword ? "must change password" : "",
    Core.signInLocked(u, new Date()) ? `sign-in locked until ${minute(u.lockedUntil!)}` : "",
    deletion === undefined ? "" : `deletion requested by ${deletion.requestedBy} ${minute(deletion.createdAt)}, waits for approval`
  ].filter((f) => f !== "")
  const out: Array<DetailLine> = [
    { text: `${`${u.firstName} ${u.lastName}`.trim() || u.email} <${u.email}>`, bold: true },
    { text: `status ${u.status}${flags.length > 0 ? ` | ${flags.join(" | ")}` : ""}`, bold: true, ...(u.status === "suspended" ? { color: "red" } : u.status === "active" ? { color: "green" } : { color: "yellow" }) },
    heading("Profile"),
    ...(Core.asciiEmail(u.email) === undefined ? [] : [item(`e-mail domain in punycode: ${Core.asciiEmail(u.email)}`)]),
    item(`phone ${u.phone === null ? "-" : Core.formatPhone(u.phone)} | gender ${u.gender ?? "-"} | birthday ${u.birthday ?? "-"}`),
    item(`org unit ${u.orgUnit ?? "-"} | position ${u.position ?? "-"} | kind ${u.kind}`),
    item(`id ${u.id}`, { dim: true }),
    heading("Lifecycle"),
    item(`created ${minute(u.createdAt)} | registered ${minute(u.registeredAt)}`),
    item(`last active ${minute(u.lastActiveAt)} | version ${u.version}`),
    heading(`Organizations (${d.organizations.length})`),
    ...(d.organizations.length === 0 ? [item("-")] : d.organizations.map((o) => item(`${o.slug} (${o.name}) since ${day(o.joinedAt)}`))),
    heading(`Groups (${d.groups.length})`),
    ...(d.groups.length === 0 ? [item("-")] : d.groups.map((g) => item(`${g.org}/${g.name} since ${day(g.addedAt)}`)))
  ]
  const direct = d.grants.filter((g) => g.group === null)
  out.push(heading(`Direct grants (${direct.length})`))
  out.push(...(direct.length === 0 ? [item("-")] : direct.map((g) =>
    item(`${g.role}@${g.scope} granted ${day(g.grantedAt)}${g.expiresAt === null ? "" : ` until ${minute(g.expiresAt)}`}`)
  )))
  const access = data.access
  out.push(heading(access === undefined
    ? "Effective permissions"
    : `Effective permissions (${access.effectiveCount})${access.active ? "" : ` - none count while ${access.status}`}`))
  out.push(...(access === undefined ? missing(data.errors.access) : accessLines(access, width)))
  const sessions = data.sessions?.sessions
  out.push(heading(`Sessions${sessions === undefined ? "" : ` (${sessions.length})`}`))
  out.push(...(sessions === undefined ? missing(data.errors.sessions) : sessions.length === 0 ? [item("none")] : sessions.map((s) =>
    item(`${minute(s.createdAt)} | last seen ${minute(s.lastSeenAt)} | ${s.ip ?? "?"} | ${s.userAgent ?? "?"}`)
  )))
  out.push(heading("Invitation"))
  const inv = data.invitation
  out.push(
    inv === undefined ? missing(data.errors.invitation)[0]! :
    inv === null ? item("not invited (created directly or seeded)") :
    item(`${inv.status} | ${inv.delivery} | to ${inv.org} by ${inv.invitedBy} | sent ${inv.sentCount}× (last ${minute(inv.lastSentAt)}) | ${
      inv.status === "accepted" ? `accepted ${minute(inv.acceptedAt)}` : `expires ${minute(inv.expiresAt)}`
    }`, inv.status === "expired" ? { color: "yellow" } : {})
  )
  // what was done to the account and what its user did to others, apart (one query reads both)
  const audit = data.audit
  const reason = (e: Core.AuditLine) => e.reason === null ? "" : ` - ${e.reason}`
  const onAccount = audit?.filter((e) => e.target === u.id)
  const byThem = audit?.filter((e) => e.target !== u.id && e.actor === u.id)
  out.push(heading("Recent activity on this account"))
  out.push(...(onAccount === undefined ? missing(data.errors.audit) : onAccount.length === 0 ? [item("none")] : onAccount.map((e) =>
    item(`${minute(e.at)} ${e.action} by ${e.actor === u.id ? "them" : actorName(e)} via ${e.via}${reason(e)}`)
  )))
  out.push(heading("Recent activity by them"))
  out.push(...(byThem === undefined ? missing(data.errors.audit) : byThem.length === 0 ? [item("none")] : byThem.map((e) =>
    item(`${minute(e.at)} ${e.action} ${targetName(e)} via ${e.via}${reason(e)}`)
  )))
  return out
}
