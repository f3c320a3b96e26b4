/**
 * SQLite and PostgreSQL side by side, on the same seeded directory:
 *   - permission checks/s with the index built from what each engine reads back (`loadDirectoryGraph`);
 *   - lifecycle operations/s (suspend, reactivate: each a use case with its audit row), one writer
 *     in order, and four writer processes at once against one writer process.
 * PostgreSQL is the server `USHER_BENCH_PG_URL` names (default the local one), a schema of its own
 * with the server's default durability (`synchronous_commit` on), dropped afterwards.
 */
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import Pg from "pg"
import * as Core from "../src/index.js"
import { loadDirectoryGraph } from "../src/Directory.js"
import { catalog } from "../src/Domain/Permissions.js"

const PG_SERVER = process.env["USHER_BENCH_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
const USERS = 10_000
const SEQUENTIAL_OPS = 1_000
const OPS_PER_WORKER = 300
const WORKER = fileURLToPath(new URL("./lifecycleWorker.ts", import.meta.url))

/** One engine's figures. */
export interface EngineFigures {
  readonly graphLoadMs: number
  readonly checksPerSec: number
  readonly sequentialOpsPerSec: number
  readonly oneWriterOpsPerSec: number
  readonly fourWritersOpsPerSec: number
}

/** What the engines benchmark measured; `pg` is undefined when no PostgreSQL server answered. */
export interface EnginesResult {
  readonly sqlite: EngineFigures
  readonly pg: EngineFigures | undefined
}

const onServer = async (statement: string) => {
  const client = new Pg.Client({ connectionString: PG_SERVER })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

const admin = Core.asUser(undefined, "cli")

/** A fresh directory: 10k seeded users in five groups, each group holding a role at the organization and some users one directly. */
const seeded = async (location: Core.DatabaseLocation, dataDir: string) => {
  const runtime = Core.makeCoreRuntime(location, Core.configWithDataDir(location, dataDir))
  await runtime.runPromise(Core.init({ adminEmail: "admin@bench.test", firstName: "Ben", lastName: "Chmark", org: "bench", orgName: "Bench" }).pipe(Core.as("system", "cli")))
  await runtime.runPromise(Core.seedUsers(USERS).pipe(admin))
  const groups = await runtime.runPromise(Core.listGroups().pipe(admin))
  const roles = ["auditor", "approver", "user-manager"]
  await runtime.runPromise(Effect.forEach(groups, (group, i) =>
    Core.grantRole({ role: roles[i % roles.length]!, to: { group: `${group.org}/${group.name}` }, scope: "org:bench" }).pipe(admin)))
  const users = await runtime.runPromise(Core.listUsers({ status: "active", limit: 2000 }).pipe(admin))
  const people = users.filter((u) => u.email !== "admin@bench.test")
  await runtime.runPromise(Effect.forEach(people.slice(0, 200), (user, i) =>
    Core.grantRole({ role: roles[i % roles.length]!, to: { user: user.email }, scope: "org:bench" }).pipe(admin)))
  return { runtime, emails: people.map((u) => u.email) }
}

/** Checks/s of the index built from the engine's rows, over a fixed list of questions. */
const checks = async (runtime: Awaited<ReturnType<typeof seeded>>["runtime"]) => {
  const started = performance.now()
  const graph = await runtime.runPromise(loadDirectoryGraph)
  const graphLoadMs = performance.now() - started
  const index = Core.PermissionIndex.build(graph)
  const users = graph.users.map((u) => u.id)
  const scopes = ["provider", "org:bench"] as const
  const n = 200_000
  const qUsers = Array.from({ length: n }, (_, i) => users[(i * 7919) % users.length]!)
  const qPerms = Array.from({ length: n }, (_, i) => catalog[(i * 104_729) % catalog.length]!)
  const now = Date.now()
  const pass = () => {
    let allowed = 0
    for (let i = 0; i < n; i++) if (index.check(qUsers[i]!, qPerms[i]!, scopes[i % 2]! as Core.Scope.Scope, now)) allowed++
    return allowed
  }
  pass()
  const rounds: Array<number> = []
  for (let r = 0; r < 3; r++) {
    const t = performance.now()
    for (let k = 0; k < 5; k++) pass()
    rounds.push((5 * n) / ((performance.now() - t) / 1000))
  }
  return { graphLoadMs, checksPerSec: rounds.sort((a, b) => a - b)[1]! }
}

/** Lifecycle operations/s of one writer in this process. */
const sequential = async (runtime: Awaited<ReturnType<typeof seeded>>["runtime"], emails: ReadonlyArray<string>) => {
  const started = performance.now()
  await runtime.runPromise(Effect.gen(function*() {
    for (let i = 0; i < SEQUENTIAL_OPS; i++) {
      const email = emails[Math.floor(i / 2)]!
      if (i % 2 === 0) yield* Core.suspendUser(email, { reason: "bench" }).pipe(admin)
      else yield* Core.reactivateUser(email).pipe(admin)
    }
  }))
  return SEQUENTIAL_OPS / ((performance.now() - started) / 1000)
}

/** Writer processes at once, each on users of its own, started together: total operations/s. */
const processes = async (db: string, dataDir: string, groups: ReadonlyArray<ReadonlyArray<string>>) => {
  const children = groups.map((emails) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, db, dataDir, String(OPS_PER_WORKER), ...emails], { stdio: ["pipe", "pipe", "inherit"] })
    let out = ""
    const ready = new Promise<void>((resolve) => child.stdout.on("data", (d: Buffer) => {
      out += d.toString()
      if (out.includes("ready\n")) resolve()
    }))
    const done = new Promise<void>((resolve, reject) => child.on("exit", (code) => code === 0 ? resolve() : reject(new Error(`a writer exited with ${code}`))))
    return { child, ready, done }
  })
  await Promise.all(children.map((c) => c.ready))
  const started = performance.now()
  for (const c of children) c.child.stdin.write("go\n")
  await Promise.all(children.map((c) => c.done))
  return (groups.length * OPS_PER_WORKER) / ((performance.now() - started) / 1000)
}

const figures = async (location: Core.DatabaseLocation, db: string, dataDir: string, log: (line: string) => void, name: string): Promise<EngineFigures> => {
  const { runtime, emails } = await seeded(location, dataDir)
  try {
    const { graphLoadMs, checksPerSec } = await checks(runtime)
    const sequentialOpsPerSec = await sequential(runtime, emails.slice(0, SEQUENTIAL_OPS / 2))
    const pool = emails.slice(SEQUENTIAL_OPS / 2)
    const oneWriterOpsPerSec = await processes(db, dataDir, [pool.slice(0, 50)])
    const fourWritersOpsPerSec = await processes(db, dataDir, [0, 1, 2, 3].map((w) => pool.slice(100 + w * 50, 150 + w * 50)))
    log(`${name}: graph read back in ${graphLoadMs.toFixed(0)} ms, ${(checksPerSec / 1e6).toFixed(2)}M checks/s; ` +
      `${sequentialOpsPerSec.toFixed(0)} lifecycle ops/s in order; writer processes: one ${oneWriterOpsPerSec.toFixed(0)} ops/s, four ${fourWritersOpsPerSec.toFixed(0)} ops/s`)
    const verified = await runtime.runPromise(Core.verifyAudit.pipe(Core.as("system", "cli")))
    if (!verified.ok) throw new Error(`${name}: the audit chain does not verify after the writers`)
    return { graphLoadMs, checksPerSec, sequentialOpsPerSec, oneWriterOpsPerSec, fourWritersOpsPerSec }
  } finally {
    await runtime.dispose()
  }
}

/** Both engines, one after the other, on the same seed. */
export const benchEngines = async (log: (line: string) => void): Promise<EnginesResult> => {
  const dir = mkdtempSync(join(tmpdir(), "usher-bench-engines-"))
  try {
    const path = join(dir, "usher.db")
    const sqlite = await figures({ engine: "sqlite", path }, path, dir, log, "SQLite")
    const reachable = await onServer("SELECT 1").then(() => true, () => false)
    if (!reachable) {
      log(`PostgreSQL: no server answered at ${Core.describeLocation({ engine: "pg", url: PG_SERVER })}; its column is left empty`)
      return { sqlite, pg: undefined }
    }
    const schema = `usher_bench_${process.pid}`
    await onServer(`CREATE SCHEMA ${schema}`)
    try {
      const url = new URL(PG_SERVER)
      url.searchParams.set("options", `-c search_path=${schema}`)
      const pgDir = join(dir, "pg")
      mkdirSync(pgDir)
      const pg = await figures({ engine: "pg", url: url.toString() }, url.toString(), pgDir, log, "PostgreSQL")
      return { sqlite, pg }
    } finally {
      await onServer(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
