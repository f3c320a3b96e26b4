import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { checkPassword, hashToken, newToken, PASSWORD_MAX, PASSWORD_MIN, tokenFrom } from "../../src/Domain/Credentials.js"
import { PasswordRejected } from "../../src/Domain/Errors.js"

describe("Credentials", () => {
  describe("checkPassword: 12 to 256 characters, no composition rules", () => {
    const cases: ReadonlyArray<[string, boolean]> = [
      ["", false],
      ["a".repeat(11), false],
      ["a".repeat(12), true],
      ["correct horse battery staple", true],
      ["🔑".repeat(12), true],
      ["🔑".repeat(11), false],
      ["x".repeat(256), true],
      ["x".repeat(257), false],
      ["            ", true]
    ]
    for (const [password, ok] of cases) {
      it(`${JSON.stringify(password.length > 20 ? `${password.slice(0, 8)}… (${[...password].length})` : password)} → ${ok ? "accepted" : "PasswordRejected"}`, () => {
        const result = checkPassword(password)
        assert.strictEqual(Either.isRight(result), ok)
        if (Either.isLeft(result)) assert.instanceOf(result.left, PasswordRejected)
      })
    }

    it("property: accepted exactly when the length in code points lies in 12..256, never a throw", () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (text) => {
          const length = [...text.normalize("NFKC")].length
          assert.strictEqual(Either.isRight(checkPassword(text)), length >= PASSWORD_MIN && length <= PASSWORD_MAX)
        }),
        { numRuns: 2_000 }
      )
    })
  })

  describe("tokens", () => {
    it("are 32 CSPRNG bytes as base64url, all different, stored as a 64-hex SHA-256", () => {
      const tokens = new Set(Array.from({ length: 1_000 }, newToken))
      assert.strictEqual(tokens.size, 1_000)
      for (const token of tokens) {
        assert.match(token, /^[A-Za-z0-9_-]{43}$/)
        assert.strictEqual(Buffer.from(token, "base64url").length, 32)
      }
      const token = [...tokens][0]!
      assert.match(hashToken(token), /^[0-9a-f]{64}$/)
      assert.strictEqual(hashToken(token), hashToken(token))
      assert.notStrictEqual(hashToken(token), hashToken([...tokens][1]!))
    })

    it("tokenFrom takes the token out of a bare token or a pasted link", () => {
      const token = newToken()
      assert.strictEqual(tokenFrom(token), token)
      assert.strictEqual(tokenFrom(`  ${token}\n`), token)
      assert.strictEqual(tokenFrom(`https://usher.example/invite/${token}`), token)
      assert.strictEqual(tokenFrom(`https://usher.example/invite/${token}?utm=x#top`), token)
      assert.isUndefined(tokenFrom(""))
      assert.isUndefined(tokenFrom(token.slice(1)))
      assert.isUndefined(tokenFrom(`${token}x`))
      assert.isUndefined(tokenFrom("https://usher.example/invite/"))
    })

    it("property: tokenFrom never throws and returns only 43-character base64url text", () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.webUrl()), (text) => {
          const found = tokenFrom(text)
          assert.isTrue(found === undefined || /^[A-Za-z0-9_-]{43}$/.test(found))
        }),
        { numRuns: 5_000 }
      )
    })
  })
})
