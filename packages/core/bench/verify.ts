/**
 * `audit verify` on 100k events: the chain, the signed checkpoints and the reconciliation of the
 * state the events imply with the tables, against a baseline measured in the same run: the chain
 * walk alone (read every event with better-sqlite3, recompute its hash), the least any
 * verification of the chain must do.
 */
import Database from "better-sqlite3"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { verifyAudit } from "../src/Audit.js"
import * as Core from "../src/Core.js"
import * as AuditDomain from "../src/Domain/Audit.js"
import { seedUsers } from "../src/Seed.js"
import { freshDirectory, median } from "./seed.js"

/** What the verification benchmark measured (medians). */
export interface VerifyResult {
  readonly events: number
  readonly usherMs: number
  readonly rawMs: number
}

interface Row {
  seq: number
  at: string
  actor: string
  via: AuditDomain.Via
  action: string
  target: string | null
  details: string
  reason: string | null
  approval_id: string | null
  scopes: string | null
  prev_hash: string
  hash: string
}

/** The baseline: every event read with better-sqlite3 and its hash recomputed and linked. */
const walkRaw = (path: string): number => {
  const db = new Database(path, { readonly: true })
  try {
    const start = performance.now()
    let prev = AuditDomain.GENESIS
    for (const row of db.prepare("SELECT * FROM audit_events ORDER BY seq").iterate() as IterableIterator<Row>) {
      const hash = AuditDomain.hashEvent({
        seq: Number(row.seq), at: row.at, actor: row.actor, via: row.via, action: row.action, target: row.target, details: null,
        reason: row.reason, approvalId: row.approval_id, scopes: row.scopes === null ? undefined : JSON.parse(row.scopes), prevHash: prev
      }, row.details)
      if (row.prev_hash !== prev || hash !== row.hash) throw new Error(`the raw walk found event ${row.seq} broken`)
      prev = hash
    }
    return performance.now() - start
  } finally {
    db.close()
  }
}

/** Seeds a directory to about `n` events, then times usher's `verifyAudit` and the raw chain walk on it. */
export const benchVerify = async (log: (line: string) => void, n = 100_000, rounds = 3): Promise<VerifyResult> => {
  const dir = mkdtempSync(join(tmpdir(), "usher-bench-verify-"))
  try {
    const path = await freshDirectory(dir, "verify.db")
    const runtime = Core.makeCoreRuntime({ engine: "sqlite", path })
    try {
      // init wrote 1 event and seeding writes 5 groups: n events in all
      await runtime.runPromise(seedUsers(n - 6).pipe(Core.asUser(undefined, "cli")))
    } finally {
      await runtime.dispose()
    }
    const verifier = Core.makeCoreRuntime({ engine: "sqlite", path })
    try {
      const usher: Array<number> = []
      const raw: Array<number> = []
      let events = 0
      // one warm-up of each (JIT, page cache), then the timed rounds
      for (let r = 0; r <= rounds; r++) {
        const start = performance.now()
        const result = await verifier.runPromise(verifyAudit.pipe(Core.as("system", "cli")))
        const ms = performance.now() - start
        if (!result.ok) throw new Error(`the seeded directory does not verify: ${result.problems.slice(0, 5).map((p) => p.message).join("; ")}`)
        const rawMs = walkRaw(path)
        if (r === 0) {
          events = result.events
          log(`${events.toLocaleString("en-US")} events, ${result.checkpoints.valid} checkpoints valid, state of ${(n - 6).toLocaleString("en-US")} seeded accounts reconciled`)
          continue
        }
        usher.push(ms)
        raw.push(rawMs)
      }
      log(`usher verifyAudit (chain + checkpoints + state): ${usher.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}`)
      log(`raw chain walk (better-sqlite3 + sha256):       ${raw.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}`)
      return { events, usherMs: median(usher), rawMs: median(raw) }
    } finally {
      await verifier.dispose()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
