/**
 * One policy runner's process in the two-runners test: `node policiesWorker.mjs DB DATADIR HOLDER`
 * (DB a SQLite file or a postgres:// URL; bundled by the test). Opens the directory, prints
 * `ready`, waits for `go` on stdin, runs one policy pass as the system under the lease name
 * HOLDER and prints its result as one JSON line (or `{"defect": …}`).
 */
import { Effect } from "effect"
import { join } from "node:path"
import { createInterface } from "node:readline"
import * as Core from "../../src/index.js"

const [path, dataDir, holder] = process.argv.slice(2)
if (path === undefined || dataDir === undefined || holder === undefined) {
  process.stderr.write("usage: policiesWorker DB DATADIR HOLDER\n")
  process.exit(2)
}

const location: Core.DatabaseLocation = path.startsWith("postgres") ? { engine: "pg", url: path, pool: 2 } : { engine: "sqlite", path }
const runtime = Core.makeCoreRuntime(location, {
  ...Core.defaultConfig(location),
  dataDir,
  auditKeyFile: join(dataDir, "audit-signing.key"),
  auditCheckpoints: join(dataDir, "audit-checkpoints.jsonl")
})
// open the connection before the barrier
await runtime.runPromise(Core.Jobs.changeMarker.pipe(Core.Jobs.asSystem("cli")))

const lines = createInterface({ input: process.stdin })
const go = new Promise<void>((resolve) => lines.on("line", (line) => line.trim() === "go" && resolve()))
process.stdout.write("ready\n")
await go
lines.close()

const outcome = await runtime.runPromise(
  Core.Jobs.runPolicies({ holder }).pipe(
    Core.Jobs.asSystem("cli"),
    Effect.map((run): unknown => run),
    Effect.catchAll((error) => Effect.succeed({ error: error._tag })),
    Effect.catchAllDefect((defect) => Effect.succeed({ defect: String(defect) }))
  )
)
await runtime.dispose()
process.stdout.write(`${JSON.stringify(outcome)}\n`)
