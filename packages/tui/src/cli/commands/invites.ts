import * as Core from "@usher/core"
import { Effect, Schema } from "effect"
import { fields, table, when } from "../../present/Table.js"
import { command, flag, given, str, UsageError, type Command, type Parsed } from "../Command.js"
import { limitFlag } from "../Arguments.js"
import { decodeLiteral, formatInvitationSent, p } from "./shared.js"

const InvitationStatus = Schema.Literal("pending", "expired", "accepted")
const OutboxStatus = Schema.Literal("queued", "sent", "failed")

/** The password piped in with `--password-stdin`: its first line, as typed. */
const passwordFrom = (parsed: Parsed) =>
  flag(parsed, "password-stdin")
    ? Effect.succeed((parsed.stdin ?? "").split(/\r?\n/)[0] ?? "")
    : Effect.fail(new UsageError({ message: "give the password on standard input with --password-stdin (never as an argument)" }))

/** Invitations (pending, resend, cancel, accept), the invitee's and reset side, and the mail outbox. */
export const invitationCommands: ReadonlyArray<Command> = [
  command({
    name: "invites list",
    usage: "[--status pending|expired|accepted] [--org SLUG]",
    summary: "Invitations with their status, inviter and expiry.",
    options: { status: { type: "string" }, org: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.flatMap(decodeLiteral(InvitationStatus, "status", str(parsed, "status")), (status) =>
        Core.listInvitations({ ...given(parsed, { org: "org" }), ...(status !== undefined ? { status } : {}) })),
    text: (list) =>
      list.length === 0 ? "No invitations." : table(
        ["EMAIL", "ORG", "STATUS", "INVITED BY", "SENT", "EXPIRES", "ID"],
        list.map((i) => [i.email, i.org, i.status, i.invitedBy, `${when(i.lastSentAt)} (${i.sentCount}×, ${i.delivery})`, when(i.expiresAt), i.id])
      )
  }),
  command({
    name: "invites resend",
    usage: "USER|ID [--link]",
    summary: "Send a pending or expired invitation again with a new link; the old link stops working.",
    options: { link: { type: "boolean" } },
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.resendInvitation(p(parsed, 0), { link: flag(parsed, "link") }),
    text: (r) => formatInvitationSent(r).replace(/^Invited/, "Re-invited"),
    failed: (r) => r.mail?.status === "failed"
  }),
  command({
    name: "invites cancel",
    usage: "USER|ID",
    summary: "Cancel a pending invitation: the invited account leaves the directory (the audit keeps the record).",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.cancelInvitation(p(parsed, 0)),
    text: (r) => `Cancelled the invitation of ${r.email} to ${r.org}; the link no longer works.`
  }),
  command({
    name: "invites accept",
    usage: "TOKEN|LINK --password-stdin [--first-name F] [--last-name L]",
    summary: "The invitee's side: choose a password (read from standard input) and activate the account.",
    options: { "password-stdin": { type: "boolean" }, "first-name": { type: "string" }, "last-name": { type: "string" } },
    positionals: { min: 1, max: 1 },
    actor: "system",
    readsStdin: (parsed) => flag(parsed, "password-stdin"),
    run: (parsed) =>
      Effect.flatMap(passwordFrom(parsed), (password) =>
        Core.decodeThen(Core.AcceptInput, Core.acceptInvitation)({ token: p(parsed, 0), password, ...given(parsed, { firstName: "first-name", lastName: "last-name" }) })),
    text: (u) => `Welcome, ${u.firstName}: ${u.email} is active. Sign in with your new password.`
  }),
  command({
    name: "passwords reset",
    usage: "TOKEN|LINK --password-stdin",
    summary: "The user's side of a reset link: choose a new password (read from standard input); every session ends.",
    options: { "password-stdin": { type: "boolean" } },
    positionals: { min: 1, max: 1 },
    actor: "system",
    readsStdin: (parsed) => flag(parsed, "password-stdin"),
    run: (parsed) => Effect.flatMap(passwordFrom(parsed), (password) => Core.decodeThen(Core.ResetInput, Core.completePasswordReset)({ token: p(parsed, 0), password })),
    text: (u) => `New password set for ${u.email}; sign in with it.`
  }),
  command({
    name: "outbox list",
    usage: "[--status queued|sent|failed] [--limit N]",
    summary: "Mail usher wrote (embedded outbox: one .eml file each) or sent through SMTP, newest first.",
    options: { status: { type: "string" }, limit: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const status = yield* decodeLiteral(OutboxStatus, "status", str(parsed, "status"))
        const limit = yield* limitFlag(parsed)
        return yield* Core.listOutbox({ ...(status !== undefined ? { status } : {}), ...(limit !== undefined ? { limit } : {}) })
      }),
    text: (mails) =>
      mails.length === 0 ? "The outbox is empty." : table(
        ["WHEN", "TO", "SUBJECT", "STATUS", "WHERE", "ID"],
        mails.map((m) => [when(m.createdAt), m.to, m.subject, m.status, m.status === "failed" ? (m.error ?? "") : (m.file ?? m.transport ?? ""), m.id])
      )
  }),
  command({
    name: "outbox show",
    usage: "ID",
    summary: "One mail with its text (the text is not kept after an SMTP server took it).",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.showOutbox(p(parsed, 0)),
    text: (m) =>
      [
        fields([["to", m.to], ["from", m.from], ["subject", m.subject], ["status", m.status], ["file", m.file], ["error", m.error]]),
        "",
        m.text === "" ? "(the text is not kept once an SMTP server accepted the mail)" : m.text
      ].join("\n")
  }),
  command({
    name: "outbox send",
    usage: "",
    summary: "Send every queued or failed mail again.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.retryOutbox,
    text: (reports) =>
      reports.length === 0 ? "Nothing to send." : reports.map((r) => r.status === "sent" ? `Sent to ${r.to}.` : `Failed for ${r.to}: ${r.error}`).join("\n"),
    failed: (reports) => reports.some((r) => r.status === "failed")
  })
]
