import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { InputTooLong, InvalidInput } from "../../src/Domain/Errors.js"
import * as Input from "../../src/Domain/Input.js"
import * as Scripts from "../../src/Domain/Scripts.js"

describe("Input (issue 9, items 11 and 12)", () => {
  describe("checkLength", () => {
    it("counts characters, not UTF-16 units, and names field, limit and length", () => {
      assert.deepStrictEqual(Input.checkKind("the name", "name", "\u{1F600}".repeat(200)), Either.right("\u{1F600}".repeat(200)))
      const result = Input.checkKind("--search", "search", "a".repeat(100_000))
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.instanceOf(result.left, InputTooLong)
        assert.strictEqual(result.left.message, "Too long: --search has 100000 characters, at most 1000.")
      }
    })
    it("the limits are the issue's", () => {
      assert.deepInclude(Input.MaxLength, { name: 200, email: 254, search: 1000, reason: 2000 })
    })
    it("property: 10k texts are either themselves or InputTooLong, exactly past the limit", () => {
      const kinds = Object.keys(Input.MaxLength) as Array<Input.LengthKind>
      fc.assert(fc.property(fc.constantFrom(...kinds), fc.string({ unit: fc.constantFrom("a", "\u{1F600}", "\u0430", " "), maxLength: 5000 }), (kind, text) => {
        const result = Input.checkKind("x", kind, text)
        const length = [...text].length
        if (length <= Input.MaxLength[kind]) assert.deepStrictEqual(result, Either.right(text))
        else assert.isTrue(Either.isLeft(result) && result.left.length === length && result.left.max === Input.MaxLength[kind])
      }), { numRuns: 10_000 })
    })
  })

  describe("parseWholeNumber", () => {
    const bounds = Input.LIST_LIMIT
    for (const [text, n] of [["1", 1], ["10000", 10_000], ["0050", 50]] as const) {
      it(`reads ${text} as ${n}`, () => assert.deepStrictEqual(Input.parseWholeNumber("--limit", text, bounds), Either.right(n)))
    }
    for (const text of ["1e20", "0", "1.5", "abc", "", " 5", "5 ", "-1", "+5", "0x10", "10001", "1e3", "Infinity", "NaN", "١٢", "99999999999999999999"]) {
      it(`refuses ${JSON.stringify(text)} with InvalidInput naming the bounds`, () => {
        const result = Input.parseWholeNumber("--limit", text, bounds)
        assert.isTrue(Either.isLeft(result) && result.left instanceof InvalidInput)
        if (Either.isLeft(result)) assert.include(result.left.message, "from 1 to 10000")
      })
    }
    it("property: 10k texts give a whole number within the bounds or InvalidInput, never a throw", () => {
      const text = fc.oneof(
        fc.string(),
        fc.string({ unit: fc.constantFrom("0", "1", "9", "e", ".", "-", "+", "x", " "), maxLength: 25 }),
        fc.integer().map(String),
        fc.double().map(String),
        fc.bigInt().map(String)
      )
      fc.assert(fc.property(text, (t) => {
        const result = Input.parseWholeNumber("--limit", t, bounds)
        if (Either.isRight(result)) {
          assert.isTrue(Number.isSafeInteger(result.right) && result.right >= 1 && result.right <= 10_000)
          assert.match(t, /^[0-9]+$/)
          assert.strictEqual(result.right, Number(t))
        } else assert.instanceOf(result.left, InvalidInput)
      }), { numRuns: 10_000 })
    })
  })

  describe("parseIsoInstant", () => {
    const table: ReadonlyArray<[string, string]> = [
      ["2027-12-25", "2027-12-25T00:00:00.000Z"],
      ["2027-12-25T17:00:00Z", "2027-12-25T17:00:00.000Z"],
      ["2027-12-25T17:00:00.250Z", "2027-12-25T17:00:00.250Z"],
      ["2027-12-25T17:00+02:00", "2027-12-25T15:00:00.000Z"],
      ["2027-12-25T17:00:00-0530", "2027-12-25T22:30:00.000Z"],
      ["2027-12-25T17:00:00", "2027-12-25T17:00:00.000Z"],
      ["2028-02-29", "2028-02-29T00:00:00.000Z"]
    ]
    for (const [text, iso] of table) {
      it(`reads ${text} as ${iso}`, () => assert.strictEqual(Either.getOrThrow(Input.parseIsoInstant("expires", text)).toISOString(), iso))
    }
    for (const text of ["Dec 25 2027", "25/12/2027", "12/25/2027", "2027-12-25 5pm", "2027-02-29", "2027-13-01", "2027-12-32", "2027-12-25T24:00:00Z", "2027-12-25T17:60Z", "tomorrow", "", "1735084800000", "2027-12-25T17:00:00+25:00", "Sat, 25 Dec 2027 00:00:00 GMT"]) {
      it(`refuses ${JSON.stringify(text)} with InvalidInput promising ISO 8601`, () => {
        const result = Input.parseIsoInstant("expires", text)
        assert.isTrue(Either.isLeft(result) && result.left instanceof InvalidInput)
        if (Either.isLeft(result)) assert.include(result.left.message, "ISO 8601")
      })
    }
    it("property: 10k texts give a valid instant or InvalidInput; every real instant's ISO form reads back as itself", () => {
      const date = fc.date({ noInvalidDate: true, min: new Date("0100-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z") })
      const text = fc.oneof(
        fc.string(),
        date.map((d) => d.toISOString()),
        date.map((d) => d.toISOString().slice(0, 10)),
        date.map((d) => d.toString()),
        fc.string({ unit: fc.constantFrom("2", "0", "1", "9", "-", ":", "T", "Z", "+", "."), maxLength: 30 })
      )
      fc.assert(fc.property(text, (t) => {
        const result = Input.parseIsoInstant("expires", t)
        if (Either.isRight(result)) assert.isFalse(Number.isNaN(result.right.getTime()))
        else assert.instanceOf(result.left, InvalidInput)
      }), { numRuns: 10_000 })
      fc.assert(fc.property(date, (d) => {
        assert.strictEqual(Either.getOrThrow(Input.parseIsoInstant("expires", d.toISOString())).getTime(), d.getTime())
      }), { numRuns: 1_000 })
    })
  })

  describe("invisibleCharacter", () => {
    it("finds bidi controls, zero-width characters and controls; leaves letters, marks and emoji", () => {
      assert.strictEqual(Input.invisibleCharacter("Bob\u202e"), "U+202E")
      assert.strictEqual(Input.invisibleCharacter("a\u200db"), "U+200D")
      assert.strictEqual(Input.invisibleCharacter("a\u0007"), "U+0007")
      assert.isUndefined(Input.invisibleCharacter("Jose\u0301 \u0410\u043d\u043d\u0430 \u{1F600}"))
    })
  })

  describe("Scripts", () => {
    it("a label wholly in one script, or with Common and Inherited characters, is single-script", () => {
      for (const label of ["acme", "a-1", "\u043f\u0440\u0438\u043c\u0435\u0440", "\u65e5\u672c\u8a9e\u306e", "\ud55c\uad6d\uc5b4", "123", "caf\u00e9", "e\u0301"]) {
        assert.isFalse(Scripts.isMixedScript(label), label)
      }
    })
    it("Latin with Cyrillic or Greek is mixed", () => {
      for (const label of ["\u0430cme", "\u03b1cme", "p\u0430ypal", "\u0430\u03b1"]) assert.isTrue(Scripts.isMixedScript(label), label)
    })
  })
})
