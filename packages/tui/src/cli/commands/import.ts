import * as Core from "@usher/core"
import { Effect, Stream } from "effect"
import { resolve } from "node:path"
import { command, flag, given, str, UsageError, type Command } from "../Command.js"
import { wholeNumber } from "../Arguments.js"
import { decodeStatus, p } from "./shared.js"

const SHOWN_UPDATES = 50

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** What `import users` prints: the counts, the updates, then each bad line as `line N: reason`. */
export const formatImportReport = (r: Core.ImportReport): string => {
  const newAccounts = r.mode === "invite" ? "new accounts invited" : "new accounts created, each mailed a link to choose a password"
  const verb = r.dryRun ? { created: "to create", updated: "to update" } : { created: "created", updated: "updated" }
  const lines = [
    `${r.file} → ${r.org} (${newAccounts})${r.dryRun ? ": dry run, nothing was written" : `: ${plural(r.batches, "batch", "batches")} committed`}.`,
    `${plural(r.rows, "row")}: ${r.created} ${verb.created}, ${r.updated} ${verb.updated}, ${r.skipped} unchanged, ${r.failed} bad.`
  ]
  if (r.mail.queued > 0) {
    const delivered = r.mail.sent + r.mail.failed
    lines.push(
      r.dryRun
        ? `Mail: ${plural(r.mail.queued, "mail")} would be queued.`
        : delivered === 0
        ? `Mail: ${plural(r.mail.queued, "mail")} queued; send them with usher outbox send.`
        : `Mail: ${r.mail.queued} queued, ${r.mail.sent} sent, ${r.mail.failed} failed${r.mail.failed > 0 ? " (they stay in the outbox for usher outbox send)" : ""}.`
    )
  }
  if (r.updates.length > 0) {
    lines.push(r.dryRun ? "Updates:" : "Updated:")
    for (const u of r.updates.slice(0, SHOWN_UPDATES)) {
      const parts = [
        u.fields.length > 0 ? u.fields.join(", ") : undefined,
        u.orgs.length > 0 ? `orgs +${u.orgs.join(" +")}` : undefined,
        u.roles.length > 0 ? `roles +${u.roles.join(" +")}` : undefined,
        u.groups.length > 0 ? `groups +${u.groups.join(" +")}` : undefined
      ].filter((x) => x !== undefined)
      lines.push(`  line ${u.line}: ${u.email}: ${parts.join("; ")}`)
    }
    if (r.updates.length > SHOWN_UPDATES) lines.push(`  … and ${r.updates.length - SHOWN_UPDATES} more (--json lists them all)`)
  }
  if (r.problems.length > 0) {
    lines.push("Bad rows (not imported):")
    for (const problem of r.problems) lines.push(`  line ${problem.line}: ${problem.error.message}`)
  }
  return lines.join("\n")
}

/** What `export users` returns: the document itself, or where it was written. */
export interface Exported {
  readonly format: Core.ExportFormat
  readonly users: number
  readonly file: string | null
  /** the export, when it goes to standard output */
  readonly content: string | null
}

const decodeFormat = (text: string | undefined) =>
  text === undefined || text === "csv" || text === "json"
    ? Effect.succeed<Core.ExportFormat>(text ?? "csv")
    : Effect.fail(new UsageError({ message: "--format must be csv or json" }))

/** `import users` and `export users`. */
export const importCommands: ReadonlyArray<Command> = [
  command({
    name: "import users",
    usage: "FILE [--org SLUG] [--invite | --create] [--dry-run] [--hold-mail] [--batch-size N]",
    summary: [
      `Import users from a CSV file whose first line names its columns (${Core.csvColumns.join(", ")}; roles as role or role@scope,`,
      "      groups as name or org/name, orgs as organization slugs, several separated by ';'). A new e-mail joins the organization (or the",
      "      organizations its orgs cell names) invited, with an invitation mail (--invite,",
      "      the default), or with --create as a provisioned account without a password, mailed a link to choose one: no admin ever sees a",
      "      password. A known e-mail is updated: changed fields are written, missing organizations, roles and groups added, nothing is removed, an empty",
      "      cell leaves its field alone. --dry-run reports what would happen and writes nothing. Bad lines are listed as `line N: reason`",
      "      and never stop the others (exit code 1 when there are any); re-running a file changes nothing. --hold-mail leaves the mails",
      "      queued for usher outbox send."
    ].join("\n"),
    options: {
      org: { type: "string" },
      invite: { type: "boolean" },
      create: { type: "boolean" },
      "dry-run": { type: "boolean" },
      "hold-mail": { type: "boolean" },
      "batch-size": { type: "string" }
    },
    positionals: { min: 1, max: 1 },
    run: (parsed, progress) =>
      Effect.gen(function*() {
        if (flag(parsed, "invite") && flag(parsed, "create")) return yield* Effect.fail(new UsageError({ message: "give --invite or --create, not both" }))
        const batchSize = yield* wholeNumber("batch-size", str(parsed, "batch-size"), { min: 1, max: 10_000 })
        return yield* Core.importUsers({
          file: p(parsed, 0),
          ...given(parsed, { org: "org" }),
          mode: flag(parsed, "create") ? "create" : "invite",
          dryRun: flag(parsed, "dry-run"),
          deliver: !flag(parsed, "hold-mail"),
          ...(batchSize !== undefined ? { batchSize } : {}),
          onBatch: (b) =>
            progress(`batch ${b.batch} ${flag(parsed, "dry-run") ? "checked" : "committed"}: through line ${b.lastLine} (${b.created} new, ${b.updated} updated so far)`)
        })
      }),
    text: formatImportReport,
    failed: (r) => r.failed > 0
  }),
  command({
    name: "export users",
    usage: "[--format csv|json] [--status S] [--org SLUG] [--output FILE]",
    summary: [
      "Export the users you may read with the import file's columns (their own permanent roles as role@scope, groups as org/name);",
      "      usher import users reads it back. To standard output, or with --output to a file only you can read."
    ].join("\n"),
    options: { format: { type: "string" }, status: { type: "string" }, org: { type: "string" }, output: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const format = yield* decodeFormat(str(parsed, "format"))
        const status = yield* decodeStatus(str(parsed, "status"))
        const query: Core.ExportQuery = { ...given(parsed, { org: "org" }), ...(status !== undefined ? { status } : {}) }
        const output = str(parsed, "output")
        if (output !== undefined) {
          const written = yield* Core.exportUsersToFile(resolve(output), query, format)
          return { format, users: written.users, file: written.file, content: null } satisfies Exported
        }
        const pieces: Array<string> = []
        const users = yield* Stream.runFold(Core.exportUsers(query, format), 0, (n, chunk) => (pieces.push(chunk.text), n + chunk.users))
        return { format, users, file: null, content: pieces.join("") } satisfies Exported
      }),
    text: (r: Exported) => (r.content !== null ? r.content.replace(/\n$/, "") : `Exported ${plural(r.users, "user")} to ${r.file} (${r.format}).`)
  })
]
