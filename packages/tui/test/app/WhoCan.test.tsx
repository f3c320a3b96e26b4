import * as Core from "@usher/core"
import { activeUser, keys } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { openDashboard, rowOf, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const directory = Effect.gen(function*() {
  yield* activeUser({ email: "ann@acme.test", firstName: "Ann", lastName: "Auditor", roles: ["auditor"] })
  yield* activeUser({ email: "cy@acme.test", firstName: "Cy", lastName: "Ops" })
  yield* Core.createGroup({ name: "ops" })
  yield* Core.addGroupMembers("ops", ["cy@acme.test"])
  yield* Core.grantRole({ role: "approver", to: { group: "acme/ops" }, scope: "org:acme" })
})

describe(":whocan in the dashboard", () => {
  it("lists who holds a permission at a scope with the paths, updates live, and enter opens a holder", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await screen.press(":")
    await screen.type("whoc")
    await screen.press(keys.tab)
    await screen.type(" audit.read org:acme")
    await screen.press(keys.enter)
    let frame = await screen.waitFor("Who can audit.read at org:acme  |  3")
    expect(rowOf(frame, "ann@acme.test")).toContain("auditor@org:acme")
    expect(rowOf(frame, "cy@acme.test")).toContain("acme/ops → approver@org:acme")
    expect(frame.split("\n").find((l) => l.includes("provider-admin@provider"))).toContain("admin@acme.test")
    await harness.elsewhere(Core.revokeRole({ role: "auditor", from: { user: "ann@acme.test" }, scope: "org:acme" }))
    frame = await screen.waitFor("Who can audit.read at org:acme  |  2", { timeout: 2000 })
    expect(frame).not.toContain("ann@acme.test")
    await screen.press("G", keys.enter)
    await screen.waitFor("User cy@acme.test")
  })

  it("without a permission it says how; a wrong one shows core's words", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await screen.press(":")
    await screen.type("whocan")
    await screen.press(keys.enter)
    await screen.waitFor("Say which permission, and where: :whocan PERMISSION [SCOPE]")
    await screen.press(":")
    await screen.type("whocan not-a-permission")
    await screen.press(keys.enter)
    await screen.waitFor((f) => f.includes("Who can") && /permission/i.test(f.split("\n")[1] ?? ""))
  })
})
