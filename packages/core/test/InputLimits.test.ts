import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import { ADMIN, asUser, failsWith, failsWithNothingWritten, initialized, withDatabase } from "./support.js"

describe("Input limits in core (issue 9, items 11 and 12)", () => {
  it.live("listUsers refuses a 100k-character search with InputTooLong and a limit outside 1–10,000 with InvalidInput, never a defect", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const long = yield* failsWith(Core.listUsers({ search: "a".repeat(100_000) }).pipe(asUser(ADMIN)), "InputTooLong")
      assert.deepStrictEqual([long.max, long.length], [1000, 100_000])
      for (const limit of [1e20, 0, 1.5, -1, 10_001, Number.NaN]) {
        yield* failsWith(Core.listUsers({ limit }).pipe(asUser(ADMIN)), "InvalidInput")
      }
      assert.lengthOf(yield* Core.listUsers({ search: "a".repeat(1000), limit: 10_000 }).pipe(asUser(ADMIN)), 0)
      assert.lengthOf(yield* Core.listUsers({ search: "admin", limit: 1 }).pipe(asUser(ADMIN)), 1)
    })))

  it.live("a role's permission in a catalog namespace must be in the catalog: users.raed is refused naming it, nothing written", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const error = yield* failsWithNothingWritten(Core.createRole({ name: "typo", permissions: ["users.read", "users.raed"] }).pipe(asUser(ADMIN)), "InvalidPermission")
      assert.include(error.message, "users.raed")
      const role = yield* Core.createRole({ name: "payer", permissions: ["expenses.approve", "users.read"] }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(role.permissions, ["expenses.approve", "users.read"])
    })))

  it.live("a grant's expiry is ISO 8601 only: Dec 25 2027 is refused, 2027-12-25 and a full timestamp are accepted", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.inviteUser({ email: "bob@acme.test", link: true }).pipe(asUser(ADMIN))
      const refused = yield* failsWithNothingWritten(Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresAt: "Dec 25 2027" }).pipe(asUser(ADMIN)), "InvalidInput")
      assert.include(refused.message, "ISO 8601")
      const day = yield* Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresAt: "2027-12-25" }).pipe(asUser(ADMIN))
      assert.strictEqual("expiresAt" in day ? day.expiresAt : undefined, "2027-12-25T00:00:00.000Z")
      const instant = yield* Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresAt: "2027-12-25T17:00:00+01:00" }).pipe(asUser(ADMIN))
      assert.strictEqual("expiresAt" in instant ? instant.expiresAt : undefined, "2027-12-25T16:00:00.000Z")
    })))

  it.live("a homoglyph domain and a right-to-left override in a name are refused on create, invite and update", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const homoglyph = yield* failsWithNothingWritten(Core.createUser({ email: "bob@\u0430cme.test", firstName: "Bob", lastName: "B" }).pipe(asUser(ADMIN)), "InvalidEmail")
      assert.include(homoglyph.message, "mixes")
      yield* failsWithNothingWritten(Core.inviteUser({ email: "bob@\u0430cme.test", link: true }).pipe(asUser(ADMIN)), "InvalidEmail")
      const rlo = yield* failsWithNothingWritten(Core.createUser({ email: "bob@acme.test", firstName: "Bob\u202egpj.exe", lastName: "B" }).pipe(asUser(ADMIN)), "InvalidProfile")
      assert.include(rlo.message, "U+202E")
      yield* failsWithNothingWritten(Core.updateUser(ADMIN, { lastName: "Ad\u200bmin" }).pipe(asUser(ADMIN)), "InvalidProfile")
      yield* failsWithNothingWritten(Core.updateUser(ADMIN, { email: "admin@\u0430cme.test" }).pipe(asUser(ADMIN)), "InvalidEmail")
      const idn = yield* Core.createUser({ email: "ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", firstName: "Ivan", lastName: "I" }).pipe(asUser(ADMIN))
      assert.strictEqual(Core.asciiEmail(idn.user.email), "ivan@xn--e1afmkfd.xn--p1ai")
    })))
})
