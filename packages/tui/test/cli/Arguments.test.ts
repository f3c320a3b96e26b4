import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import fc from "fast-check"
import { limitFlag, wholeNumber } from "../../src/cli/Arguments.js"
import { UsageError, type Parsed } from "../../src/cli/Command.js"
import { readInvocation } from "../../src/cli/main.js"

describe("CLI argument parsers: properties (issue 9, item 11; 10k cases each)", () => {
  const parsedWith = (limit: string): Parsed => ({ values: { limit }, positionals: [] })
  const numberText = fc.oneof(
    fc.string(),
    fc.string({ unit: fc.constantFrom("0", "1", "5", "9", "e", "E", ".", "-", "+", "x", " ", "_", "n"), maxLength: 24 }),
    fc.integer().map(String),
    fc.double().map(String),
    fc.bigInt().map(String)
  )
  const usageOnly = (exit: Exit.Exit<number | undefined, UsageError>) => {
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    assert.isTrue(Option.isSome(failure) && failure.value instanceof UsageError, Cause.pretty(exit.cause))
    return undefined
  }

  it("--limit: a whole number 1–10,000 or a UsageError", () => {
    fc.assert(fc.property(numberText, (text) => {
      const n = usageOnly(Effect.runSyncExit(limitFlag(parsedWith(text))))
      if (n !== undefined) assert.isTrue(Number.isInteger(n) && n >= 1 && n <= 10_000 && /^[0-9]+$/.test(text))
    }), { numRuns: 10_000 })
  })

  it("other counts (--if-version, --batch-size, --users): a whole number in bounds or a UsageError", () => {
    fc.assert(fc.property(numberText, fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1_000_000 }), (text, min, span) => {
      const n = usageOnly(Effect.runSyncExit(wholeNumber("n", text, { min, max: min + span })))
      if (n !== undefined) assert.isTrue(n >= min && n <= min + span)
    }), { numRuns: 10_000 })
  })

  it("any command line is read into a command, help, or a refusal that is a UsageError (exit 2) or InputTooLong (exit 1)", () => {
    const word = fc.oneof(
      fc.constantFrom("users", "list", "show", "create", "invite", "update", "roles", "grant", "groups", "add", "audit", "approvals", "import", "--json", "--as", "--db",
        "--search", "--limit", "--reason", "--first-name", "--expires", "--email", "--permission", "--user", "--", "-h", "--help", "--readonly"),
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.integer({ min: 150, max: 5000 }).map((n) => "x".repeat(n)),
      fc.emailAddress()
    )
    fc.assert(fc.property(fc.array(word, { maxLength: 10 }), fc.boolean(), (argv, terminal) => {
      const read = readInvocation(argv, terminal)
      if (read._tag === "Refused") {
        assert.include(["UsageError", "InputTooLong"], read.error._tag)
        assert.strictEqual(read.code, read.error._tag === "UsageError" ? 2 : 1)
        assert.isBelow(read.error.message.length, 1000)
      }
    }), { numRuns: 10_000 })
  })
})
