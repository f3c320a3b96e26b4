import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { columnOf, parseLine, parseLines, readHeader, splitLines, type Header } from "../src/Import/Csv.js"
import { decodeRow, emailOf, parseGroupItem, parseRoleItem, unescapeFormula } from "../src/Import/Rows.js"

const TODAY = new Date("2025-06-15T12:00:00.000Z")

const header = (line: string): Header => Either.getOrThrow(readHeader([line]))

const headerError = (lines: ReadonlyArray<string>) => {
  const result = readHeader(lines)
  assert.isTrue(Either.isLeft(result), "expected a header error")
  return Either.isLeft(result) ? result.left : undefined
}

describe("Import CSV", () => {
  describe("readHeader", () => {
    it("maps header names whatever their case, spaces, underscores and dashes", () => {
      assert.deepStrictEqual(
        header("E-Mail,First Name,last_name,PHONE,Gender,birthday,Org Unit,position,Roles,groups").columns,
        ["email", "firstName", "lastName", "phone", "gender", "birthday", "orgUnit", "position", "roles", "groups"]
      )
      assert.deepStrictEqual(header("firstName, email ").columns, ["firstName", "email"])
      assert.deepStrictEqual(columnOf("org-unit"), "orgUnit")
      assert.isUndefined(columnOf("phon"))
    })

    it("the header is the first line that is not blank; a byte-order mark is dropped", () => {
      const result = Either.getOrThrow(readHeader(splitLines("\uFEFF\n  \nemail,firstName\na@x.io,A\n")))
      assert.deepStrictEqual(result, { columns: ["email", "firstName"], line: 3 })
    })

    it("unknown columns are an error for the whole file, each named", () => {
      const error = headerError(["email,phon,Department"])
      assert.strictEqual(error?._tag, "CsvHeaderInvalid")
      assert.include(error?.message, "\"phon\", \"Department\"")
      assert.include(error?.message, "known: email, firstName")
    })

    it("a column named twice, an unnamed column, a missing email column and an empty file are header errors", () => {
      assert.include(headerError(["email,First Name,first_name"])?.reason, "firstName is named twice")
      assert.include(headerError(["email,,lastName"])?.reason, "column 2 has no name")
      assert.include(headerError(["firstName,lastName"])?.reason, "no email column")
      assert.include(headerError(["", "  "])?.reason, "the file is empty")
      assert.include(headerError(["email;firstName;lastName"])?.reason, "columns are separated by commas")
      assert.include(headerError(["\"email,firstName"])?.reason, "not closed")
    })
  })

  describe("parseLines", () => {
    it("parses quoted fields with commas and doubled quotes; blank lines and lines of empty fields are skipped, line numbers kept", () => {
      const lines = splitLines("email,lastName\r\na@x.io,\"Smith, Jr.\"\r\n\r\nb@x.io,\"The \"\"Boss\"\"\"\n   \n c@x.io , Lee \n,\n \"\" , \n")
      assert.deepStrictEqual(parseLines(lines, 1, lines.length), [
        { line: 2, fields: ["a@x.io", "Smith, Jr."] },
        { line: 4, fields: ["b@x.io", "The \"Boss\""] },
        { line: 6, fields: ["c@x.io", "Lee"] }
      ])
    })

    it("a stray quote spoils its own line only, never the lines after it", () => {
      const lines = splitLines([
        "email,lastName",
        "a@x.io,A",
        "\"b@x.io,B",
        "c@x.io,\"C\"x",
        "d@x.io,O\"Brien",
        "e@x.io,E",
        "f@x.io,\"unclosed",
        "g@x.io,G"
      ].join("\n"))
      const parsed = parseLines(lines, 1, lines.length)
      assert.deepStrictEqual(parsed.map((p) => [p.line, "fields" in p ? p.fields[0] : p.error._tag]), [
        [2, "a@x.io"],
        [3, "CsvLineMalformed"],
        [4, "CsvLineMalformed"],
        [5, "CsvLineMalformed"],
        [6, "e@x.io"],
        [7, "CsvLineMalformed"],
        [8, "g@x.io"]
      ])
      const reasons = parsed.flatMap((p) => ("error" in p ? [p.error.message] : []))
      assert.include(reasons[0], "not closed")
      assert.include(reasons[1], "must end at a comma")
      assert.include(reasons[2], "double the quote")
    })

    it("parses a range of lines, so a file is read a batch at a time", () => {
      const lines = ["email", "a@x.io", "b@x.io", "c@x.io", "d@x.io"]
      assert.deepStrictEqual(parseLines(lines, 2, 4), [{ line: 3, fields: ["b@x.io"] }, { line: 4, fields: ["c@x.io"] }])
      assert.deepStrictEqual(parseLines(lines, 4, 99), [{ line: 5, fields: ["d@x.io"] }])
    })

    it("parseLine gives exactly one record or a typed error", () => {
      assert.deepStrictEqual(parseLine("a, b ,\"c\""), Either.right(["a", "b", "c"]))
      assert.strictEqual(Either.flip(parseLine("\"a")).pipe(Either.getOrThrow)._tag, "CsvLineMalformed")
    })
  })

  describe("decodeRow", () => {
    const h = header("email,firstName,lastName,phone,birthday,roles,groups")
    const decode = (fields: ReadonlyArray<string>) => decodeRow(h, fields, 7, TODAY)
    const error = (fields: ReadonlyArray<string>) => Either.getOrThrow(Either.flip(decode(fields)))

    it("normalizes with core's profile rules; empty cells give no field", () => {
      assert.deepStrictEqual<unknown>(decodeRow(header("email,firstName,lastName,phone,birthday,orgs,roles,groups"), [" Ada@Example.COM ", "Ada", "", "+44 20 7946 0958", "", "Acme; beta;acme", "auditor; user-manager@org:beta ;", "finance;beta/ops"], 7, TODAY), Either.right({
        line: 7,
        email: "ada@example.com",
        profile: { firstName: "Ada", phone: "+442079460958" },
        orgs: ["acme", "beta"],
        roles: [{ role: "auditor", scope: undefined }, { role: "user-manager", scope: "org:beta" }],
        groups: [{ org: undefined, name: "finance" }, { org: "beta", name: "ops" }]
      }))
    })

    it("each problem is a typed error with a message", () => {
      assert.include(error(["a@x.io", "A"]).message, "it has 2 fields; the header has 7")
      assert.strictEqual(error(["", "A", "B", "", "", "", ""])._tag, "InvalidProfile")
      assert.strictEqual(error(["not-an-email", "A", "B", "", "", "", ""])._tag, "InvalidEmail")
      assert.strictEqual(error(["a@x.io", "A", "B", "12", "", "", ""])._tag, "InvalidPhone")
      assert.include(error(["a@x.io", "A", "B", "", "1899-12-31", "", ""]).message, "between 1900 and today")
      assert.strictEqual(error(["a@x.io", "A", "B", "", "", "auditor@org:Bad Slug", ""])._tag, "InvalidScope")
      assert.include(error(["a@x.io", "A\u0007", "B", "", "", "", ""]).message, "control characters")
    })

    it("takes off the quote an export puts before a formula-like cell", () => {
      assert.strictEqual(unescapeFormula("'=SUM(A1)"), "=SUM(A1)")
      assert.strictEqual(unescapeFormula("'t Hooft"), "'t Hooft")
      assert.deepStrictEqual<unknown>(Either.map(decode(["a@x.io", "'-Dash", "'@At", "", "", "", ""]), (r) => r.profile), Either.right({ firstName: "-Dash", lastName: "@At" }))
    })

    it("items and the e-mail of a line that may not decode", () => {
      assert.deepStrictEqual<unknown>(parseRoleItem("org-admin"), Either.right({ role: "org-admin", scope: undefined }))
      assert.deepStrictEqual<unknown>(parseRoleItem("x@app:acme/crm"), Either.right({ role: "x", scope: "app:acme/crm" }))
      assert.isTrue(Either.isLeft(parseRoleItem("x@")))
      assert.deepStrictEqual(parseGroupItem("Beta/Ops Team"), { org: "beta", name: "Ops Team" })
      assert.strictEqual(emailOf(h, ["B@x.io"]), "b@x.io")
      assert.isNull(emailOf(h, ["nope"]))
    })
  })
})
