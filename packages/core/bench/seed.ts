import Database from "better-sqlite3"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { v7 as uuidv7 } from "uuid"
import * as Core from "../src/Core.js"
import { verifyAudit } from "../src/Audit.js"
import { init } from "../src/Directory.js"
import * as AuditDomain from "../src/Domain/Audit.js"
import { seedUsers } from "../src/Seed.js"
import { searchText } from "../src/Users/UsersRepo.js"
import { prng } from "./graph.js"

/** What the seeding benchmark measured (medians). */
export interface SeedResult {
  readonly users: number
  readonly usherMs: number
  readonly rawMs: number
}

const ADMIN = "admin@acme.example"

/** A fresh directory file with the migrations applied and `init` run; returns its path. */
export const freshDirectory = async (dir: string, name: string): Promise<string> => {
  const path = join(dir, name)
  const runtime = Core.makeCoreRuntime({ engine: "sqlite", path })
  try {
    await runtime.runPromise(init({ adminEmail: ADMIN, org: "acme" }).pipe(Core.as("system", "cli")))
  } finally {
    await runtime.dispose()
  }
  return path
}

/** `seedUsers(n)` through usher's runtime, timed from the call to its result. */
const seedWithUsher = async (path: string, n: number): Promise<number> => {
  const runtime = Core.makeCoreRuntime({ engine: "sqlite", path })
  try {
    await runtime.runPromise(Effect.void)
    const start = performance.now()
    await runtime.runPromise(seedUsers(n).pipe(Core.asUser(undefined, "cli")))
    return performance.now() - start
  } finally {
    await runtime.dispose()
  }
}

const FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John"]
const LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "McCarthy"]
const UNITS = ["Engineering", "Sales", "Support", "Finance", "Operations", "People", "Legal", "Marketing"]
const POSITIONS = ["Engineer", "Manager", "Analyst", "Specialist", "Lead", "Director", "Associate", null]
const GROUPS = ["engineering", "sales", "support", "finance", "ops"]

/**
 * The baseline: the same rows (five groups, users, memberships, about half the users in a group,
 * one hash-chained audit row per group and per user, the audit head) written with better-sqlite3 prepared statements
 * in one transaction, with usher's pragmas, on a file migrated by usher. Row generation (ids,
 * search text, audit hashes) is timed too, since usher's figure includes it.
 */
export const seedRaw = (path: string, n: number): number => {
  const db = new Database(path)
  try {
    db.pragma("journal_mode = WAL")
    db.pragma("busy_timeout = 5000")
    db.pragma("synchronous = FULL")
    db.pragma("foreign_keys = ON")
    const start = performance.now()
    const random = prng(n)
    const pick = <A>(list: ReadonlyArray<A>): A => list[random.int(list.length)]!
    const org = db.prepare("SELECT o.id, o.slug FROM settings s JOIN organizations o ON o.id = s.value WHERE s.key = 'default_org'").get() as { id: string; slug: string }
    const actor = (db.prepare("SELECT id FROM users WHERE email = ?").get(ADMIN) as { id: string }).id
    const head = db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1").get() as { seq: number; hash: string }
    const insertUser = db.prepare(`INSERT INTO users (id, email, first_name, last_name, phone, gender, birthday, org_unit, position, kind, status,
      created_at, registered_at, last_active_at, must_change_password, search) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const insertMembership = db.prepare("INSERT INTO memberships (user_id, org_id, joined_at) VALUES (?, ?, ?)")
    const insertGroup = db.prepare("INSERT INTO user_groups (id, org_id, name, created_at) VALUES (?, ?, ?, ?)")
    const insertMember = db.prepare("INSERT INTO group_members (group_id, user_id, added_at) VALUES (?, ?, ?)")
    const insertAudit = db.prepare(`INSERT INTO audit_events (seq, at, actor, via, action, target, details, reason, approval_id, scopes, prev_hash, hash)
      VALUES (?, ?, ?, 'cli', ?, ?, ?, NULL, NULL, ?, ?, ?)`)
    const setHead = db.prepare("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")
    const at = new Date()
    const created = at.toISOString()
    db.transaction(() => {
      let seq = Number(head.seq)
      let prevHash = head.hash
      const audit = (action: string, target: string | null, details: Record<string, string | undefined>) => {
        seq++
        // every seeded event concerns the one organization, as usher records it
        const scopes = [`org:${org.slug}`]
        const event = { seq, at: created, actor, via: "cli" as const, action, target, details, reason: null, approvalId: null, scopes, prevHash }
        const detailsJson = AuditDomain.canonicalJson(details)
        const hash = AuditDomain.hashEvent(event, detailsJson)
        insertAudit.run(seq, created, actor, action, target, detailsJson, JSON.stringify(scopes), prevHash, hash)
        prevHash = hash
      }
      const groupIds = GROUPS.map((name) => {
        const id = uuidv7()
        insertGroup.run(id, org.id, name, created)
        audit("group.create", null, { group: `${org.slug}/${name}` })
        return id
      })
      for (let i = 0; i < n; i++) {
        const id = uuidv7()
        const firstName = pick(FIRST)
        const lastName = pick(LAST)
        const email = `${firstName}.${lastName}.${i + 1}@${org.slug}.example`.toLowerCase()
        const roll = random.next()
        const status = roll < 0.8 ? "active" : roll < 0.88 ? "suspended" : roll < 0.95 ? "invited" : "provisioned"
        const phone = random.next() < 0.7 ? `+4474${String(random.int(1e8)).padStart(8, "0")}` : null
        const registeredAt = status === "active" || status === "suspended" ? new Date(at.getTime() - random.int(3 * 365 * 864e5)).toISOString() : null
        const lastActiveAt = registeredAt === null ? null : new Date(at.getTime() - random.int(60 * 864e5)).toISOString()
        insertUser.run(id, email, firstName, lastName, phone, pick(UNITS), pick(POSITIONS), random.next() < 0.7 ? "member" : "end-user", status,
          created, registeredAt, lastActiveAt, status === "provisioned" ? 1 : 0, searchText({ firstName, lastName, email, phone }))
        insertMembership.run(id, org.id, created)
        let group: string | undefined
        if (random.next() < 0.5) {
          const g = random.int(GROUPS.length)
          insertMember.run(groupIds[g], id, created)
          group = `${org.slug}/${GROUPS[g]}`
        }
        audit("user.seed", id, { email, status, org: org.slug, group })
      }
      setHead.run(seq, prevHash)
    }).immediate()
    return performance.now() - start
  } finally {
    db.close()
  }
}

const count = (path: string) => {
  const db = new Database(path, { readonly: true })
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    return {
      users: one("SELECT COUNT(*) AS n FROM users"),
      memberships: one("SELECT COUNT(*) AS n FROM memberships"),
      members: one("SELECT COUNT(*) AS n FROM group_members"),
      audit: one("SELECT COUNT(*) AS n FROM audit_events")
    }
  } finally {
    db.close()
  }
}

/** usher's own audit verification of a file. */
export const verify = async (path: string) => {
  const runtime = Core.makeCoreRuntime({ engine: "sqlite", path })
  try {
    return await runtime.runPromise(verifyAudit.pipe(Core.as("system", "cli")))
  } finally {
    await runtime.dispose()
  }
}

/** The median of some timings. */
export const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Seeding n users with audit through usher vs raw better-sqlite3, each on a fresh file. */
export const benchSeed = async (log: (line: string) => void, n = 100_000, rounds = 3): Promise<SeedResult> => {
  const t0 = Date.now()
  const dir = mkdtempSync(join(tmpdir(), "usher-bench-"))
  try {
    // warm both paths up (JIT, page cache) on a smaller run
    await seedWithUsher(await freshDirectory(dir, "warm-usher.db"), 10_000)
    seedRaw(await freshDirectory(dir, "warm-raw.db"), 10_000)
    const usher: Array<number> = []
    const raw: Array<number> = []
    for (let r = 0; r < rounds; r++) {
      const usherPath = await freshDirectory(dir, `usher-${r}.db`)
      usher.push(await seedWithUsher(usherPath, n))
      const rawPath = await freshDirectory(dir, `raw-${r}.db`)
      raw.push(seedRaw(rawPath, n))
      if (r === 0) {
        const a = count(usherPath)
        const b = count(rawPath)
        log(`rows: usher ${a.users} users, ${a.memberships} memberships, ${a.members} group members, ${a.audit} audit events; ` +
          `raw ${b.users}, ${b.memberships}, ${b.members}, ${b.audit}`)
        if (a.users !== b.users || a.memberships !== b.memberships || a.audit !== b.audit) throw new Error("usher and raw wrote different row counts")
        for (const [who, file] of [["usher", usherPath], ["raw", rawPath]] as const) {
          const verification = await verify(file)
          if (!verification.ok) throw new Error(`the ${who} audit chain does not verify: ${verification.problems.map((p) => p.message).join("; ")}`)
        }
        log("audit chains: both verify (usher's verifyAudit)")
      }
      rmSync(usherPath, { force: true })
      rmSync(rawPath, { force: true })
    }
    log(`usher seedUsers(${n.toLocaleString("en-US")}): ${usher.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}`)
    log(`raw better-sqlite3:        ${raw.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}`)
    log(`seed section: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    return { users: n, usherMs: median(usher), rawMs: median(raw) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
