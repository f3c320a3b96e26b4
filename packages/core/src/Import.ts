import { Effect, Either } from "effect"
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { Actor, actorSubject, now, requireAt } from "./Actor.js"
import { gatedRoles } from "./Approvals/Request.js"
import { CoreConfig } from "./CoreConfig.js"
import { FileUnreadable, InvalidInput } from "./Domain/Errors.js"
import * as Permissions from "./Domain/Permissions.js"
import * as Scope from "./Domain/Scope.js"
import { displayName } from "./Domain/User.js"
import { applyBatch, loadCatalog, loadExisting, type BatchContext } from "./Import/Apply.js"
import { parseLines, readHeader, splitLines, type Header } from "./Import/Csv.js"
import { DuplicateRow, ImportStopped } from "./Import/Errors.js"
import { planRow, type ImportMode, type OrgRef, type RowPlan } from "./Import/Plan.js"
import { decodeRow, emailOf, type ImportRow } from "./Import/Rows.js"
import { findUser, orgOrDefault } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { deliver } from "./Mail.js"
import { currentSettings } from "./Settings.js"

export { COLUMNS as csvColumns, type Column as CsvColumn } from "./Import/Csv.js"
export { CsvHeaderInvalid, CsvLineMalformed, DuplicateRow, ImportStopped } from "./Import/Errors.js"
export { GrantNeedsApproval } from "./Domain/Errors.js"
export type { ImportMode } from "./Import/Plan.js"

/** What `importUsers` needs. */
export interface ImportInput {
  /** the CSV file: a header line naming the columns, then one user per line */
  readonly file: string
  /** the organization new accounts join (default: the directory's default organization) */
  readonly org?: string
  /** `invite` (default): invited accounts and invitation mails; `create`: provisioned accounts and "choose your password" mails */
  readonly mode?: ImportMode
  /** decide and report everything, write nothing */
  readonly dryRun?: boolean
  /** send the queued mails once every batch has committed (default); false leaves them queued for `usher outbox send` */
  readonly deliver?: boolean
  /** lines per transaction (default 1000) */
  readonly batchSize?: number
  /** called after each batch has committed (or, in a dry run, been decided) */
  readonly onBatch?: (progress: ImportProgress) => void
}

/** How far an import has come. */
export interface ImportProgress {
  readonly batch: number
  readonly lastLine: number
  readonly created: number
  readonly updated: number
}

/** A line that was not imported, and why. */
export interface ImportProblem {
  readonly line: number
  /** the line's e-mail, when it has a valid one */
  readonly email: string | null
  readonly error: { readonly _tag: string; readonly message: string }
}

/** What an update row changes (or, in a dry run, would change). */
export interface ImportUpdate {
  readonly line: number
  readonly email: string
  readonly fields: ReadonlyArray<string>
  /** organizations joined */
  readonly orgs: ReadonlyArray<string>
  readonly roles: ReadonlyArray<string>
  readonly groups: ReadonlyArray<string>
}

/** The outcome of an import (or what a dry run would do). */
export interface ImportReport {
  readonly file: string
  readonly org: string
  readonly mode: ImportMode
  readonly dryRun: boolean
  /** data lines read (blank lines and the header not counted) */
  readonly rows: number
  readonly created: number
  readonly updated: number
  /** rows naming an account that already has everything they give */
  readonly skipped: number
  readonly failed: number
  /** every line not imported, in file order */
  readonly problems: ReadonlyArray<ImportProblem>
  readonly updates: ReadonlyArray<ImportUpdate>
  /** transactions committed (none in a dry run) */
  readonly batches: number
  /** mails queued (in a dry run: that would be), then sent or failed (those stay queued for `usher outbox send`) */
  readonly mail: { readonly queued: number; readonly sent: number; readonly failed: number }
}

const DEFAULT_BATCH = 1000

const describeReadError = (error: unknown): string => {
  const code = (error as { code?: unknown }).code
  if (code === "ENOENT") return "no such file"
  if (code === "EACCES" || code === "EPERM") return "permission denied"
  if (code === "EISDIR") return "it is a folder"
  return error instanceof Error ? error.message : String(error)
}

const NOT_UTF8 = "it is not a UTF-8 text file (save it as CSV UTF-8)"

/**
 * The file's text: it must exist, be readable and be UTF-8 (a spreadsheet's own format, or
 * UTF-16, is refused with a hint). A stray control character further down is a problem of its
 * line only.
 */
const readText = (path: string) =>
  Effect.tryPromise({ try: () => readFile(path), catch: (error) => new FileUnreadable({ path, reason: describeReadError(error) }) }).pipe(
    Effect.flatMap((bytes) => {
      const newline = bytes.indexOf(10)
      const firstLine = bytes.subarray(0, newline < 0 ? bytes.length : newline)
      const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)
      if (utf16 || firstLine.includes(0)) return Effect.fail(new FileUnreadable({ path, reason: NOT_UTF8 }))
      return Effect.try({
        try: () => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
        catch: () => new FileUnreadable({ path, reason: NOT_UTF8 })
      })
    })
  )

const shown = (error: { readonly _tag: string; readonly message: string }) => ({ _tag: error._tag, message: error.message })

/** Decodes a batch's lines; the e-mails seen so far (and where) carry over from batch to batch. */
const decodeBatch = (header: Header, lines: ReadonlyArray<string>, from: number, to: number, seen: Map<string, number>, today: Date) => {
  const rows: Array<ImportRow> = []
  const problems: Array<ImportProblem> = []
  let read = 0
  for (const parsed of parseLines(lines, from, to)) {
    read++
    if ("error" in parsed) {
      problems.push({ line: parsed.line, email: null, error: shown(parsed.error) })
      continue
    }
    const decoded = decodeRow(header, parsed.fields, parsed.line, today)
    const email = Either.isRight(decoded) ? decoded.right.email : emailOf(header, parsed.fields)
    const first = email === null ? undefined : seen.get(email)
    // the later row of an e-mail is the bad one, even when the first row was bad for another reason
    if (email !== null && first !== undefined) {
      problems.push({ line: parsed.line, email, error: shown(new DuplicateRow({ email, firstLine: first })) })
      continue
    }
    if (email !== null) seen.set(email, parsed.line)
    if (Either.isLeft(decoded)) problems.push({ line: parsed.line, email, error: shown(decoded.left) })
    else rows.push(decoded.right)
  }
  return { rows, problems, read }
}

/** Plans a batch against the directory as it is now (inside the batch's transaction for a real run). */
const planBatch = (rows: ReadonlyArray<ImportRow>, mode: ImportMode, org: OrgRef, gated: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const subject = yield* actorSubject
    const at = yield* now
    // checked again for each batch: a long import stops at once when import.run is taken away
    yield* Permissions.require(subject, "import.run", Scope.org(org.slug), at)
    const catalog = yield* loadCatalog
    const existing = yield* loadExisting(rows.map((r) => r.email))
    const ctx = { mode, org, actor: subject, now: at, catalog, gatedRoles: gated }
    return rows.map((row) => planRow(row, existing.get(row.email), ctx))
  })

/** Counts a batch's plans into the report's totals, updates and problems. */
const tally = (plans: ReadonlyArray<RowPlan>, into: { totals: Totals; updates: Array<ImportUpdate>; problems: Array<ImportProblem> }) => {
  for (const plan of plans) {
    if (plan.kind === "fail") into.problems.push({ line: plan.row.line, email: plan.row.email, error: shown(plan.error) })
    else if (plan.kind === "skip") into.totals.skipped++
    else if (plan.kind === "create") into.totals.created++
    else {
      into.totals.updated++
      into.updates.push({
        line: plan.row.line,
        email: plan.row.email,
        fields: Object.keys(plan.changes),
        orgs: plan.joins.map((o) => o.slug),
        roles: plan.grants.map((g) => `${g.role.name}@${g.scope}`),
        groups: plan.groups.map((g) => g.qualified)
      })
    }
  }
}

interface Totals {
  rows: number
  created: number
  updated: number
  skipped: number
  /** batches committed, and the last line they cover */
  batches: number
  through: number
}

const messageOf = (defect: unknown) => (defect instanceof Error ? (defect.cause instanceof Error ? defect.cause.message : defect.message) : String(defect))

/**
 * Imports users from a CSV file into an organization. Each line is one user; a new e-mail
 * becomes an invited account with an invitation mail (`create`: a provisioned account with no
 * usable password and a mail to choose one — no admin ever sees a password); a known e-mail is
 * an update that writes changed profile fields and adds missing roles and groups (an import
 * never removes anything, and an empty cell leaves its field alone). Lines are applied in
 * batches, each one transaction with its audit rows; a bad line is reported with its line
 * number and never stops the others, and re-running a file changes nothing. Needs `import.run`
 * at the organization, plus for each line what the single-user use case would need.
 */
export const importUsers = (input: ImportInput) =>
  Effect.gen(function*() {
    const mode = input.mode ?? "invite"
    const dryRun = input.dryRun === true
    const batchSize = input.batchSize ?? DEFAULT_BATCH
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      return yield* Effect.fail(new InvalidInput({ field: "batch size", reason: "a whole number from 1 to 10000" }))
    }
    const org = yield* orgOrDefault(input.org)
    yield* requireAt("import.run", Scope.org(org.slug))
    const lines = splitLines(yield* readText(input.file))
    const header = yield* readHeader(lines)
    const settings = yield* currentSettings
    const config = yield* CoreConfig
    const actor = yield* Actor
    const person = actor.id === "system" ? null : yield* findUser(actor.id).pipe(Effect.orElseSucceed(() => null))
    const gated = yield* gatedRoles
    const today = yield* now

    const seen = new Map<string, number>()
    const report = { totals: { rows: 0, created: 0, updated: 0, skipped: 0, batches: 0, through: 0 }, updates: [] as Array<ImportUpdate>, problems: [] as Array<ImportProblem> }
    const { totals } = report
    const mailIds: Array<string> = []
    // after a batch has committed, a failure of the system must not read as "nothing was changed"
    const stopped = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.catchAllDefect(effect, (defect) =>
        totals.batches === 0 ? Effect.die(defect) : Effect.fail(new ImportStopped({ lastLine: totals.through, batches: totals.batches, reason: messageOf(defect) })))
    let batch = 0
    for (let from = header.line; from < lines.length; from += batchSize) {
      const to = Math.min(from + batchSize, lines.length)
      const decoded = decodeBatch(header, lines, from, to, seen, today)
      totals.rows += decoded.read
      report.problems.push(...decoded.problems)
      if (decoded.rows.length === 0) continue
      batch++
      const ctx: BatchContext = {
        mode,
        org,
        actorId: actor.id,
        actorPerson: person === null ? null : { name: displayName(person), email: person.email },
        at: yield* now,
        ttlMs: settings["invitation.ttl-hours"] * 3_600_000,
        publicUrl: config.publicUrl,
        batch: { file: basename(input.file), batch, lines: [from + 1, to] }
      }
      const planned = planBatch(decoded.rows, mode, org, gated)
      const { plans, queued } = dryRun
        ? yield* Effect.map(planned, (plans) => ({ plans, queued: [] as ReadonlyArray<string> }))
        : yield* stopped(transaction(Effect.flatMap(planned, (plans) => Effect.map(applyBatch(plans, ctx), (queued) => ({ plans, queued })))))
      const before = totals.created + totals.updated
      tally(plans, report)
      if (!dryRun && totals.created + totals.updated > before) {
        totals.batches++
        totals.through = to
      }
      mailIds.push(...queued)
      input.onBatch?.({ batch, lastLine: to, created: totals.created, updated: totals.updated })
    }
    const delivered = dryRun || input.deliver === false || mailIds.length === 0 ? [] : yield* stopped(deliver(mailIds))
    report.problems.sort((a, b) => a.line - b.line)
    return {
      file: input.file,
      org: org.slug,
      mode,
      dryRun,
      rows: totals.rows,
      created: totals.created,
      updated: totals.updated,
      skipped: totals.skipped,
      failed: report.problems.length,
      problems: report.problems,
      updates: report.updates,
      batches: totals.batches,
      mail: {
        queued: totals.created,
        sent: delivered.filter((d) => d.status === "sent").length,
        failed: delivered.filter((d) => d.status === "failed").length
      }
    } satisfies ImportReport
  })
