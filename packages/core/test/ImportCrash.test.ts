import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as Core from "../src/index.js"
import { fileFolder, HEADER } from "./importSupport.js"

const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = join(here, "..")
const workerPath = join(here, "concurrency", "importWorker.ts")

const ROWS = 6_000
const BATCH = 500
const BATCHES = ROWS / BATCH
/** Row i (0-based; line i + 2) joins a group every third row and holds a role every fifth. */
const withGroup = (i: number) => i % 3 === 0
const withRole = (i: number) => i % 5 === 0

const lineOf = (i: number) =>
  `person.${i}@acme.test,Person,Number ${i},+4474${String(i).padStart(8, "0")},,,Unit ${i % 7},,${withRole(i) ? "auditor" : ""},${withGroup(i) ? "finance" : ""}`

/**
 * Starts the import in another process and kills it with SIGKILL soon after its third batch
 * committed, while it is working on the next. Resolves with the batches it reported.
 */
const importKilledMidway = (path: string, file: string) =>
  Effect.async<ReadonlyArray<number>, Error>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", workerPath, path, file, String(BATCH)], { cwd: packageRoot, stdio: ["ignore", "pipe", "pipe"] })
    const reported: Array<number> = []
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()))
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /^batch (\d+)$/.exec(line)
      if (match === null) return
      reported.push(Number(match[1]))
      // somewhere inside the next batch's work (a batch takes about a tenth of a second here)
      if (reported.length === 3) setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * 80))
    })
    child.on("close", (code, signal) => {
      if (signal === "SIGKILL") resume(Effect.succeed(reported))
      else resume(Effect.fail(new Error(`the import ended by itself (code ${code}) before it was killed\n${stderr}`)))
    })
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

describe("an import killed with SIGKILL", () => {
  it.live("leaves a sound database with whole batches applied, and a re-run finishes the rest", () =>
    Effect.gen(function*() {
      const dir = yield* fileFolder
      const path = join(dir, "usher.db")
      const open = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Effect.provide(effect, Layer.fresh(Core.CoreLive({ engine: "sqlite", path })))
      yield* open(Effect.gen(function*() {
        yield* Core.init({ adminEmail: "admin@acme.test", org: "acme" }).pipe(Core.as("system", "cli"))
        yield* Core.createGroup({ name: "finance" }).pipe(Core.as("system", "cli"))
      })).pipe(Effect.orDie)
      const file = join(dir, "people.csv")
      writeFileSync(file, `${[HEADER, ...Array.from({ length: ROWS }, (_, i) => lineOf(i))].join("\n")}\n`)

      const reported = yield* importKilledMidway(path, file)

      const state = yield* open(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const integrity = yield* sql<{ integrityCheck: string }>`PRAGMA integrity_check`
        const verification = yield* Core.verifyAudit.pipe(Core.as("system", "cli"))
        const batches = yield* sql<{ details: string }>`SELECT details FROM audit_events WHERE action = 'import.batch' ORDER BY seq`
        const one = (query: string) => sql.unsafe<{ n: number }>(query).pipe(Effect.map((r) => Number(r[0]!.n)))
        return {
          integrity: integrity.map((r) => r.integrityCheck),
          verification,
          batches: batches.map((b) => JSON.parse(b.details) as { lines: [number, number]; created: number }),
          users: yield* one("SELECT COUNT(*) AS n FROM users WHERE status = 'invited'"),
          memberships: yield* one("SELECT COUNT(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.status = 'invited'"),
          invitations: yield* one("SELECT COUNT(*) AS n FROM invitations"),
          tokens: yield* one("SELECT COUNT(*) AS n FROM tokens WHERE purpose = 'invite'"),
          mails: yield* one("SELECT COUNT(*) AS n FROM outbox WHERE status = 'queued'"),
          unsent: yield* one("SELECT COUNT(*) AS n FROM outbox WHERE status <> 'queued'"),
          groupMembers: yield* one("SELECT COUNT(*) AS n FROM group_members"),
          grants: yield* one("SELECT COUNT(*) AS n FROM grants g JOIN users u ON u.id = g.principal_id WHERE u.status = 'invited'"),
          imported: yield* one("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'user.import'"),
          highest: yield* sql<{ email: string }>`SELECT email FROM users WHERE status = 'invited'`.pipe(
            Effect.map((rows) => Math.max(-1, ...rows.map((r) => Number(/^person\.(\d+)@/.exec(r.email)?.[1]))))
          )
        }
      })).pipe(Effect.orDie)

      assert.deepStrictEqual(state.integrity, ["ok"])
      assert.isTrue(state.verification.ok, state.verification.problems.map((p) => p.message).join("; "))
      // whole batches: every committed batch is complete, in order, and nothing of the batch in flight is left
      const committed = state.batches.length
      assert.isAtLeast(committed, 3, `killed after batch ${reported.at(-1)}`)
      assert.isBelow(committed, BATCHES, "the kill landed before the import finished")
      assert.deepStrictEqual(state.batches.map((b) => b.lines), Array.from({ length: committed }, (_, k) => [2 + k * BATCH, 1 + (k + 1) * BATCH]))
      assert.isTrue(state.batches.every((b) => b.created === BATCH))
      const applied = committed * BATCH
      const upTo = (has: (i: number) => boolean) => Array.from({ length: applied }, (_, i) => i).filter(has).length
      assert.deepStrictEqual(
        [state.users, state.memberships, state.invitations, state.tokens, state.mails, state.imported, state.highest],
        [applied, applied, applied, applied, applied, applied, applied - 1]
      )
      assert.strictEqual(state.unsent, 0, "mails of a crashed import stay queued for outbox send")
      assert.strictEqual(state.groupMembers, upTo(withGroup))
      assert.strictEqual(state.grants, upTo(withRole))

      // the same file again finishes the rest and touches nothing already imported; a third run changes nothing
      const [second, third, total] = yield* open(Effect.gen(function*() {
        const run = () => Core.importUsers({ file, batchSize: BATCH, deliver: false }).pipe(Core.asUser(undefined, "cli"))
        const second = yield* run()
        const third = yield* run()
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM users WHERE status = 'invited'`
        assert.isTrue((yield* Core.verifyAudit.pipe(Core.as("system", "cli"))).ok)
        return [second, third, Number(row!.n)] as const
      })).pipe(Effect.orDie)
      assert.deepInclude(second, { created: ROWS - applied, skipped: applied, failed: 0, batches: BATCHES - committed })
      assert.deepInclude(third, { created: 0, updated: 0, skipped: ROWS, failed: 0, batches: 0 })
      assert.strictEqual(total, ROWS)
    }).pipe(Effect.scoped), 120_000)
})
