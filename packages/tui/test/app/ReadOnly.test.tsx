import * as Core from "@usher/core"
import { activeUser } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { bindings, hintsFor, viewNames } from "../../src/app/keys/Keymap.js"
import { openDashboard, type Harness, goTo, statusLine } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const directory = Effect.gen(function*() {
  yield* Core.createGroup({ name: "ops" })
  yield* activeUser({ email: "mia@acme.test", firstName: "Mia", lastName: "Manager", roles: ["user-manager"], scope: "provider" })
  yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace" })
  yield* Core.deleteUser("ada@acme.test", { reason: "left" }).pipe(Core.asUser("mia@acme.test", "cli"))
})

describe("key hints come from the keymap", () => {
  it("every hint names a key the view has, and read-only sessions are not shown a key that changes something", () => {
    for (const view of viewNames) {
      const mutating = new Set(bindings.filter((b) => b.mutating === true && b.hint !== undefined).map((b) => `${b.keys[0]} ${b.hint}`))
      expect(hintsFor(view, true).filter((h) => mutating.has(h)), view).toEqual([])
      expect(hintsFor(view, false).slice(0, 2)).toEqual(["? help", ": views"])
    }
    expect(hintsFor("approvals", false)).toEqual(expect.arrayContaining(["a approve", "d deny"]))
    expect(hintsFor("roles", false)).toContain("h/l role")
  })
})

describe("a read-only session", () => {
  it("in approvals, groups and roles: the hints leave out what would change something, and its keys are refused with a message", async () => {
    harness = await openDashboard({ setup: directory, readonly: true, columns: 100 })
    const { screen } = harness
    await screen.waitFor("Users  |")
    const refusals: ReadonlyArray<readonly [string, string, string, string]> = [
      ["approvals", "Approvals  |  pending 1", "a", "approve (with a note)"],
      ["approvals", "Approvals  |  pending 1", "d", "deny (with a reason)"],
      ["groups", "Groups  |  1", "n", "new group"],
      ["roles", "Roles  |  5", "n", "new custom role"]
    ]
    for (const [view, title, key, description] of refusals) {
      const frame = await goTo(screen, view, title)
      expect(statusLine(frame)).toContain("? help")
      expect(statusLine(frame)).not.toMatch(/\b(a approve|d deny|n new)\b/)
      await screen.press(key)
      await screen.waitFor(`Read-only session: "${description}" is disabled.`)
      expect(screen.frame()).not.toMatch(/Approve this request\?|Deny this request\?|New group|New custom role/)
    }
    expect(await harness.system(Core.listApprovals({ status: "pending" }))).toHaveLength(1)
  })

  it("a writable session shows those keys in the hints", async () => {
    harness = await openDashboard({ setup: directory, columns: 100 })
    const { screen } = harness
    await screen.waitFor("Users  |")
    expect(statusLine(await goTo(screen, "approvals", "Approvals  |  pending 1"))).toContain("a approve | d deny")
    expect(statusLine(await goTo(screen, "groups", "Groups  |  1"))).toContain("n new")
  })
})
