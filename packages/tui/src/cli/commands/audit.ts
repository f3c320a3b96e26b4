import * as Core from "@usher/core"
import { Effect } from "effect"
import { table, when } from "../../present/Table.js"
import { command, str, UsageError, type Command } from "../Command.js"
import { limitFlag, wholeNumber } from "../Arguments.js"

const verificationText = (v: Core.AuditVerification): string => {
  const c = v.checkpoints
  const signed = c.file === null
    ? "no checkpoint file for this directory"
    : c.latest === null
    ? `no valid checkpoint yet in ${c.file}: ${c.newerEvents} events not signed`
    : `${c.valid} of ${c.count} checkpoints valid, the newest at event ${c.latest.seq} (${when(c.latest.at)}); ${c.newerEvents} events newer than it`
  if (v.ok) return `Audit log verified: ${v.events} events, the state matches the log.\n${signed}.`
  const shown = v.problems.slice(0, 50).map((p) => `  - ${p.table === undefined ? p.kind : `${p.table} ${p.id}`}: ${p.message}`)
  const more = v.problems.length > shown.length ? [`  … and ${v.problems.length - shown.length} more (--json lists all)`] : []
  return [`AUDIT LOG NOT VERIFIED: ${v.problems.length} problem${v.problems.length === 1 ? "" : "s"} in ${v.events} events.`, ...shown, ...more, `${signed}.`].join("\n")
}

/** The audit log and demo seeding. */
export const auditCommands: ReadonlyArray<Command> = [
  command({
    name: "audit list",
    usage: "[--user USER] [--limit N]",
    summary: "Recent audit events, newest first.",
    options: { user: { type: "string" }, limit: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const limit = yield* limitFlag(parsed)
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
    summary: "Check the hash chain, the signed checkpoints, and that the log explains every account, membership, grant and role; exit 1 if not.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.verifyAudit,
    text: verificationText,
    failed: (v) => !v.ok
  }),
  command({
    name: "db migrate",
    usage: "",
    summary: "Bring the directory's database up to this version's schema (SQLite or PostgreSQL) and list its migrations.",
    options: {},
    positionals: { min: 0, max: 0 },
    actor: "system",
    run: () => Core.Jobs.appliedMigrations.pipe(Core.Jobs.asSystem("cli")),
    text: (applied) => [`Database schema up to date: ${applied.length} migrations applied.`, ...applied.map((m) => `  ${String(m.id).padStart(4, "0")} ${m.name}`)].join("\n")
  }),
  command({
    name: "seed",
    usage: "--users N",
    summary: "Add N realistic demo users to the default organization.",
    options: { users: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (parsed) =>
      Effect.gen(function*() {
        const n = yield* wholeNumber("users", str(parsed, "users"), { min: 1, max: 1_000_000 })
        if (n === undefined) return yield* Effect.fail(new UsageError({ message: "--users N is required" }))
        return yield* Core.seedUsers(n)
      }),
    text: (r) => `Seeded ${r.created} users into ${r.org}.`
  })
]
