import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Core from "../src/index.js"

/** A folder for import and export files, removed when the scope closes. */
export const fileFolder = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "usher-import-test-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** Writes a CSV file (lines joined with `\n`, a final newline) into the folder and returns its path. */
export const csvFile = (dir: string, name: string, lines: ReadonlyArray<string>) =>
  Effect.sync(() => {
    const path = join(dir, name)
    writeFileSync(path, `${lines.join("\n")}\n`)
    return path
  })

/** One row of a table, e.g. `rows("users", "email, status")`, ordered by its first column. */
export const rows = <A extends object = Record<string, unknown>>(table: string, columns: string, where = "1 = 1") =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.unsafe<A>(`SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY 1`)
  }).pipe(Effect.orDie)

/** The number of rows of a table. */
export const count = (table: string, where = "1 = 1") =>
  Effect.map(rows<{ n: number }>(table, "COUNT(*) AS n", where), (r) => Number(r[0]?.n ?? 0))

/** The token inside the first mailed link of a user (`/invite/<token>` or `/reset/<token>`). */
export const mailedToken = (email: string) =>
  Effect.gen(function*() {
    // the outbox table withholds the token: only the delivered mail (its .eml file) carries it
    const [mail] = yield* rows<{ file: string | null }>("outbox", "file", `to_address = '${email}'`)
    const eml = mail?.file == null ? "" : readFileSync(mail.file, "utf8").replace(/=\r?\n/g, "")
    const match = /\/(?:invite|reset)\/([A-Za-z0-9_-]{43})/.exec(eml)
    if (match === null) return yield* Effect.dieMessage(`no link mailed to ${email}`)
    return match[1]!
  })

/** Imports as the given user (or system when none). */
export const importAs = (email: string | undefined, input: Core.ImportInput) =>
  email === undefined ? Core.importUsers(input).pipe(Core.as("system", "cli")) : Core.importUsers(input).pipe(Core.asUser(email, "cli"))

/** The problems of a report as `line: _tag` strings. */
export const problemTags = (report: Core.ImportReport) => report.problems.map((p) => `${p.line}: ${p.error._tag}`)

/** The header every test file starts with. */
export const HEADER = "email,firstName,lastName,phone,gender,birthday,orgUnit,position,roles,groups"
