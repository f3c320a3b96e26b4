import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as AccessDuration from "../../src/Domain/AccessDuration.js"
import { InvalidInput } from "../../src/Domain/Errors.js"

const AT = new Date("2026-12-24T09:00:00.000Z")

describe("AccessDuration (time-bound grants: --for)", () => {
  for (const [text, ms] of [
    ["1m", 60_000], ["90m", 90 * 60_000], ["8h", 8 * 3_600_000], ["3d", 3 * 86_400_000], ["2w", 14 * 86_400_000],
    ["365d", 365 * 86_400_000], ["8760h", 365 * 86_400_000], ["525600m", 365 * 86_400_000], ["52w", 364 * 86_400_000], [" 8h ", 8 * 3_600_000]
  ] as const) {
    it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => assert.deepStrictEqual(AccessDuration.parse("for", text), Either.right(ms)))
  }

  for (const text of ["", "8", "h", "0m", "0h", "366d", "53w", "8761h", "1.5h", "-1h", "+1h", "8 h", "8H", "1y", "1mo", "1e3h", "0x10h", "8hh", "٨h", "99999999999d", "Infinity"]) {
    it(`refuses ${JSON.stringify(text)} with InvalidInput naming the field and the rule`, () => {
      const result = AccessDuration.parse("for", text)
      assert.isTrue(Either.isLeft(result) && result.left instanceof InvalidInput)
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left.field, "for")
        assert.include(result.left.message, "from 1m to 365d")
      }
    })
  }

  it("the expiry is the instant plus the duration", () => {
    assert.deepStrictEqual(AccessDuration.expiryAfter("for", "8h", AT), Either.right(new Date("2026-12-24T17:00:00.000Z")))
    assert.deepStrictEqual(AccessDuration.expiryAfter("for", "1w", AT), Either.right(new Date("2026-12-31T09:00:00.000Z")))
  })

  it("property: a number and a unit is read as their product exactly when it lies within 1 minute and 365 days", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(...(Object.keys(AccessDuration.units) as Array<AccessDuration.Unit>)), (n, unit) => {
      const ms = n * AccessDuration.units[unit]
      const result = AccessDuration.parse("for", `${n}${unit}`)
      if (ms >= AccessDuration.MIN_MS && ms <= AccessDuration.MAX_MS) assert.deepStrictEqual(result, Either.right(ms))
      else assert.isTrue(Either.isLeft(result))
    }), { numRuns: 5_000 })
  })

  it("property: any text is a duration within the bounds or InvalidInput, never a throw; the expiry lies that far ahead", () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom("0", "1", "5", "9", "m", "h", "d", "w", "y", ".", "-", " ", "e"), maxLength: 12 }),
      fc.tuple(fc.integer({ min: -10, max: 10_000_000 }), fc.constantFrom("m", "h", "d", "w", "s", "")).map(([n, u]) => `${n}${u}`)
    )
    fc.assert(fc.property(text, fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }), (t, at) => {
      const parsed = AccessDuration.parse("for", t)
      const expiry = AccessDuration.expiryAfter("for", t, at)
      if (Either.isRight(parsed)) {
        assert.isTrue(parsed.right >= AccessDuration.MIN_MS && parsed.right <= AccessDuration.MAX_MS && parsed.right % 60_000 === 0)
        assert.isTrue(Either.isRight(expiry) && expiry.right.getTime() - at.getTime() === parsed.right)
      } else {
        assert.instanceOf(parsed.left, InvalidInput)
        assert.isTrue(Either.isLeft(expiry))
      }
    }), { numRuns: 10_000 })
  })

  it("property: format writes every duration so that parse reads it back", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 365 * 24 * 60 }), (minutes) => {
      const ms = minutes * 60_000
      assert.deepStrictEqual(AccessDuration.parse("for", AccessDuration.format(ms)), Either.right(ms))
    }), { numRuns: 5_000 })
  })
})
