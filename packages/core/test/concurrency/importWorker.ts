/**
 * An import in its own process, for the crash test: `node --import tsx importWorker.ts DB FILE BATCH`.
 * Prints `batch N` as each batch commits, then the report as one JSON line, and exits 0.
 */
import * as Core from "../../src/Core.js"
import { importUsers } from "../../src/Import.js"

const [path, file, batchText] = process.argv.slice(2)
if (path === undefined || file === undefined || batchText === undefined) {
  process.stderr.write("usage: importWorker.ts DB FILE BATCH\n")
  process.exit(2)
}

const runtime = Core.makeCoreRuntime({ engine: "sqlite", path })
const report = await runtime.runPromise(
  importUsers({ file, batchSize: Number(batchText), onBatch: (p) => process.stdout.write(`batch ${p.batch}\n`) }).pipe(Core.asUser(undefined, "cli"))
)
await runtime.dispose()
process.stdout.write(`${JSON.stringify(report)}\n`)
