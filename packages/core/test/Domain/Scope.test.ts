import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Scope from "../../src/Domain/Scope.js"

const s = (text: string) => text as Scope.Scope

describe("Scope", () => {
  describe("parse", () => {
    const valid: ReadonlyArray<[string, string]> = [
      ["provider", "provider"],
      ["org:acme", "org:acme"],
      ["  org:acme\t", "org:acme"],
      ["org:a", "org:a"],
      ["org:a-1", "org:a-1"],
      [`org:${"a".repeat(63)}`, `org:${"a".repeat(63)}`],
      ["app:acme/expenses", "app:acme/expenses"],
      ["app:acme/hr-portal2", "app:acme/hr-portal2"]
    ]
    for (const [text, scope] of valid) {
      it(`accepts ${JSON.stringify(text)}`, () => {
        assert.deepStrictEqual(Scope.parse(text), Either.right(s(scope)))
      })
    }
    const invalid = [
      "", "Provider", "providers", "org:", "org:Acme", "org:-acme", "org:acme-", "org:ac_me", "org:ac me",
      `org:${"a".repeat(64)}`, "org:acme/expenses", "app:acme", "app:acme/", "app:/expenses", "app:acme/expenses/x",
      "app:Acme/expenses", "org:acme:x", "acme", "org:acme\nprovider"
    ]
    for (const text of invalid) {
      it(`rejects ${JSON.stringify(text)} with InvalidScope naming it`, () => {
        const result = Scope.parse(text)
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left._tag, "InvalidScope")
          assert.strictEqual(result.left.scope, text)
        }
      })
    }
  })

  it("contains: provider ⊃ org ⊃ its apps, and nothing else", () => {
    const table: ReadonlyArray<[string, string, boolean]> = [
      ["provider", "provider", true],
      ["provider", "org:a", true],
      ["provider", "app:a/x", true],
      ["org:a", "provider", false],
      ["org:a", "org:a", true],
      ["org:a", "org:b", false],
      ["org:a", "app:a/x", true],
      ["org:a", "app:b/x", false],
      ["org:a", "app:ab/x", false],
      ["org:ab", "app:a/x", false],
      ["app:a/x", "app:a/x", true],
      ["app:a/x", "app:a/y", false],
      ["app:a/x", "org:a", false],
      ["app:a/x", "provider", false]
    ]
    for (const [outer, inner, expected] of table) {
      assert.strictEqual(Scope.contains(s(outer), s(inner)), expected, `${outer} ⊇ ${inner}`)
    }
  })

  it("ancestors are the scope and every scope containing it, narrowest first", () => {
    assert.deepStrictEqual<ReadonlyArray<string>>(Scope.ancestors(Scope.provider), ["provider"])
    assert.deepStrictEqual<ReadonlyArray<string>>(Scope.ancestors(Scope.org("acme")), ["org:acme", "provider"])
    assert.deepStrictEqual<ReadonlyArray<string>>(Scope.ancestors(Scope.app("acme", "expenses")), ["app:acme/expenses", "org:acme", "provider"])
  })

  it("orgSlugOf and appSlugOf read the parts back", () => {
    assert.strictEqual(Scope.orgSlugOf(Scope.provider), undefined)
    assert.strictEqual(Scope.orgSlugOf(Scope.org("acme")), "acme")
    assert.strictEqual(Scope.orgSlugOf(Scope.app("acme", "expenses")), "acme")
    assert.strictEqual(Scope.appSlugOf(Scope.org("acme")), undefined)
    assert.strictEqual(Scope.appSlugOf(Scope.app("acme", "expenses")), "expenses")
  })

  // a few fixed slugs make related scopes (a ⊃ a/x) common; the pattern covers the rest of the rule
  const slug = fc.oneof(fc.constantFrom("a", "b", "ab", "a-b"), fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/))
  const scope = fc.oneof(
    fc.constant(Scope.provider),
    slug.map(Scope.org),
    fc.tuple(slug, slug).map(([o, a]) => Scope.app(o, a))
  )

  it("property: every built scope parses to itself, and contains(a, b) ⇔ a is an ancestor of b", () => {
    fc.assert(fc.property(scope, scope, (a, b) => {
      assert.deepStrictEqual(Scope.parse(a), Either.right(a))
      assert.strictEqual(Scope.contains(a, b), Scope.ancestors(b).includes(a))
    }), { numRuns: 2000 })
  })

  it("property: containment is a partial order (reflexive, antisymmetric, transitive)", () => {
    fc.assert(fc.property(scope, scope, scope, (a, b, c) => {
      assert.isTrue(Scope.contains(a, a))
      if (Scope.contains(a, b) && Scope.contains(b, a)) assert.strictEqual(a, b)
      if (Scope.contains(a, b) && Scope.contains(b, c)) assert.isTrue(Scope.contains(a, c))
    }), { numRuns: 2000 })
  })
})
