import * as Core from "@usher/core"
import { Effect } from "effect"
import { fields, table, when } from "../../present/Table.js"
import { command, given, str, type Command } from "../Command.js"
import { limitFlag } from "../Arguments.js"
import { decodeLiteral, p } from "./shared.js"

const age = (iso: string, now = Date.now()) => {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000))
  return minutes < 60 ? `${minutes}m` : minutes < 48 * 60 ? `${Math.round(minutes / 60)}h` : `${Math.round(minutes / 1440)}d`
}

/** One request in full, as `approvals show` and the decisions print it. */
export const formatApproval = (a: Core.ApprovalRequest) =>
  fields([
    ["request", a.id],
    ["action", a.summary],
    ["status", a.status],
    ["requested by", `${a.requestedBy} via ${a.requestedVia}, ${when(a.createdAt)}`],
    ["reason", a.reason],
    ["needs", `approvals.decide at ${a.scopes.join(", ")}`],
    ["expires", when(a.expiresAt)],
    ["decided by", a.decidedBy === null ? null : `${a.decidedBy}, ${when(a.decidedAt)}`],
    ["note", a.note],
    ["error", a.error]
  ])

/** Four-eyes approvals, sessions, and directory settings. */
export const approvalCommands: ReadonlyArray<Command> = [
  command({
    name: "approvals list",
    usage: "[--status pending|approved|executed|denied|expired|canceled|failed] [--limit N]",
    summary: "Approval requests you can decide or asked for (all of them with audit.read at provider), newest first.",
    options: { status: { type: "string" }, limit: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const status = yield* decodeLiteral(Core.ApprovalStatus, "status", str(parsed, "status"))
        const limit = yield* limitFlag(parsed)
        return yield* Core.listApprovals({ ...(status !== undefined ? { status } : {}), ...(limit !== undefined ? { limit } : {}) })
      }),
    text: (list) =>
      list.length === 0 ? "No approval requests." : table(
        ["ID", "STATUS", "ACTION", "REQUESTED BY", "AGE", "REASON"],
        list.map((a) => [a.id, a.status, a.summary, a.requestedBy, age(a.createdAt), a.reason])
      )
  }),
  command({
    name: "approvals show",
    usage: "ID",
    summary: "One approval request in full.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.showApproval(p(parsed, 0)),
    text: formatApproval
  }),
  command({
    name: "approvals approve",
    usage: "ID [--note TEXT]",
    summary: "Approve someone else's request; its action is carried out at once.",
    options: { note: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.approveRequest(p(parsed, 0), given(parsed, { note: "note" })),
    text: (d) =>
      d.executed
        ? `Approved and done: ${d.approval.summary}.`
        : `Approved, but it could not be carried out: ${d.approval.error}. Nothing of it was applied; the request is now failed.`,
    failed: (d) => !d.executed
  }),
  command({
    name: "approvals deny",
    usage: "ID --reason TEXT",
    summary: "Deny someone else's request; nothing of it happens.",
    options: { reason: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.denyRequest(p(parsed, 0), given(parsed, { reason: "reason" })),
    text: (a) => `Denied: ${a.summary}.`
  }),
  command({
    name: "approvals cancel",
    usage: "ID",
    summary: "Withdraw a request you made that is still pending.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.cancelRequest(p(parsed, 0)),
    text: (a) => `Withdrawn: ${a.summary}.`
  }),
  command({
    name: "sessions list",
    usage: "USER",
    summary: "A user's live sessions.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.listSessions(p(parsed, 0)),
    text: (r) =>
      r.sessions.length === 0 ? `${r.user} has no live sessions.` : table(
        ["SESSION", "STARTED", "LAST SEEN", "EXPIRES", "FROM"],
        r.sessions.map((s) => [s.id, when(s.createdAt), when(s.lastSeenAt), when(s.expiresAt), [s.ip, s.userAgent].filter((x) => x !== null).join(" ") || "—"])
      )
  }),
  command({
    name: "sessions revoke",
    usage: "USER [--session ID]",
    summary: "End one or all of a user's sessions; they must sign in again.",
    options: { session: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.revokeSessions(p(parsed, 0), given(parsed, { session: "session" })),
    text: (r) => `Ended ${r.revoked} session${r.revoked === 1 ? "" : "s"} of ${r.user}.`
  }),
  command({
    name: "settings list",
    usage: "",
    summary: "Directory settings: link expiries, session length, which extra actions need approval.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.listSettings,
    text: (s) => fields(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? (v.length === 0 ? "none" : v.join(",")) : String(v)]))
  }),
  command({
    name: "settings set",
    usage: "KEY VALUE",
    summary: `Change a setting, e.g. approval.gates ${Core.optionalGates.join(",")} (or none), invitation.ttl-hours 72.`,
    options: {},
    positionals: { min: 2, max: 2 },
    run: (parsed) => Core.setSetting(p(parsed, 0), p(parsed, 1)),
    text: (s) => `Saved.\n${fields(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? (v.length === 0 ? "none" : v.join(",")) : String(v)]))}`
  })
]
