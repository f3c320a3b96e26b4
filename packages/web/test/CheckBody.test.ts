/**
 * The check API's fast path for its body: whatever `isCheckBody` lets through, the schema decodes
 * to the same questions (the decoder's cost is skipped only where it would change nothing that
 * core reads), and what it does not is left to the schema to accept or word.
 */
import { Either, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CheckBody, isCheckBody } from "../src/routes/api.js"

const field = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom("x".repeat(1_000), "x".repeat(1_001)), fc.integer(), fc.constant(null), fc.constant(undefined))
const question = fc.record({ user: field, permission: field, scope: field, extra: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: [] })
const body = fc.oneof(
  question,
  fc.record({ checks: fc.oneof(fc.array(question, { maxLength: 5 }), fc.constant("no")) }),
  fc.record({ user: fc.string(), permission: fc.string(), checks: fc.array(question, { maxLength: 2 }) }),
  fc.anything({ maxDepth: 2 })
)
const asked = (q: unknown) => { const { user, permission, scope } = q as Record<string, unknown>; return { user, permission, scope } }

describe("the check body's fast path", () => {
  it("accepts only what the schema decodes to the same questions", () => {
    fc.assert(fc.property(body, (value) => {
      if (!isCheckBody(value)) return
      const decoded = Schema.decodeUnknownEither(CheckBody)(value)
      expect(Either.isRight(decoded)).toBe(true)
      const right = Either.getOrThrow(decoded)
      const raw = value as Record<string, unknown>
      expect("checks" in raw).toBe("checks" in right)
      if ("checks" in right) expect((raw["checks"] as Array<unknown>).map(asked)).toEqual(right.checks.map(asked))
      else expect(asked(raw)).toEqual(asked(right))
    }), { numRuns: 1_000 })
  })

  it("takes the common shapes", () => {
    expect(isCheckBody({ user: "a@b.c", permission: "p" })).toBe(true)
    expect(isCheckBody({ checks: [{ user: "a@b.c", permission: "p", scope: "org:x" }] })).toBe(true)
    expect(isCheckBody({ checks: Array.from({ length: 1_001 }, () => ({ user: "a", permission: "p" })) })).toBe(false)
    expect(isCheckBody({ user: 1, permission: "p" })).toBe(false)
  })
})
