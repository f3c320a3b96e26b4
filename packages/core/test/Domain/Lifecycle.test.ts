import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as Lifecycle from "../../src/Domain/Lifecycle.js"
import type { UserStatus } from "../../src/Domain/User.js"

type Cell = UserStatus | "active or provisioned" | null

/** DESIGN §3, cell by cell (`null` is "—"); reactivate goes back to active, or provisioned if never activated. */
const design: Record<UserStatus, Record<Lifecycle.LifecycleEvent, Cell>> = {
  invited: { accept: "active", firstPasswordChange: null, firstIdpSignIn: null, suspend: null, reactivate: null, delete: "deleted", cancelInvite: "deleted" },
  provisioned: { accept: null, firstPasswordChange: "active", firstIdpSignIn: "active", suspend: "suspended", reactivate: null, delete: "deleted", cancelInvite: null },
  active: { accept: null, firstPasswordChange: null, firstIdpSignIn: null, suspend: "suspended", reactivate: null, delete: "deleted", cancelInvite: null },
  suspended: { accept: null, firstPasswordChange: null, firstIdpSignIn: null, suspend: null, reactivate: "active or provisioned", delete: "deleted", cancelInvite: null },
  deleted: { accept: null, firstPasswordChange: null, firstIdpSignIn: null, suspend: null, reactivate: null, delete: null, cancelInvite: null }
}

/** What each event obliges the caller to do in the same transaction (DESIGN §3). */
const effectsOf: Record<Lifecycle.LifecycleEvent, ReadonlyArray<Lifecycle.LifecycleEffect>> = {
  accept: [],
  firstPasswordChange: [],
  firstIdpSignIn: [],
  suspend: ["revokeSessions"],
  reactivate: [],
  delete: ["revokeSessions", "eraseAccount"],
  cancelInvite: ["revokeSessions", "eraseAccount"]
}

const REGISTERED = "2024-03-01T09:00:00.000Z"
const NOW = new Date("2026-11-23T12:00:00.000Z")

describe("Lifecycle", () => {
  it("knows exactly the five statuses and six events of DESIGN §3", () => {
    assert.deepStrictEqual([...Lifecycle.statuses].sort(), ["active", "deleted", "invited", "provisioned", "suspended"])
    assert.deepStrictEqual([...Lifecycle.events].sort(), ["accept", "cancelInvite", "delete", "firstIdpSignIn", "firstPasswordChange", "reactivate", "suspend"])
  })

  describe("every (status, event) pair", () => {
    for (const status of Lifecycle.statuses) {
      for (const event of Lifecycle.events) {
        const cell = design[status][event]
        for (const registeredAt of [REGISTERED, null]) {
          const label = `${status} × ${event} (${registeredAt === null ? "never activated" : "activated before"})`
          if (cell === null) {
            it(`${label} → InvalidTransition`, () => {
              const result = Lifecycle.transition({ status, registeredAt, mustChangePassword: false }, event, NOW)
              assert.isTrue(Either.isLeft(result))
              if (Either.isRight(result)) return
              assert.strictEqual(result.left._tag, "InvalidTransition")
              assert.strictEqual(result.left.from, status)
              assert.strictEqual(result.left.event, event)
              assert.include(result.left.message, status)
              assert.include(result.left.message, event)
            })
          } else {
            const to = cell === "active or provisioned" ? (registeredAt === null ? "provisioned" : "active") : cell
            it(`${label} → ${to}`, () => {
              const before = { status, registeredAt, mustChangePassword: true }
              const activates = event === "accept" || event === "firstPasswordChange" || event === "firstIdpSignIn"
              const after = activates
                ? { status: to, registeredAt: NOW.toISOString(), mustChangePassword: false }
                : { ...before, status: to }
              assert.deepStrictEqual(Lifecycle.transition(before, event, NOW), Either.right({ user: after, effects: effectsOf[event] }))
            })
          }
        }
      }
    }
  })

  it("is pure: the same input gives the same answer and the input is not changed", () => {
    const user = Object.freeze({ status: "suspended" as const, registeredAt: null, mustChangePassword: true })
    assert.deepStrictEqual(Lifecycle.transition(user, "reactivate", NOW), Lifecycle.transition(user, "reactivate", NOW))
    assert.deepStrictEqual(user, { status: "suspended", registeredAt: null, mustChangePassword: true })
  })

  it("keeps the fields it does not own", () => {
    const user: Lifecycle.LifecycleUser & { email: string; version: number } = { status: "active", registeredAt: REGISTERED, mustChangePassword: false, email: "a@acme.test", version: 7 }
    const result = Lifecycle.transition(user, "suspend", NOW)
    assert.deepStrictEqual(result, Either.right({ user: { ...user, status: "suspended" }, effects: ["revokeSessions"] }))
  })
})
