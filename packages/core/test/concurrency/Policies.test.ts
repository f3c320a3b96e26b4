import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { build } from "esbuild"
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as Core from "../../src/index.js"
import { ENGINE, messages, tempConfig, tempDirectoryOnEngine } from "../support.js"

const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = join(here, "..", "..")
const USERS = 20

/** The worker bundled once with esbuild (dependencies left to node_modules): starting through a TypeScript loader costs seconds. */
const bundleWorker = Effect.promise(async () => {
  const outfile = join(packageRoot, "node_modules", ".cache", "usher-tests", "policiesWorker.mjs")
  await build({ entryPoints: [join(here, "policiesWorker.ts")], outfile, bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", logLevel: "error" })
  return outfile
})

const startWorker = (bundle: string, path: string, dataDir: string, holder: string) => {
  const child = spawn(process.execPath, [bundle, path, dataDir, holder], { cwd: packageRoot, stdio: ["pipe", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()))
  let json: string | undefined
  let signalReady = () => {}
  const ready = new Promise<void>((resolve) => void (signalReady = resolve))
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line === "ready") signalReady()
    else if (line.startsWith("{")) json = line
  })
  const result = new Promise<Core.PolicyRun>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code) => code === 0 && json !== undefined ? resolve(JSON.parse(json)) : reject(new Error(`policy worker exited with ${code}\n${stderr}`)))
  })
  return { child, ready: Promise.race([ready, result.then(() => Promise.reject(new Error("worker ended before it was ready")))]), go: () => child.stdin.end("go\n"), result }
}

describe("two policy runners at once", () => {
  it.live(`two processes starting a pass together on one directory (${ENGINE}): exactly one does the work, each expiry recorded once`, () =>
    Effect.gen(function*() {
      const { dir, location } = yield* tempDirectoryOnEngine("usher-policies-")
      const path = location.engine === "pg" ? location.url : location.path
      const open = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Effect.provide(effect, Layer.fresh(Core.CoreLive(location, tempConfig(location, dir))))
      const system = Core.as("system", "cli")
      const bundle = yield* bundleWorker
      // grants running out in a moment: two roles for each of twenty accounts
      const expiresAt = yield* open(Effect.gen(function*() {
        yield* Core.init({ adminEmail: "admin@acme.test", org: "acme" }).pipe(system)
        const emails = Array.from({ length: USERS }, (_, i) => `u${i}@acme.test`)
        for (const email of emails) yield* Core.inviteUser({ email, link: true }).pipe(system)
        const expiresAt = new Date(Date.now() + 1_500).toISOString()
        for (const email of emails) {
          for (const role of ["auditor", "approver"]) yield* Core.grantRole({ role, to: { user: email }, expiresAt }).pipe(system)
        }
        return expiresAt
      })).pipe(Effect.orDie)

      const workers = yield* Effect.acquireRelease(
        Effect.sync(() => ["runner-a", "runner-b"].map((holder) => startWorker(bundle, path, dir, holder))),
        (ws) => Effect.sync(() => ws.forEach((w) => w.child.exitCode === null && w.child.kill()))
      )
      const runs = yield* Effect.promise(async () => {
        await Promise.all(workers.map((w) => w.ready))
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiresAt) - Date.now() + 50)))
        for (const w of workers) w.go()
        return Promise.all(workers.map((w) => w.result))
      })

      const working = runs.filter((r) => r._tag === "PolicyPass" && r.counts.grantsExpired > 0)
      assert.lengthOf(working, 1, JSON.stringify(runs.map((r) => r._tag === "PolicyPass" ? r.counts : r.message)))
      assert.strictEqual((working[0] as Core.PolicyPass).counts.grantsExpired, 2 * USERS)
      // the other was skipped (it found the lease held) or came after the first had finished and found nothing
      const other = runs.find((r) => r !== working[0])!
      if (other._tag === "PolicySkipped") assert.match(other.message, /^skipped: held by runner-[ab] until /)
      else assert.strictEqual(other.counts.grantsExpired, 0)

      const checked = yield* open(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [expired] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM audit_events WHERE action = 'grant.expire'`
        const [left] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM grants WHERE expires_at IS NOT NULL`
        const [lease] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM policy_lease`
        return { expired: Number(expired!.n), left: Number(left!.n), lease: Number(lease!.n), verification: yield* Core.verifyAudit.pipe(system) }
      })).pipe(Effect.orDie)
      assert.deepStrictEqual([checked.expired, checked.left, checked.lease], [2 * USERS, 0, 0], "each grant expired once; the lease given up")
      assert.isTrue(checked.verification.ok, messages(checked.verification))
    }).pipe(Effect.scoped), 60_000)
})
