import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { build } from "esbuild"
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { recordMany } from "../../src/Audit.js"
import * as Core from "../../src/index.js"
import { ENGINE, tempConfig, tempDirectoryOnEngine } from "../support.js"

const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = join(here, "..", "..")
const APPROVERS = 20

/**
 * The worker bundled once with esbuild (dependencies left to node_modules): twenty processes
 * starting through a TypeScript loader would spend seconds compiling the same sources.
 */
const bundleWorker = Effect.promise(async () => {
  const outfile = join(packageRoot, "node_modules", ".cache", "usher-tests", "approveWorker.mjs")
  await build({ entryPoints: [join(here, "approveWorker.ts")], outfile, bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", logLevel: "error" })
  return outfile
})

const startWorker = (bundle: string, path: string, dataDir: string, id: string, email: string) => {
  const child = spawn(process.execPath, [bundle, path, dataDir, id, email], {
    cwd: packageRoot,
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()))
  let json: string | undefined
  let signalReady = () => {}
  const ready = new Promise<void>((resolve) => void (signalReady = resolve))
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line === "ready") signalReady()
    else if (line.startsWith("\"")) json = line
  })
  const result = new Promise<string>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0 && json !== undefined ? resolve(JSON.parse(json)) : reject(new Error(`approval worker exited with ${code}\n${stderr}`)))
  })
  return { child, ready: Promise.race([ready, result.then(() => Promise.reject(new Error("worker ended before it was ready")))]), go: () => child.stdin.end("go\n"), result }
}

describe("concurrent approvals", () => {
  it.live(`${APPROVERS} approvers in ${APPROVERS} processes approving one request at once execute it exactly once (${ENGINE})`, () =>
    Effect.gen(function*() {
      const db = yield* tempDirectoryOnEngine("usher-approvals-")
      const { dir, location } = db
      const path = location.engine === "pg" ? location.url : location.path
      const open = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Effect.provide(effect, Layer.fresh(Core.CoreLive(location, tempConfig(location, dir))))
      const approvers = Array.from({ length: APPROVERS }, (_, i) => `approver${i}@acme.test`)
      const bundle = yield* bundleWorker
      const approval = yield* open(Effect.gen(function*() {
        const system = Core.as("system", "cli")
        yield* Core.init({ adminEmail: "admin@acme.test", org: "acme" }).pipe(system)
        yield* Core.createGroup({ name: "approvers" }).pipe(system)
        yield* Core.grantRole({ role: "approver", to: { group: "approvers" } }).pipe(system)
        for (const email of [...approvers, "bob@acme.test"]) {
          yield* Core.inviteUser({ email, firstName: "A", lastName: "B", link: true }).pipe(system)
        }
        const sql = yield* SqlClient.SqlClient
        // activate them without 21 password hashes: the lifecycle is not what this test is about
        const invited = yield* sql<{ id: string }>`UPDATE users SET status = 'active', registered_at = created_at WHERE status = 'invited' RETURNING id`
        // with the events an acceptance writes, so that the log still explains every account
        yield* recordMany(invited.map((u) => ({ action: "invitation.accept", target: u.id, details: { status: { from: "invited", to: "active" } } }))).pipe(system)
        yield* Core.addGroupMembers("approvers", approvers).pipe(system)
        return (yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(Core.asUser("admin@acme.test", "cli"))).approval
      })).pipe(Effect.orDie)

      const workers = yield* Effect.acquireRelease(
        Effect.sync(() => approvers.map((email) => startWorker(bundle, path, dir, approval.id, email))),
        (ws) => Effect.sync(() => ws.forEach((w) => w.child.exitCode === null && w.child.kill()))
      )
      const outcomes = (yield* Effect.promise(async () => {
        await Promise.all(workers.map((w) => w.ready))
        for (const w of workers) w.go()
        return Promise.all(workers.map((w) => w.result))
      }))

      assert.strictEqual(outcomes.length, approvers.length)
      assert.deepStrictEqual(outcomes.filter((o) => o === "executed").length, 1, `outcomes: ${outcomes.join(", ")}`)
      assert.deepStrictEqual(outcomes.filter((o) => o !== "executed"), Array(approvers.length - 1).fill("ApprovalNotPending"))

      const checked = yield* open(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ action: string }>`SELECT action FROM audit_events WHERE approval_id = ${approval.id} ORDER BY seq`
        const integrity = yield* sql.onDialectOrElse({
          pg: () => Effect.succeed([{ integrityCheck: "ok" }]),
          orElse: () => sql<{ integrityCheck: string }>`PRAGMA integrity_check`
        })
        const verification = yield* Core.verifyAudit.pipe(Core.as("system", "cli"))
        const request = yield* Core.showApproval(approval.id).pipe(Core.as("system", "cli"))
        return { actions: rows.map((r) => r.action), integrity, verification, request }
      })).pipe(Effect.orDie)
      assert.deepStrictEqual(checked.actions, ["approval.request", "approval.approve", "user.delete", "approval.execute"], "one decision, one deletion")
      assert.strictEqual(checked.request.status, "executed")
      assert.isTrue(checked.verification.ok)
      assert.deepStrictEqual(checked.integrity.map((r) => r.integrityCheck), ["ok"])
    }).pipe(Effect.scoped), 60_000)
})
