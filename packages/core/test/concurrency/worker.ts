/**
 * One writer process of the concurrent-writers test: `node --import tsx worker.ts DB DATADIR NAME COUNT EMAIL...`
 * (DB a SQLite file or a postgres:// URL).
 * Opens the directory, prints `ready`, waits for a `go` line on stdin (the start barrier), then
 * applies COUNT read-then-update cycles to the users in turn, each guarded by the version it read.
 * Prints one JSON line of results on stdout and exits 0 (diagnostics go to stderr).
 */
import { Cause, Effect, Exit, Option } from "effect"
import { createInterface } from "node:readline"
import { join } from "node:path"
import * as Core from "../../src/Core.js"
import { defaultConfig } from "../../src/CoreConfig.js"
import type { DatabaseLocation } from "../../src/Database.js"
import { showUser, updateUser } from "../../src/Users.js"

/** What a worker reports. */
export interface WorkerResult {
  readonly name: string
  readonly applied: number
  readonly conflicts: number
  /** applied updates whose result is not exactly one version after the one read (an overwrite) */
  readonly stale: number
  /** failures or defects that mention SQLITE_BUSY / "database is locked" */
  readonly busy: number
  /** any other failure or defect */
  readonly other: number
  readonly errors: ReadonlyArray<string>
  readonly ms: number
}

/** The first SQLite error (code and message) inside a failure's errors and their causes. */
const sqliteErrorIn = (cause: Cause.Cause<unknown>): string | undefined => {
  const find = (error: unknown, depth: number): string | undefined => {
    if (error === null || typeof error !== "object" || depth > 5) return undefined
    const { code, message, cause: inner } = error as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof code === "string" && code.startsWith("SQLITE_")) return `${code}: ${String(message)}`
    return find(inner, depth + 1)
  }
  for (const error of [...Cause.defects(cause), ...Option.toArray(Cause.failureOption(cause))]) {
    const found = find(error, 0)
    if (found !== undefined) return found
  }
  return undefined
}

const [path, dataDir, name, countText, ...emails] = process.argv.slice(2)
if (path === undefined || dataDir === undefined || name === undefined || countText === undefined || emails.length === 0) {
  process.stderr.write("usage: worker.ts DB DATADIR NAME COUNT EMAIL...\n")
  process.exit(2)
}
const count = Number(countText)

const location: DatabaseLocation = path.startsWith("postgres") ? { engine: "pg", url: path } : { engine: "sqlite", path }
const runtime = Core.makeCoreRuntime(location, {
  ...defaultConfig(location),
  dataDir,
  auditKeyFile: join(dataDir, "audit-signing.key"),
  auditCheckpoints: join(dataDir, "audit-checkpoints.jsonl")
})
const asAdmin = Core.asUser(undefined, "cli")

// open the connection (and resolve the actor once) before the barrier
await runtime.runPromise(showUser(emails[0]!).pipe(asAdmin))

const lines = createInterface({ input: process.stdin })
const go = new Promise<void>((resolve) => lines.on("line", (line) => line.trim() === "go" && resolve()))
process.stdout.write("ready\n")
await go
lines.close()

let applied = 0
let conflicts = 0
let stale = 0
let busy = 0
let other = 0
const errors: Array<string> = []
const start = performance.now()
for (let i = 0; i < count; i++) {
  const email = emails[i % emails.length]!
  const exit = await runtime.runPromiseExit(
    Effect.gen(function*() {
      const { user } = yield* showUser(email)
      const updated = yield* updateUser(user.email, { position: `${name}-${i}` }, { expectedVersion: user.version })
      return { read: user.version, written: updated.version }
    }).pipe(asAdmin)
  )
  if (Exit.isSuccess(exit)) {
    applied++
    if (exit.value.written !== exit.value.read + 1) stale++
    continue
  }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure) && failure.value._tag === "ConcurrentModification") {
    conflicts++
    continue
  }
  const sqlite = sqliteErrorIn(exit.cause)
  const text = `${sqlite ?? ""} ${Cause.pretty(exit.cause).slice(0, 400)}`.trim()
  if (/SQLITE_(BUSY|LOCKED)|database is locked|could not serialize|deadlock detected/i.test(text)) busy++
  else other++
  if (errors.length < 5) errors.push(text)
}
const ms = Math.round(performance.now() - start)
await runtime.dispose()

const result: WorkerResult = { name, applied, conflicts, stale, busy, other, errors, ms }
process.stdout.write(`${JSON.stringify(result)}\n`)
