import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as Core from "../../src/index.js"
import { ENGINE, tempConfig, tempDirectoryOnEngine, verdict } from "../support.js"
import type { WorkerResult } from "./worker.js"

const here = dirname(fileURLToPath(import.meta.url))
const workerPath = join(here, "worker.ts")
const packageRoot = join(here, "..", "..")

const USERS = 5
/** SQLite: two processes × 500; PostgreSQL (the engine for several instances): four × 1,000 */
const PROCESSES = ENGINE === "pg" ? 4 : 2
const UPDATES_PER_PROCESS = ENGINE === "pg" ? 1000 : 500

/** A worker process: `ready` settles when it has printed `ready`, `go()` releases it, `result` is its JSON line. */
const startWorker = (path: string, dataDir: string, name: string, emails: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", workerPath, path, dataDir, name, String(UPDATES_PER_PROCESS), ...emails], {
    cwd: packageRoot,
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  let json: string | undefined
  let signalReady = () => {}
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve
  })
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line === "ready") signalReady()
    else if (line.startsWith("{")) json = line
  })
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code) => {
      if (code === 0 && json !== undefined) resolve(JSON.parse(json) as WorkerResult)
      else reject(new Error(`worker ${name} exited with ${code}${json === undefined ? " without a result" : ""}\n${stderr}`))
    })
  })
  return {
    child,
    /** settles when the worker is ready, or fails when it ended before that */
    ready: Promise.race([ready, result.then(() => Promise.reject(new Error(`worker ${name} ended before it was ready`)))]),
    go: () => child.stdin.end("go\n"),
    result
  }
}

const versions = Core.listUsers().pipe(
  Effect.map((users) => new Map(users.map((u) => [u.email, u]))),
  Core.as("system", "cli"),
  Effect.orDie
)

describe(`${ENGINE === "pg" ? "four processes writing one PostgreSQL database" : "two processes writing one SQLite file"}`, () => {
  it.live("conflicting updates are applied or refused with ConcurrentModification, never lost", () =>
    Effect.gen(function*() {
      const db = yield* tempDirectoryOnEngine("usher-two-processes-")
      const { dir, location } = db
      const path = location.engine === "pg" ? location.url : location.path
      const open = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) =>
        Effect.provide(effect, Layer.fresh(Core.CoreLive(location, tempConfig(location, dir))))

      // a directory with an admin and five users, then closed: only the workers hold it open
      const before = yield* open(Effect.gen(function*() {
        yield* Core.init({ adminEmail: "admin@acme.test", org: "acme" }).pipe(Core.as("system", "cli"))
        yield* Core.seedUsers(USERS).pipe(Core.as("system", "cli"))
        return yield* versions
      })).pipe(Effect.orDie)
      const targets = [...before.values()].filter((u) => u.email !== "admin@acme.test")
      assert.strictEqual(targets.length, USERS)
      const emails = targets.map((u) => u.email)

      // both workers ready, then released together; a worker still running when the test ends is killed
      const workers = yield* Effect.acquireRelease(
        Effect.sync(() => Array.from({ length: PROCESSES }, (_, i) => startWorker(path, dir, "ABCD"[i]!, emails))),
        (ws) => Effect.sync(() => ws.forEach((w) => w.child.exitCode === null && w.child.signalCode === null && w.child.kill()))
      )
      const results = yield* Effect.promise(async () => {
        await Promise.all(workers.map((w) => w.ready))
        for (const w of workers) w.go()
        return Promise.all(workers.map((w) => w.result))
      })

      for (const r of results) {
        assert.strictEqual(r.busy, 0, `worker ${r.name}: a busy or serialization error surfaced: ${r.errors.join("\n")}`)
        assert.strictEqual(r.other, 0, `worker ${r.name}: other errors: ${r.errors.join("\n")}`)
        assert.strictEqual(r.applied + r.conflicts, UPDATES_PER_PROCESS, `worker ${r.name}: every write applied or refused`)
        assert.strictEqual(r.stale, 0, `worker ${r.name}: an update overwrote a version it had not read`)
        assert.isAbove(r.applied, 0, `worker ${r.name} applied none`)
      }
      const applied = results.reduce((n, r) => n + r.applied, 0)
      const conflicts = results.reduce((n, r) => n + r.conflicts, 0)
      assert.strictEqual(applied + conflicts, PROCESSES * UPDATES_PER_PROCESS)

      const checked = yield* open(Effect.gen(function*() {
        const after = yield* versions
        const audit = yield* Core.listAudit({ limit: 10_000 }).pipe(Core.as("system", "cli"))
        const verification = yield* Core.verifyAudit.pipe(Core.as("system", "cli"))
        const sql = yield* SqlClient.SqlClient
        const integrity = yield* sql.onDialectOrElse({
          pg: () => Effect.succeed([{ integrityCheck: "ok" }]),
          orElse: () => sql<{ integrityCheck: string }>`PRAGMA integrity_check`
        })
        return { after, audit, verification, integrity }
      })).pipe(Effect.orDie)

      // no lost update: every applied write bumped a version and left exactly one audit row
      const bumps = targets.reduce((n, u) => n + (checked.after.get(u.email)!.version - u.version), 0)
      const updates = checked.audit.filter((e) => e.action === "user.update").reverse() // oldest first
      assert.strictEqual(bumps, applied, "sum of version bumps = applied updates")
      assert.strictEqual(updates.length, applied, "user.update audit rows = applied updates")
      // each user's row holds the last position its audit trail says was written
      for (const user of targets) {
        const last = updates.filter((e) => e.target === user.id).at(-1)
        const details = last?.details as { position?: { to?: string } } | undefined
        assert.strictEqual(checked.after.get(user.email)!.position, details?.position?.to ?? user.position)
      }
      assert.deepStrictEqual(verdict(checked.verification), { ok: true, events: checked.audit.length, problems: [] })
      assert.deepStrictEqual(checked.integrity.map((r) => r.integrityCheck), ["ok"])

      // how much the two writers interleaved (for the log; contention is likely, not guaranteed)
      const writers = updates.map((e) => (e.details as { position: { to: string } }).position.to.split("-")[0])
      const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length
      console.info(
        `${PROCESSES} processes on ${ENGINE}: applied ${applied} (${results.map((r) => `${r.name} ${r.applied}`).join(", ")}), ` +
          `conflicts ${conflicts}, writer switches in the audit ${switches}, ` +
          `worker time ${results.map((r) => `${r.name} ${r.ms} ms`).join(", ")}`
      )
    }).pipe(Effect.scoped), 180_000)
})
