/**
 * One approver's process in the concurrent-approvals test: `node approveWorker.mjs DB DATADIR ID EMAIL`
 * (DB a SQLite file or a postgres:// URL)
 * (bundled by the test). Opens the directory, prints `ready`, waits for `go` on stdin, approves
 * request ID as EMAIL and prints one JSON line: `"executed"`, `"failed"` or the error's tag.
 */
import { Effect } from "effect"
import { join } from "node:path"
import { createInterface } from "node:readline"
import * as Core from "../../src/index.js"

const [path, dataDir, id, email] = process.argv.slice(2)
if (path === undefined || dataDir === undefined || id === undefined || email === undefined) {
  process.stderr.write("usage: approveWorker DB DATADIR ID EMAIL\n")
  process.exit(2)
}

// twenty of these at once: two connections each keep PostgreSQL well inside its connection limit
const location: Core.DatabaseLocation = path.startsWith("postgres") ? { engine: "pg", url: path, pool: 2 } : { engine: "sqlite", path }
const runtime = Core.makeCoreRuntime(location, {
  ...Core.defaultConfig(location),
  dataDir,
  auditKeyFile: join(dataDir, "audit-signing.key"),
  auditCheckpoints: join(dataDir, "audit-checkpoints.jsonl")
})
const asApprover = Core.asUser(email, "slack")
// open the connection before the barrier
await runtime.runPromise(Core.showApproval(id).pipe(asApprover))

const lines = createInterface({ input: process.stdin })
const go = new Promise<void>((resolve) => lines.on("line", (line) => line.trim() === "go" && resolve()))
process.stdout.write("ready\n")
await go
lines.close()

const outcome = await runtime.runPromise(
  Core.approveRequest(id, { note: `approved by ${email}` }).pipe(
    asApprover,
    Effect.map((d) => d.executed ? "executed" : "failed"),
    Effect.catchAll((error) => Effect.succeed((error as { _tag: string })._tag)),
    Effect.catchAllDefect((defect) => Effect.succeed(`defect: ${String(defect)}`))
  )
)
await runtime.dispose()
process.stdout.write(`${JSON.stringify(outcome)}\n`)
