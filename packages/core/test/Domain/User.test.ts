import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { InputTooLong, InvalidEmail, InvalidPhone, InvalidProfile } from "../../src/Domain/Errors.js"
import {
  asciiEmail, displayName, formatPhone, normalizeBirthday, normalizeEmail, normalizePhone, normalizeProfile, type ProfileInput
} from "../../src/Domain/User.js"

const TODAY = new Date("2025-06-15T12:00:00.000Z")

const leftTag = <A, E extends { readonly _tag: string }>(result: Either.Either<A, E>): string | undefined =>
  Either.isLeft(result) ? result.left._tag : undefined

describe("User", () => {
  describe("normalizeEmail", () => {
    it("trims and lower-cases", () => {
      assert.deepStrictEqual(normalizeEmail("  Ada.Lovelace@Example.COM \n"), Either.right("ada.lovelace@example.com"))
    })
    for (const text of ["", " ", "ada", "ada@", "@example.com", "ada@example", "ada@localhost", "a b@example.com", "ada@@example.com", "ådå@example.com"]) {
      it(`rejects ${JSON.stringify(text.length > 40 ? `${text.slice(0, 20)}…` : text)} with InvalidEmail carrying the input`, () => {
        const result = normalizeEmail(text)
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) {
          assert.instanceOf(result.left, InvalidEmail)
          assert.strictEqual(result.left.email, text)
        }
      })
    }
  })

  describe("normalizeEmail: length and scripts (issue 9, item 12)", () => {
    it("an address past 254 characters is InputTooLong, naming the limit, without echoing the input", () => {
      const long = `${"a".repeat(250)}@x.io`
      const result = normalizeEmail(long)
      assert.isTrue(Either.isLeft(result) && result.left instanceof InputTooLong)
      if (Either.isLeft(result) && result.left instanceof InputTooLong) {
        assert.strictEqual(result.left.max, 254)
        assert.strictEqual(result.left.length, 255)
        assert.notInclude(result.left.message, "aaaa")
      }
      const huge = normalizeEmail(`${"a".repeat(100_000)}@acme.test`)
      assert.isTrue(Either.isLeft(huge) && huge.left.message.length < 200)
    })

    // U+0430 CYRILLIC SMALL LETTER A, U+03B1 GREEK SMALL LETTER ALPHA, U+0456 CYRILLIC I
    for (const email of ["bob@\u0430cme.test", "bob@\u03b1cme.test", "bob@pa\u0443pal.com", "bob@xn--cme-5cd.test", "bob@acme.\u0456o", "bob@m\u00fcnch\u0435n.de"]) {
      it(`refuses the mixed-script domain of ${JSON.stringify(email)} with InvalidEmail saying which label mixes which scripts`, () => {
        const result = normalizeEmail(email)
        assert.isTrue(Either.isLeft(result) && result.left instanceof InvalidEmail, JSON.stringify(result))
        if (Either.isLeft(result)) assert.match(result.left.message, /mixes (Latin and Cyrillic|Cyrillic and Latin|Greek and Latin) letters/)
      })
    }
    for (const [email, ascii] of [
      ["bob@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", "bob@xn--e1afmkfd.xn--p1ai"],
      ["bob@m\u00fcnchen.de", "bob@xn--mnchen-3ya.de"],
      ["bob@\u65e5\u672c\u8a9e\u306e.jp", "bob@xn--u9ju32nb2abz6g.jp"],
      ["bob@\u03b5\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac.gr", "bob@xn--hxargifdar.gr"],
      ["bob@a-1.acme.io", undefined]
    ] as const) {
      it(`accepts ${JSON.stringify(email)}, each label in one script, and shows it as ${ascii ?? "itself"}`, () => {
        assert.deepStrictEqual(normalizeEmail(email), Either.right(email))
        assert.strictEqual(asciiEmail(email), ascii)
      })
    }
  })

  describe("names: no invisible format characters (issue 9, item 12)", () => {
    const invisible = [
      "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
      "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028"
    ]
    for (const char of invisible) {
      const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`
      it(`refuses ${code} inside a first name, a last name and a position with InvalidProfile naming it`, () => {
        for (const field of ["firstName", "lastName", "position"] as const) {
          const result = normalizeProfile({ [field]: `Bob${char}by` }, TODAY)
          assert.isTrue(Either.isLeft(result) && result.left instanceof InvalidProfile, `${field}: ${JSON.stringify(result)}`)
          if (Either.isLeft(result)) assert.include(result.left.message, code)
        }
      })
    }
    it("letters of any script, combining marks and emoji stay", () => {
      for (const name of ["Zo\u00eb", "Jos\u0065\u0301", "\u0410\u043d\u043d\u0430", "\u674e", "\u0645\u062d\u0645\u062f", "Ana \u{1F600}", "O'Brien-Smith"]) {
        assert.deepStrictEqual(normalizeProfile({ firstName: name }, TODAY), Either.right({ firstName: name }))
      }
    })
  })

  describe("normalizePhone", () => {
    const valid: ReadonlyArray<[string, string]> = [
      ["+44 20 7946 0958", "+442079460958"],
      ["44 20 7946 0958", "+442079460958"],
      ["+1 (415) 555-2671", "+14155552671"],
      ["+49 30 901820", "+4930901820"],
      [" +447400123456 ", "+447400123456"]
    ]
    for (const [text, e164] of valid) {
      it(`${JSON.stringify(text)} → ${e164}`, () => {
        assert.deepStrictEqual(normalizePhone(text), Either.right(e164))
        assert.deepStrictEqual(normalizePhone(e164), Either.right(e164), "E.164 is a fixed point")
      })
    }
    for (const text of ["", "+", "12", "020 7946 0958", "+44 20 7946 095", "+1 415 555 2671 ext 3", "call me", "+44 20 7946 0958 0958 0958 0958 0958 0958 0958"]) {
      it(`rejects ${JSON.stringify(text)} with InvalidPhone carrying the input`, () => {
        const result = normalizePhone(text)
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) {
          assert.instanceOf(result.left, InvalidPhone)
          assert.strictEqual(result.left.phone, text)
        }
      })
    }
  })

  describe("formatPhone", () => {
    it("shows a stored number in international format, and what does not parse as it is", () => {
      assert.strictEqual(formatPhone("+442079460958"), "+44 20 7946 0958")
      assert.strictEqual(formatPhone("+14155552671"), "+1 415 555 2671")
      assert.strictEqual(formatPhone("not a number"), "not a number")
    })
    it("property: the formatted number normalizes back to the stored one", () => {
      fc.assert(fc.property(fc.constantFrom("+44", "+1", "+49", "+33", "+81"), fc.stringMatching(/^[0-9]{6,11}$/), (cc, digits) => {
        const stored = normalizePhone(`${cc}${digits}`)
        if (Either.isLeft(stored)) return
        assert.deepStrictEqual(normalizePhone(formatPhone(stored.right)), stored)
      }), { numRuns: 300 })
    })
  })

  describe("normalizeBirthday", () => {
    const table: ReadonlyArray<[string, string | "format" | "range"]> = [
      ["2000-02-29", "2000-02-29"],
      [" 1990-07-01 ", "1990-07-01"],
      ["1900-01-01", "1900-01-01"],
      ["2025-06-15", "2025-06-15"],
      ["2025-06-16", "range"],
      ["1899-12-31", "range"],
      ["1900-02-29", "format"],
      ["2001-02-29", "format"],
      ["2001-13-01", "format"],
      ["2001-1-01", "format"],
      ["01/02/2001", "format"],
      ["2001-01-01T00:00:00Z", "format"],
      ["", "format"]
    ]
    for (const [text, expected] of table) {
      it(`${JSON.stringify(text)} → ${expected}`, () => {
        const result = normalizeBirthday(text, TODAY)
        if (expected === "format" || expected === "range") {
          assert.isTrue(Either.isLeft(result))
          if (Either.isLeft(result)) {
            assert.strictEqual(result.left.field, "birthday")
            assert.include(result.left.reason, expected === "format" ? "YYYY-MM-DD" : "1900")
          }
        } else {
          assert.deepStrictEqual(result, Either.right(expected))
        }
      })
    }
  })

  describe("normalizeProfile", () => {
    it("normalizes every field and leaves absent ones out", () => {
      const result = normalizeProfile({
        email: " Grace@Navy.MIL ",
        firstName: "  Grace ",
        lastName: "Hopper",
        phone: "+1 (415) 555-2671",
        gender: " female ",
        birthday: "1906-12-09",
        orgUnit: "Navy",
        position: "Rear Admiral",
        kind: "end-user"
      }, TODAY)
      assert.deepStrictEqual(result, Either.right({
        email: "grace@navy.mil",
        firstName: "Grace",
        lastName: "Hopper",
        phone: "+14155552671",
        gender: "female",
        birthday: "1906-12-09",
        orgUnit: "Navy",
        position: "Rear Admiral",
        kind: "end-user" as const
      }))
      assert.deepStrictEqual(normalizeProfile({}, TODAY), Either.right({}))
      assert.deepStrictEqual(normalizeProfile({ lastName: "Hopper" }, TODAY), Either.right({ lastName: "Hopper" }))
    })

    it("null or blank clears an optional field", () => {
      assert.deepStrictEqual(
        normalizeProfile({ phone: null, gender: "  ", birthday: "", orgUnit: null, position: " " }, TODAY),
        Either.right({ phone: null, gender: null, birthday: null, orgUnit: null, position: null })
      )
    })

    const errors: ReadonlyArray<[string, ProfileInput, string, string | undefined]> = [
      ["bad e-mail", { email: "nope" }, "InvalidEmail", undefined],
      ["bad phone", { phone: "12345" }, "InvalidPhone", undefined],
      ["empty first name", { firstName: "  " }, "InvalidProfile", "first name"],
      ["empty last name", { lastName: "" }, "InvalidProfile", "last name"],
      ["long first name", { firstName: "x".repeat(101) }, "InvalidProfile", "first name"],
      ["control character", { lastName: "Hop\u0007per" }, "InvalidProfile", "last name"],
      ["long gender", { gender: "x".repeat(41) }, "InvalidProfile", "gender"],
      ["long unit", { orgUnit: "x".repeat(101) }, "InvalidProfile", "organization unit"],
      ["position with newline", { position: "Lead\nEngineer" }, "InvalidProfile", "position"],
      ["future birthday", { birthday: "2030-01-01" }, "InvalidProfile", "birthday"],
      ["unknown kind", { kind: "admin" }, "InvalidProfile", "kind"]
    ]
    for (const [label, input, tag, field] of errors) {
      it(`${label} → ${tag}${field === undefined ? "" : ` (${field})`}`, () => {
        const result = normalizeProfile(input, TODAY)
        assert.strictEqual(leftTag(result), tag)
        if (field !== undefined && Either.isLeft(result) && result.left._tag === "InvalidProfile") {
          assert.strictEqual(result.left.field, field)
        }
      })
    }

    it("accepts the longest allowed values", () => {
      const result = normalizeProfile({ firstName: "x".repeat(100), gender: "g".repeat(40), position: "p".repeat(100) }, TODAY)
      assert.isTrue(Either.isRight(result))
    })
  })

  it("displayName is the full name, or the e-mail when both names are empty", () => {
    assert.strictEqual(displayName({ firstName: "Ada", lastName: "Lovelace", email: "ada@x.io" }), "Ada Lovelace")
    assert.strictEqual(displayName({ firstName: "", lastName: "Lovelace", email: "ada@x.io" }), "Lovelace")
    assert.strictEqual(displayName({ firstName: "", lastName: "", email: "ada@x.io" }), "ada@x.io")
  })

  describe("property: 10k generated profile inputs", () => {
    const anyText = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary", maxLength: 120 }),
      fc.string({ unit: "grapheme", maxLength: 60 }),
      fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\u0000", "\u007f", "\u00a0", "\u2028", "\u202e", "\u2067", "\u200b", "\u200d", "\u061c", "a", "Z", "1", "+", "@", ".", "-"), maxLength: 30 })
    )
    const padded = (text: fc.Arbitrary<string>) =>
      fc.tuple(fc.constantFrom("", " ", "\t", "  \n"), text, fc.constantFrom("", " ", "\r\n")).map(([a, t, b]) => `${a}${t}${b}`)
    const mixCase = (text: string, flips: ReadonlyArray<boolean>) =>
      [...text].map((c, i) => (flips[i % Math.max(flips.length, 1)] === true ? c.toUpperCase() : c)).join("")
    const email = fc.oneof(
      anyText,
      padded(fc.tuple(fc.emailAddress(), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })).map(([e, f]) => mixCase(e, f))),
      fc.emailAddress({ size: "large" })
    )
    const country = fc.constantFrom("+44", "+1", "+49", "+33", "+81", "+61", "+91", "44", "+999", "+0")
    const phone = fc.oneof(
      anyText,
      fc.stringMatching(/^\+?[\d ().-]{0,24}$/),
      fc.tuple(country, fc.constantFrom("", " ", "-"), fc.stringMatching(/^\d{4,12}$/)).map(([c, s, d]) => `${c}${s}${d}`),
      fc.tuple(fc.constantFrom("+44 20 ", "+44 7400 ", "+1 415 ", "+49 30 "), fc.stringMatching(/^\d{3,8}$/)).map(([p, d]) => `${p}${d}`)
    )
    const date = fc.date({ noInvalidDate: true, min: new Date("1700-01-01T00:00:00Z"), max: new Date("2200-12-31T23:59:59Z") })
    const birthday = fc.oneof(
      anyText,
      padded(date.map((d) => d.toISOString().slice(0, 10))),
      date.map((d) => d.toISOString()),
      fc.tuple(fc.integer({ min: 1850, max: 2030 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
        .map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`)
    )
    const nullable = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: null, freq: 6 })
    const name = fc.oneof(anyText, padded(fc.string({ minLength: 1, maxLength: 110 })))
    const input: fc.Arbitrary<ProfileInput> = fc.record({
      email,
      firstName: name,
      lastName: name,
      phone: nullable(phone),
      gender: nullable(fc.oneof(anyText, fc.constantFrom("female", "male", "non-binary"))),
      birthday: nullable(birthday),
      orgUnit: nullable(name),
      position: nullable(name),
      kind: fc.oneof(fc.constantFrom("member", "end-user"), anyText)
    }, { requiredKeys: [] })

    const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u
    const TEXT_FIELDS = [["firstName", 100], ["lastName", 100], ["gender", 40], ["orgUnit", 100], ["position", 100]] as const

    it("each gives a normalized profile or InvalidEmail / InvalidPhone / InvalidProfile, never a throw", () => {
      const outcomes = new Map<string, number>()
      fc.assert(fc.property(input, (profileInput) => {
        const result = normalizeProfile(profileInput, TODAY)
        if (Either.isLeft(result)) {
          const error = result.left
          assert.isTrue(error instanceof InvalidEmail || error instanceof InvalidPhone || error instanceof InvalidProfile || error instanceof InputTooLong, `unexpected ${String(error)}`)
          outcomes.set(error._tag, (outcomes.get(error._tag) ?? 0) + 1)
          return
        }
        outcomes.set("ok", (outcomes.get("ok") ?? 0) + 1)
        const profile = result.right
        assert.deepStrictEqual(Object.keys(profile).sort(), Object.keys(profileInput).filter((k) => profileInput[k as keyof ProfileInput] !== undefined).sort())
        if (profile.email !== undefined) {
          assert.strictEqual(profile.email, profile.email.trim().toLowerCase())
          assert.deepStrictEqual(normalizeEmail(profile.email), Either.right(profile.email))
        }
        if (profile.phone != null) {
          assert.match(profile.phone, /^\+[1-9]\d{5,14}$/)
          assert.deepStrictEqual(normalizePhone(profile.phone), Either.right(profile.phone))
        }
        if (profile.birthday != null) {
          assert.match(profile.birthday, /^\d{4}-\d{2}-\d{2}$/)
          assert.isTrue(profile.birthday >= "1900-01-01" && profile.birthday <= "2025-06-15")
        }
        for (const [field, max] of TEXT_FIELDS) {
          const value = profile[field]
          if (value == null) continue
          assert.strictEqual(value, value.trim())
          assert.isAtMost(value.length, max)
          assert.notMatch(value, CONTROL)
        }
        if (profile.firstName !== undefined) assert.isAbove(profile.firstName.length, 0)
        if (profile.lastName !== undefined) assert.isAbove(profile.lastName.length, 0)
        if (profile.kind !== undefined) assert.include(["member", "end-user"], profile.kind)
      }), { numRuns: 10_000 })
      // the generators reach every outcome, so the property is not vacuous
      for (const outcome of ["ok", "InvalidEmail", "InvalidPhone", "InvalidProfile"]) {
        assert.isAbove(outcomes.get(outcome) ?? 0, 50, `${outcome} reached only ${outcomes.get(outcome) ?? 0} times`)
      }
    })

    it("phones and e-mails alone: a value, or their own typed error", () => {
      fc.assert(fc.property(phone, email, (p, e) => {
        const phoneResult = normalizePhone(p)
        if (Either.isLeft(phoneResult)) assert.instanceOf(phoneResult.left, InvalidPhone)
        else assert.deepStrictEqual(normalizePhone(phoneResult.right), phoneResult)
        const emailResult = normalizeEmail(e)
        if (Either.isLeft(emailResult)) assert.isTrue(emailResult.left instanceof InvalidEmail || emailResult.left instanceof InputTooLong)
        else assert.deepStrictEqual(normalizeEmail(emailResult.right), emailResult)
      }), { numRuns: 10_000 })
    })
  })
})
