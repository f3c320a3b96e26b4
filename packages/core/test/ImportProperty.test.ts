import { assert, describe, it } from "@effect/vitest"
import { stringify } from "csv-stringify/sync"
import { Effect, Either, Exit } from "effect"
import fc from "fast-check"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Core from "../src/index.js"
import { parseLine, parseLines, readHeader, splitLines } from "../src/Import/Csv.js"
import { decodeRow } from "../src/Import/Rows.js"
import { fileFolder, HEADER } from "./importSupport.js"
import { ADMIN, asUser, initialized, system, withDatabase } from "./support.js"

const TODAY = new Date("2025-06-15T12:00:00.000Z")

/** Whether a line counts as a row: not blank, and not only empty fields (a malformed line counts). */
const isRow = (line: string) => line.trim() !== "" && Either.match(parseLine(line), { onLeft: () => true, onRight: (fields) => fields.some((f) => f !== "") })

/** Every typed error a line of an import can end in. */
const ROW_ERRORS = new Set([
  "CsvLineMalformed", "InvalidEmail", "InvalidPhone", "InvalidProfile", "InvalidScope", "DuplicateRow", "RoleNotFound", "GroupNotFound",
  "ScopeNotFound", "PermissionDenied", "EscalationDenied", "NotAMember", "GrantNeedsApproval"
])

/** Cells as people and programs write them: plausible values, near misses and arbitrary text. */
const cell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("", " ", "Ada", "O'Brien", "Smith, Jr.", "\"quoted\"", "+44 20 7946 0958", "+1 415 555 2671", "12", "1990-01-02", "2999-01-01", "1990-02-30") },
  { weight: 2, arbitrary: fc.emailAddress() },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom("auditor", "auditor@org:acme", "nope@org:acme", "x@", "org-admin@provider", "crm-user@app:acme/crm", "auditor@app:acme/none", "a;b;;c") },
  { weight: 1, arbitrary: fc.constantFrom("finance", "acme/finance", "beta/ops", "nowhere/x", "/", "finance;ops") },
  { weight: 1, arbitrary: fc.constantFrom("=SUM(A1)", "'=SUM(A1)", "'-1", "@x", "\t", "\"", "\"\"", "a\"b", ",", "\r", "\n", "\u0000") }
)

/** A line: ten cells quoted properly, or joined raw (stray quotes, separators and line breaks included), or the wrong number of cells. */
const line = fc.oneof(
  { weight: 3, arbitrary: fc.array(cell, { minLength: 10, maxLength: 10 }).map((cells) => stringify([cells], { record_delimiter: "unix" }).replace(/\n$/, "")) },
  { weight: 2, arbitrary: fc.array(cell, { minLength: 10, maxLength: 10 }).map((cells) => cells.join(",")) },
  { weight: 1, arbitrary: fc.array(cell, { minLength: 0, maxLength: 14 }).map((cells) => cells.join(",")) }
)

// at least 64 lines a file, so 160 runs are always ≥ 10k lines (fast-check leans to short arrays)
const file = fc.array(line, { minLength: 64, maxLength: 90 })

const mostly = <A>(usual: fc.Arbitrary<A>, odd: fc.Arbitrary<A>) => fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd })

/** Lines shaped like real files: mostly valid values per column, some near misses, some garbage, some repeated e-mails. */
const plausibleLine = fc.tuple(
  mostly(fc.oneof(fc.emailAddress(), fc.integer({ min: 0, max: 40 }).map((n) => `Person.${n}@Acme.test`)), cell),
  mostly(fc.constantFrom("Ada", "Grace", "José", "Zoë", ""), cell),
  mostly(fc.constantFrom("Lovelace", "O'Brien", "Smith, Jr.", ""), cell),
  mostly(fc.constantFrom("", "+44 20 7946 0958", "+1 415 555 2671"), cell),
  mostly(fc.constantFrom("", "female", "male", "non-binary"), cell),
  mostly(fc.constantFrom("", "1990-01-02", "2000-02-29"), cell),
  mostly(fc.constantFrom("", "Engineering", "-Ops"), cell),
  mostly(fc.constantFrom("", "Lead", "=Chief"), cell),
  mostly(fc.constantFrom("", "auditor", "crm-user@app:acme/crm", "auditor;crm-user@app:acme/crm", "auditor@org:beta", "org-admin"), cell),
  mostly(fc.constantFrom("", "finance", "acme/finance", "beta/ops"), cell)
).chain((cells) => fc.constantFrom(stringify([cells], { record_delimiter: "unix" }).replace(/\n$/, ""), cells.join(",")))

describe("import properties", () => {
  it("≥ 10k generated lines: each is read once, with its line number, as a row or a typed error — nothing throws", () => {
    let generated = 0
    fc.assert(
      fc.property(file, fc.constantFrom("\n", "\r\n"), (lines, eol) => {
        generated += lines.length
        const text = `${HEADER}${eol}${lines.join(eol)}${eol}`
        const physical = splitLines(text)
        const header = Either.getOrThrow(readHeader(physical))
        const parsed = parseLines(physical, header.line, physical.length)
        const expected = physical.flatMap((l, i) => (i > 0 && isRow(l) ? [i + 1] : []))
        assert.deepStrictEqual(parsed.map((p) => p.line), expected, "every line that is not blank, once, in order")
        for (const p of parsed) {
          const result = "error" in p ? Either.left(p.error) : decodeRow(header, p.fields, p.line, TODAY)
          if (Either.isLeft(result)) {
            assert.isTrue(ROW_ERRORS.has(result.left._tag), `unexpected ${result.left._tag}`)
            assert.isString(result.left.message)
            assert.isAbove(result.left.message.length, 10)
          } else {
            assert.strictEqual(result.right.line, p.line)
            assert.match(result.right.email, /@/)
          }
        }
      }),
      { numRuns: 160 }
    )
    assert.isAtLeast(generated, 10_000)
  })

  it.live("generated files through the whole use case: every line is counted once, bad ones as typed errors, and the audit log holds", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta" }).pipe(system)
      yield* Core.createGroup({ name: "finance" }).pipe(system)
      yield* Core.createGroup({ name: "ops", org: "beta" }).pipe(system)
      yield* Core.createApp("acme/crm").pipe(system)
      yield* Core.createRole({ name: "crm-user", permissions: ["crm.use"] }).pipe(system)
      const dir = yield* fileFolder
      const samples = fc.sample(fc.array(fc.oneof({ weight: 4, arbitrary: plausibleLine }, { weight: 1, arbitrary: line }), { minLength: 400, maxLength: 600 }), { numRuns: 8, seed: 20_251_123 })
      let lines = 0
      let created = 0
      let changedLater = 0
      for (const [i, sample] of samples.entries()) {
        const path = join(dir, `generated-${i}.csv`)
        writeFileSync(path, `${HEADER}\n${sample.join("\n")}\n`)
        const nonBlank = splitLines(`${sample.join("\n")}\n`).filter(isRow).length
        lines += nonBlank
        for (const dryRun of [true, false]) {
          const exit = yield* Effect.exit(Core.importUsers({ file: path, dryRun, batchSize: 97, deliver: false }).pipe(asUser(ADMIN)))
          assert.isTrue(Exit.isSuccess(exit), `no failure or defect: ${Exit.isFailure(exit) ? String(exit.cause) : ""}`)
          if (Exit.isFailure(exit)) continue
          const report = exit.value
          assert.strictEqual(report.rows, nonBlank)
          assert.strictEqual(report.created + report.updated + report.skipped + report.failed, report.rows)
          for (const p of report.problems) assert.isTrue(ROW_ERRORS.has(p.error._tag), `unexpected ${p.error._tag}: ${p.error.message}`)
          if (!dryRun) {
            created += report.created
            changedLater += report.updated + report.skipped
          }
        }
      }
      assert.isAtLeast(lines, 3_000)
      assert.isAbove(created, 100, "plenty of generated lines are valid")
      assert.isAbove(changedLater, 20, "later files name accounts earlier ones made")
      const verification = yield* Core.verifyAudit.pipe(system)
      assert.isTrue(verification.ok, verification.problems.map((p) => p.message).join("; "))
    }).pipe(Effect.scoped)), 120_000)
})
