import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { formatUserFilter, parseUserFilter, withStatus, type UserFilter } from "../../src/Views/UserFilter.js"

const parsed = (text: string) => Either.getOrThrow(parseUserFilter(text))

const word = fc.stringMatching(/^[a-z0-9@.+-]{1,12}$/).filter((w) => !w.includes(":") && !/^\+?[\d.-]+$/.test(w))
const value = fc.stringMatching(/^[a-z0-9][a-z0-9 _.-]{0,15}$/).map((v) => v.trim()).filter((v) => v !== "")
const filter: fc.Arbitrary<UserFilter> = fc.record({
  terms: fc.array(word, { maxLength: 4 }),
  status: fc.option(fc.constantFrom("invited", "provisioned", "active", "suspended"), { nil: undefined }),
  org: fc.option(fc.stringMatching(/^[a-z0-9]{1,10}$/), { nil: undefined }),
  group: fc.option(value, { nil: undefined }),
  role: fc.option(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { nil: undefined })
}, { requiredKeys: ["terms"] }).map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as unknown as UserFilter)

describe("UserFilter", () => {
  it("reads tokens and words, quoted values, and phone numbers as one term of digits", () => {
    assert.deepStrictEqual(parsed("status:suspended org:Acme ada"), { terms: ["ada"], status: "suspended", org: "acme" })
    assert.deepStrictEqual(parsed(`group:"night shift" role:approver`), { terms: [], group: "night shift", role: "approver" })
    assert.deepStrictEqual(parsed("+44 (74) 12-34"), { terms: ["+44741234"] })
    assert.deepStrictEqual(parsed("  Ada   LOVELACE "), { terms: ["ada", "lovelace"] })
    assert.deepStrictEqual(parsed("status:a"), { terms: [], status: "active" })
    assert.deepStrictEqual(parsed("status: org: ada"), { terms: ["ada"] })
    assert.deepStrictEqual(parsed("org:a org:b"), { terms: [], org: "b" }, "the last token of a key wins")
    assert.isTrue(Either.isLeft(parseUserFilter("status:deleted")), "deleted accounts are never listed")
    assert.isTrue(Either.isLeft(parseUserFilter("status:x")))
    assert.isTrue(Either.isLeft(parseUserFilter("size:big")))
  })

  it("never throws, whatever is typed", () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => {
      const result = parseUserFilter(text)
      assert.isTrue(Either.isLeft(result) || Array.isArray(result.right.terms))
    }))
  })

  it("formatting a filter and parsing it back gives the same filter", () => {
    fc.assert(fc.property(filter, (f) => {
      assert.deepStrictEqual(parsed(formatUserFilter(f)), f)
    }))
  })

  it("withStatus replaces only the status token and keeps everything else as typed", () => {
    assert.strictEqual(withStatus("ada status:active org:acme", "suspended"), "status:suspended ada org:acme")
    assert.strictEqual(withStatus("status:active ada", undefined), "ada")
    assert.strictEqual(withStatus("", "invited"), "status:invited")
    fc.assert(fc.property(filter, fc.constantFrom("invited", "active", "suspended", undefined), (f, status) => {
      const text = withStatus(formatUserFilter(f), status)
      const { status: _dropped, ...rest } = f
      assert.deepStrictEqual(parsed(text), status === undefined ? rest : { ...rest, status })
    }))
  })
})
