/**
 * One writer process of the engines benchmark: `node --import tsx lifecycleWorker.ts DB DATADIR COUNT EMAIL...`
 * (DB a SQLite file or a postgres:// URL). Opens the directory, prints `ready`, waits for `go` on
 * stdin (the start barrier), then suspends and reactivates its users in turn, COUNT lifecycle
 * operations in all, each one use case with its audit row. Prints `{"ops","ms"}` and exits.
 */
import { Effect } from "effect"
import { createInterface } from "node:readline"
import * as Core from "../src/index.js"

const [db, dataDir, countText, ...emails] = process.argv.slice(2)
if (db === undefined || dataDir === undefined || countText === undefined || emails.length === 0) {
  process.stderr.write("usage: lifecycleWorker.ts DB DATADIR COUNT EMAIL...\n")
  process.exit(2)
}
const location: Core.DatabaseLocation = db.startsWith("postgres") ? { engine: "pg", url: db } : { engine: "sqlite", path: db }
const runtime = Core.makeCoreRuntime(location, Core.configWithDataDir(location, dataDir))
const admin = Core.asUser(undefined, "cli")

const run = (count: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < count; i++) {
      const email = emails[Math.floor(i / 2) % emails.length]!
      if (i % 2 === 0) yield* Core.suspendUser(email, { reason: "bench" }).pipe(admin)
      else yield* Core.reactivateUser(email).pipe(admin)
    }
  })

// open the directory (and its pool) before the barrier, so the timing is of the writes alone
await runtime.runPromise(Core.showUser(emails[0]!).pipe(admin))
process.stdout.write("ready\n")
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()))
const started = performance.now()
await runtime.runPromise(run(Number(countText)))
const ms = performance.now() - started
process.stdout.write(`${JSON.stringify({ ops: Number(countText), ms })}\n`)
await runtime.dispose()
process.exit(0)
