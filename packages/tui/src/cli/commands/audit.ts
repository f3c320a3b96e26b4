import * as Core from "@usher/core"
import { Effect } from "effect"
import { table, when } from "../../present/Table.js"
import { command, str, UsageError, type Command } from "../Command.js"
import { limitFlag, wholeNumber } from "../Arguments.js"

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
    summary: "Walk the hash chain; fails if any event was altered or removed.",
    options: {},
    positionals: { min: 0, max: 0 },
    run: () => Core.verifyAudit,
    text: (v) => v.ok ? `Audit chain intact: ${v.events} events.` : `AUDIT CHAIN BROKEN: ${v.problem}.`,
    failed: (v) => !v.ok
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
