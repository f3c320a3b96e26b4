import Database from "better-sqlite3"
import { stringify } from "csv-stringify/sync"
import { Effect, Either } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { v7 as uuidv7 } from "uuid"
import * as Core from "../src/Core.js"
import * as AuditDomain from "../src/Domain/Audit.js"
import { hashToken, newToken } from "../src/Domain/Credentials.js"
import { invitationMail } from "../src/Domain/Mail.js"
import { createGroup } from "../src/Groups.js"
import { importUsers, type ImportReport } from "../src/Import.js"
import { parseLines, readHeader, splitLines } from "../src/Import/Csv.js"
import { decodeRow } from "../src/Import/Rows.js"
import { searchText } from "../src/Users/UsersRepo.js"
import { prng } from "./graph.js"
import { freshDirectory, median, verify } from "./seed.js"

/** What the import benchmark measured (medians, ms). */
export interface ImportResult {
  readonly rows: number
  readonly usherMs: number
  readonly rawMs: number
  /** CSV parsing and row validation alone (pure, no database) */
  readonly decodeMs: number
  /** the same file imported again: every row unchanged */
  readonly rerunMs: number
}

const GROUPS = ["engineering", "sales", "support", "finance", "ops"]
const FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John"]
const LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "McCarthy"]
const UNITS = ["Engineering", "Sales", "Support", "Finance", "Operations"]
const POSITIONS = ["Engineer", "Manager", "Analyst", "Lead", ""]
const BATCH = 1000
const HEADER = ["email", "firstName", "lastName", "phone", "gender", "birthday", "orgUnit", "position", "roles", "groups"]

/** One generated person: what the CSV line says, already in the form the directory stores. */
interface Person {
  readonly email: string
  readonly firstName: string
  readonly lastName: string
  readonly phone: string | null
  readonly orgUnit: string | null
  readonly position: string | null
  readonly role: boolean
  readonly group: number | null
}

/** n people: 70% with a phone, a tenth holding `auditor`, a third in one of five groups. */
const people = (n: number): ReadonlyArray<Person> => {
  const random = prng(n)
  return Array.from({ length: n }, (_, i) => {
    const firstName = random.pick(FIRST)
    const lastName = random.pick(LAST)
    const position = random.pick(POSITIONS)
    return {
      email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase(),
      firstName,
      lastName,
      phone: random.next() < 0.7 ? `+4474${String(random.int(1e8)).padStart(8, "0")}` : null,
      orgUnit: random.pick(UNITS),
      position: position === "" ? null : position,
      role: random.next() < 0.1,
      group: random.next() < 0.33 ? random.int(GROUPS.length) : null
    }
  })
}

const csvOf = (list: ReadonlyArray<Person>) =>
  stringify([HEADER, ...list.map((p) => [p.email, p.firstName, p.lastName, p.phone ?? "", "", "", p.orgUnit ?? "", p.position ?? "", p.role ? "auditor" : "", p.group === null ? "" : GROUPS[p.group]!])], { record_delimiter: "unix" })

/** A fresh directory with the five groups, through usher's use cases. */
const prepared = async (dir: string, name: string) => {
  const path = await freshDirectory(dir, name)
  const runtime = Core.makeCoreRuntime({ engine: "sqlite", path })
  try {
    await runtime.runPromise(Effect.forEach(GROUPS, (g) => createGroup({ name: g })).pipe(Core.as("system", "cli")))
  } finally {
    await runtime.dispose()
  }
  return path
}

/** `importUsers` through usher's runtime (mail left queued), timed from the call to its report. */
const importWithUsher = async (path: string, file: string): Promise<{ ms: number; report: ImportReport }> => {
  const runtime = Core.makeCoreRuntime({ engine: "sqlite", path })
  try {
    await runtime.runPromise(Effect.void)
    const start = performance.now()
    const report = await runtime.runPromise(importUsers({ file, deliver: false }).pipe(Core.asUser(undefined, "cli")))
    return { ms: performance.now() - start, report }
  } finally {
    await runtime.dispose()
  }
}

/**
 * The baseline: the rows the import writes (users, memberships, grants, group members, invite
 * tokens, invitations, invitation mails, hash-chained audit rows and head), from people already
 * in memory, with better-sqlite3 prepared statements in transactions of 1000 (as usher commits),
 * usher's pragmas, on a file migrated by usher. Ids, tokens, mails and hashes are timed too.
 */
const importRaw = (path: string, list: ReadonlyArray<Person>): number => {
  const db = new Database(path)
  try {
    db.pragma("journal_mode = WAL")
    db.pragma("busy_timeout = 5000")
    db.pragma("synchronous = FULL")
    db.pragma("foreign_keys = ON")
    const start = performance.now()
    const org = db.prepare("SELECT o.id, o.slug, o.name FROM settings s JOIN organizations o ON o.id = s.value WHERE s.key = 'default_org'").get() as { id: string; slug: string; name: string }
    const admin = db.prepare("SELECT id, email, first_name || ' ' || last_name AS name FROM users WHERE email = 'admin@acme.example'").get() as { id: string; email: string; name: string }
    const auditor = (db.prepare("SELECT id FROM roles WHERE name = 'auditor'").get() as { id: string }).id
    const groupIds = GROUPS.map((g) => (db.prepare("SELECT id FROM user_groups WHERE name = ?").get(g) as { id: string }).id)
    const insertUser = db.prepare(`INSERT INTO users (id, email, first_name, last_name, phone, gender, birthday, org_unit, position, kind, status,
      created_at, password_hash, must_change_password, search) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, 'member', 'invited', ?, NULL, 0, ?)`)
    const insertMembership = db.prepare("INSERT INTO memberships (user_id, org_id, joined_at) VALUES (?, ?, ?)")
    const insertGrant = db.prepare("INSERT INTO grants (id, principal_type, principal_id, role_id, scope, granted_by, granted_at, expires_at) VALUES (?, 'user', ?, ?, ?, ?, ?, NULL)")
    const insertMember = db.prepare("INSERT INTO group_members (group_id, user_id, added_at) VALUES (?, ?, ?)")
    const insertToken = db.prepare("INSERT INTO tokens (id, purpose, user_id, hash, created_at, expires_at) VALUES (?, 'invite', ?, ?, ?, ?)")
    const insertInvitation = db.prepare(`INSERT INTO invitations (id, user_id, org_id, invited_by, created_at, status, delivery, token_id, expires_at, sent_count, last_sent_at)
      VALUES (?, ?, ?, ?, ?, 'pending', 'email', ?, ?, 1, ?)`)
    const insertMail = db.prepare(`INSERT INTO outbox (id, created_at, kind, user_id, to_address, from_address, subject, text_body, html_body, status)
      VALUES (?, ?, 'invitation', ?, ?, 'usher <usher@localhost>', ?, ?, ?, 'queued')`)
    const insertAudit = db.prepare(`INSERT INTO audit_events (seq, at, actor, via, action, target, details, reason, approval_id, scopes, prev_hash, hash)
      VALUES (?, ?, ?, 'cli', ?, ?, ?, NULL, NULL, ?, ?, ?)`)
    const setHead = db.prepare("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")
    const readHead = db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1")
    const scope = `org:${org.slug}`
    for (let from = 0; from < list.length; from += BATCH) {
      db.transaction(() => {
        const at = new Date().toISOString()
        const expires = new Date(Date.now() + 7 * 24 * 3_600_000).toISOString()
        const head = readHead.get() as { seq: number; hash: string }
        let seq = Number(head.seq)
        let prevHash = head.hash
        const audit = (action: string, target: string | null, details: unknown) => {
          seq++
          // every imported event concerns the one organization, as usher records it
          const scopes = [scope]
          const event = { seq, at, actor: admin.id, via: "cli" as const, action, target, details, reason: null, approvalId: null, scopes, prevHash }
          const detailsJson = AuditDomain.canonicalJson(details)
          const hash = AuditDomain.hashEvent(event, detailsJson)
          insertAudit.run(seq, at, admin.id, action, target, detailsJson, JSON.stringify(scopes), prevHash, hash)
          prevHash = hash
        }
        const batch = list.slice(from, from + BATCH)
        for (const [i, p] of batch.entries()) {
          const id = uuidv7()
          insertUser.run(id, p.email, p.firstName, p.lastName, p.phone, p.orgUnit, p.position, at, searchText(p))
          insertMembership.run(id, org.id, at)
          const roles = p.role ? [`auditor@${scope}`] : []
          const groups = p.group === null ? [] : [`${org.slug}/${GROUPS[p.group]}`]
          if (p.role) insertGrant.run(uuidv7(), id, auditor, scope, admin.id, at)
          if (p.group !== null) insertMember.run(groupIds[p.group], id, at)
          const token = newToken()
          const tokenId = uuidv7()
          insertToken.run(tokenId, id, hashToken(token), at, expires)
          insertInvitation.run(uuidv7(), id, org.id, admin.id, at, tokenId, expires, at)
          const mail = invitationMail({
            inviter: { name: admin.name, email: admin.email },
            invitee: { name: `${p.firstName} ${p.lastName}`, email: p.email },
            org: { slug: org.slug, name: org.name },
            roles,
            groups,
            link: `http://localhost:8080/invite/${token}`,
            expiresAt: expires
          })
          insertMail.run(uuidv7(), at, id, p.email, mail.subject, mail.text, mail.html)
          audit("user.import", id, { email: p.email, org: org.slug, status: "invited", line: from + i + 2, roles, groups })
          if (p.role) audit("role.grant", id, { principal: p.email, principalType: "user", role: "auditor", scope, expiresAt: null })
          if (p.group !== null) audit("group.member.add", id, { group: groups[0], email: p.email })
        }
        audit("import.batch", null, { file: "people.csv", batch: from / BATCH + 1, lines: [from + 2, from + batch.length + 1], mode: "invite", org: org.slug, created: batch.length, updated: 0 })
        setHead.run(seq, prevHash)
      }).immediate()
    }
    return performance.now() - start
  } finally {
    db.close()
  }
}

/** CSV parsing and row validation of the file alone, as the import does them. */
const decodeOnly = (text: string) => {
  const start = performance.now()
  const lines = splitLines(text)
  const header = Either.getOrThrow(readHeader(lines))
  const today = new Date()
  let valid = 0
  for (let from = header.line; from < lines.length; from += BATCH) {
    for (const line of parseLines(lines, from, from + BATCH)) {
      if ("fields" in line && Either.isRight(decodeRow(header, line.fields, line.line, today))) valid++
    }
  }
  if (valid !== lines.length - 1) throw new Error(`only ${valid} of ${lines.length - 1} generated rows are valid`)
  return performance.now() - start
}

const count = (path: string) => {
  const db = new Database(path, { readonly: true })
  try {
    const one = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
    return ["users", "memberships", "grants", "group_members", "tokens", "invitations", "outbox", "audit_events"].map((t) => `${t} ${one(t)}`).join(", ")
  }
  finally {
    db.close()
  }
}

/** Importing an n-row CSV through usher vs raw better-sqlite3 writing the same rows, each on a fresh file. */
export const benchImport = async (log: (line: string) => void, n = 100_000, rounds = 3): Promise<ImportResult> => {
  const t0 = Date.now()
  const dir = mkdtempSync(join(tmpdir(), "usher-bench-import-"))
  try {
    const list = people(n)
    const text = csvOf(list)
    const file = join(dir, "people.csv")
    writeFileSync(file, text)
    log(`file: ${n.toLocaleString("en-US")} rows, ${(text.length / 1e6).toFixed(1)} MB`)
    // warm both paths up on a tenth of the rows
    const warmFile = join(dir, "warm.csv")
    writeFileSync(warmFile, csvOf(list.slice(0, n / 10)))
    await importWithUsher(await prepared(dir, "warm-usher.db"), warmFile)
    importRaw(await prepared(dir, "warm-raw.db"), list.slice(0, n / 10))
    const usher: Array<number> = []
    const raw: Array<number> = []
    const decode: Array<number> = []
    let rerunMs = 0
    for (let r = 0; r < rounds; r++) {
      const usherPath = await prepared(dir, `usher-${r}.db`)
      const { ms, report } = await importWithUsher(usherPath, file)
      usher.push(ms)
      if (report.created !== n || report.failed !== 0) throw new Error(`usher imported ${report.created} of ${n} rows (${report.failed} failed)`)
      const rawPath = await prepared(dir, `raw-${r}.db`)
      raw.push(importRaw(rawPath, list))
      if (r === 0) {
        decode.push(decodeOnly(text))
        const a = count(usherPath)
        const b = count(rawPath)
        log(`rows: usher ${a}`)
        log(`      raw   ${b}`)
        if (a !== b) throw new Error("usher and raw wrote different row counts")
        for (const [who, path] of [["usher", usherPath], ["raw", rawPath]] as const) {
          const verification = await verify(path)
          if (!verification.ok) throw new Error(`the ${who} audit chain does not verify: ${verification.problems.map((p) => p.message).join("; ")}`)
        }
        log("audit chains: both verify (usher's verifyAudit)")
        const again = await importWithUsher(usherPath, file)
        if (again.report.skipped !== n) throw new Error(`a re-run changed ${n - again.report.skipped} rows`)
        rerunMs = again.ms
      }
      rmSync(usherPath, { force: true })
      rmSync(rawPath, { force: true })
    }
    log(`usher importUsers: ${usher.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}`)
    log(`raw better-sqlite3: ${raw.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}`)
    log(`of which CSV parsing + row validation (csv-parse, normalizeProfile), measured alone: ${decode.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}`)
    log(`re-import of the same file (all unchanged): ${rerunMs.toFixed(0)} ms`)
    log(`import section: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    return { rows: n, usherMs: median(usher), rawMs: median(raw), decodeMs: median(decode), rerunMs }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
