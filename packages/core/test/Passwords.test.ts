import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { generateTemporaryPassword, hashPassword, hashThreads, verifyPassword } from "../src/Passwords.js"

describe("Passwords", () => {
  it.live("hashPassword is salted scrypt N=2^17, r=8; verifyPassword accepts only the password", () =>
    Effect.gen(function*() {
      const [a, b] = yield* Effect.all([hashPassword("correct horse battery"), hashPassword("correct horse battery")], { concurrency: 2 })
      assert.match(a, /^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
      assert.notStrictEqual(a, b, "a fresh salt each time")
      const ligature = yield* hashPassword("\ufb01le cabinet 42")
      const [right, wrong, nfkc] = yield* Effect.all([
        verifyPassword("correct horse battery", a),
        verifyPassword("correct horse batterY", a),
        // NFKC: the same password typed with a compatibility character (the "ﬁ" ligature) verifies
        verifyPassword("file cabinet 42", ligature)
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual([right, wrong, nfkc], [true, false, true])
    }))

  it.live("a stored value of another scheme or cost never verifies", () =>
    Effect.gen(function*() {
      for (const stored of ["", "plain", "bcrypt$2b$10$abc", "scrypt$16$8$1$c2FsdA$aGFzaA", "scrypt$17$8$1$c2FsdA"]) {
        assert.isFalse(yield* verifyPassword("x", stored), stored)
      }
    }))

  it("temporary passwords: 20 unambiguous characters from the CSPRNG in four groups, never repeating", () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const password = generateTemporaryPassword()
      assert.match(password, /^[a-hjkmnp-zA-HJ-NP-Z2-9]{5}(-[a-hjkmnp-zA-HJ-NP-Z2-9]{5}){3}$/)
      seen.add(password)
    }
    assert.strictEqual(seen.size, 1000)
  })

  it("hashes run on one core fewer than the machine has unless USHER_HASH_THREADS says otherwise; a setting that is not a count in 1..64 is ignored", () => {
    assert.deepStrictEqual([hashThreads(undefined, 8), hashThreads(undefined, 2), hashThreads(undefined, 1)], [7, 1, 1])
    assert.deepStrictEqual([hashThreads("4", 2), hashThreads(" 2 ", 8), hashThreads("64", 2)], [4, 2, 64])
    assert.deepStrictEqual(["0", "-1", "1.5", "65", "many", ""].map((s) => hashThreads(s, 4)), [3, 3, 3, 3, 3, 3])
  })
})
