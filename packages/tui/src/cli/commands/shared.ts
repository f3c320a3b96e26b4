import * as Core from "@usher/core"
import { Effect, Either, Schema } from "effect"
import { when } from "../../present/Table.js"
import { given, str, UsageError, type Parsed } from "../Command.js"

/** The profile flags shared by `users create`, `users invite` and `users update`. */
export const profileFlags = {
  "first-name": { type: "string" },
  "last-name": { type: "string" },
  phone: { type: "string" },
  gender: { type: "string" },
  birthday: { type: "string" },
  "org-unit": { type: "string" },
  position: { type: "string" },
  kind: { type: "string" }
} as const

/** The profile fields given on the command line. */
export const profileOf = (parsed: Parsed) =>
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

/** `--status` as a user status, or a usage error. */
export const decodeStatus = (text: string | undefined) => decodeLiteral(Core.UserStatus, "status", text)

/** A flag that takes one of a literal schema's values (absent stays absent), or a usage error listing them. */
export const decodeLiteral = <A extends string>(schema: Schema.Schema<A> & { readonly literals: ReadonlyArray<A> }, flagName: string, text: string | undefined) =>
  text === undefined ? Effect.succeed(undefined) : Either.match(Schema.decodeUnknownEither(schema)(text), {
    onLeft: () => Effect.fail(new UsageError({ message: `--${flagName} must be one of ${schema.literals.join(", ")}` })),
    onRight: (a) => Effect.succeed<A | undefined>(a)
  })

/** `--user USER` or `--group NAME`, exactly one. */
export const principalOf = (parsed: Parsed) => {
  const user = str(parsed, "user")
  const group = str(parsed, "group")
  if ((user === undefined) === (group === undefined)) {
    return Effect.fail(new UsageError({ message: "give exactly one of --user USER or --group NAME" }))
  }
  return Effect.succeed<Core.PrincipalRef>(user !== undefined ? { user } : { group: group! })
}

/** "Added … / was already in …" lines. */
export const memberResults = (results: ReadonlyArray<{ user: string; added: boolean }>, where: string) =>
  results.map((r) => r.added ? `Added ${r.user} to ${where}.` : `${r.user} was already in ${where}.`).join("\n")

/** The i-th positional argument (its presence checked by the command's `positionals`). */
export const p = (parsed: Parsed, i: number) => parsed.positionals[i]!

/** What a command that filed an approval request prints. */
export const approvalRequested = (a: Core.ApprovalRequest) =>
  `Approval requested (${a.id}): ${a.summary}.\nIt waits for someone else with approvals.decide at ${a.scopes.join(", ")} until ${when(a.expiresAt)}: usher approvals approve ${a.id}`


/** Per-user lines of a bulk change ("Suspended a@x." / "b@x: <why not>"). */
export const bulkResults = (results: ReadonlyArray<Core.BulkOutcome>, verb: string) =>
  results.map((r) => r.ok ? `${verb} ${r.user}.` : `${r.user}: ${r.error.message}`).join("\n")

/** How a mail went: written to the outbox file, sent, or failed (kept for `usher outbox send`). */
export const mailLine = (mail: { readonly status: string; readonly file: string | null; readonly error: string | null }) =>
  mail.status === "sent"
    ? mail.file === null ? "mailed." : `mailed (kept in the outbox: ${mail.file}).`
    : mail.status === "failed"
    ? `the mail could not be sent (${mail.error}); it stays in the outbox for usher outbox send.`
    : "queued in the outbox."

/** What `users invite` and `invites resend` print. */
export const formatInvitationSent = (r: Core.InvitationSent) =>
  [
    `Invited ${r.invitation.email} to ${r.invitation.org} (invitation ${r.invitation.id}, valid until ${when(r.invitation.expiresAt)}).`,
    r.link !== undefined ? `Registration link (single use, share it with them): ${r.link}` : undefined,
    r.mail !== undefined ? `Invitation ${mailLine(r.mail)}` : undefined
  ].filter((x) => x !== undefined).join("\n")
