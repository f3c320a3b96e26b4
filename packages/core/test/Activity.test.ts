/**
 * `noteActivity`: a front-end's user is active now. It writes the account's last activity at most
 * once a minute, never for a suspended account or the system, and with no audit row.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, auditHead, initialized, system, withDatabase } from "./support.js"

const lastActive = (email: string) => Effect.map(Core.showUser(email).pipe(system), (d) => d.user.lastActiveAt)

describe("noteActivity", () => {
  it.effect("at most once a minute, an active account only, no audit row", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-01T09:00:00.000Z"))
      yield* initialized
      yield* activeUser({ email: "sam@acme.test", firstName: "Sam", lastName: "Still" })
      const head = yield* auditHead
      yield* Core.noteActivity.pipe(asUser(ADMIN))
      assert.strictEqual(yield* lastActive(ADMIN), "2026-06-01T09:00:00.000Z")
      yield* TestClock.adjust("30 seconds")
      yield* Core.noteActivity.pipe(asUser(ADMIN))
      assert.strictEqual(yield* lastActive(ADMIN), "2026-06-01T09:00:00.000Z", "within the minute: unchanged")
      yield* TestClock.adjust("31 seconds")
      yield* Core.noteActivity.pipe(asUser(ADMIN))
      assert.strictEqual(yield* lastActive(ADMIN), "2026-06-01T09:01:01.000Z")
      yield* Core.suspendUser("sam@acme.test", { reason: "leave" }).pipe(asUser(ADMIN))
      const before = yield* lastActive("sam@acme.test")
      yield* Core.noteActivity.pipe(asUser("sam@acme.test"))
      assert.strictEqual(yield* lastActive("sam@acme.test"), before, "a suspended account is not marked active")
      yield* Core.noteActivity.pipe(system)
      const after = yield* auditHead
      assert.strictEqual(after, head + 1, "only the suspension was audited")
    })))
})
