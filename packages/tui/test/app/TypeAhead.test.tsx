import * as Core from "@usher/core"
import { activeUser, keys } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { openDashboard, rowOf, type Harness, goTo } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

// Keys typed ahead arrive in one chunk over SSH (`ja`, `jj` + enter): each must act on the row the
// keys before it moved to, never on the row the last frame showed.

const directory = Effect.gen(function*() {
  yield* Core.createGroup({ name: "ops" })
  yield* Core.createGroup({ name: "payroll" })
  yield* Core.createGroup({ name: "zeta" })
  yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper", roles: ["approver", "auditor"] })
  yield* activeUser({ email: "mia@acme.test", firstName: "Mia", lastName: "Manager", roles: ["user-manager"], scope: "provider" })
  yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace" })
  yield* activeUser({ email: "alan@acme.test", firstName: "Alan", lastName: "Turing" })
})

/** The e-mail addresses on the lines of a frame that mention a text, top to bottom. */
const emailsOn = (frame: string, text: string) =>
  frame.split("\n").filter((l) => l.includes(text)).map((l) => /Delete the account (\S+@\S+)/.exec(l)?.[1] ?? "")

describe("keys typed ahead in one chunk", () => {
  it("approvals: `ja` opens Approve for the second request, the one under the moved cursor", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await harness.system(Core.deleteUser("ada@acme.test", { reason: "left" }).pipe(Core.asUser("mia@acme.test", "cli")))
    await harness.system(Core.deleteUser("alan@acme.test", { reason: "left too" }).pipe(Core.asUser("mia@acme.test", "cli")))
    await screen.waitFor("Users  |")
    const frame = await goTo(screen, "approvals", "pending 2")
    const [first, second] = emailsOn(frame, "Delete the account")
    expect([first, second].sort()).toEqual(["ada@acme.test", "alan@acme.test"])
    await screen.press("ja")
    const form = await screen.waitFor("Approve this request?")
    expect(form).toContain(`Delete the account ${second}`)
    expect(form).not.toContain(`Delete the account ${first}`)
  })

  it("groups: `jj` + enter lists the members of the third group", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    const frame = await goTo(screen, "groups", "Groups  |  3")
    const order = frame.split("\n").map((l) => /acme\/(\w+)/.exec(l)?.[1]).filter((g) => g !== undefined)
    expect(order).toHaveLength(3)
    await screen.press("jj\r")
    await screen.waitFor(`filter group:acme/${order[2]}`)
  })

  it("bulk menu: `b` `j` enter in one chunk picks the second item (reactivate)", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-5 of 5")
    await screen.press(keys.space, keys.space)
    await screen.waitFor("2 marked")
    await screen.press("bj\r")
    await screen.waitFor("Reactivate 2 marked users")
  })

  it("revoke-role menu: `j` enter in one chunk picks the second role", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await screen.press("/")
    await screen.type("hopper")
    await screen.waitFor("1-1 of 1")
    await screen.press(keys.enter, keys.enter)
    await screen.waitFor((f) => f.includes("Direct grants (2)") && !f.includes("loading..."))
    await screen.press("x")
    const menu = await screen.waitFor("Revoke which role of grace@acme.test?")
    const roles = menu.split("\n").map((l) => /\b(approver|auditor)@org:acme/.exec(l)?.[1]).filter((r) => r !== undefined)
    expect(roles).toHaveLength(2)
    await screen.press("j\r")
    await screen.waitFor(`Revoke ${roles[1]}@org:acme from grace@acme.test?`)
    expect(rowOf(screen.frame(), "Revoke ")).not.toContain(`${roles[0]}@`)
  })

  it("`/` then ctrl+u in one chunk opens the filter and clears it", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-5 of 5")
    await screen.press("/")
    await screen.type("lovelace")
    await screen.press(keys.enter)
    await screen.waitFor((f) => f.includes("filter lovelace") && f.includes("1-1 of 1"))
    await screen.press(`/${keys.ctrl("u")}`)
    await screen.waitFor((f) => f.includes("1-5 of 5") && !f.includes("filter lovelace"), { what: "ctrl+u to clear the filter" })
  })

  it("esc then `/ada` in one chunk closes the dialog and filters: the letters never act as keys of the view", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-5 of 5")
    await screen.press(":")
    await screen.waitFor((f) => f.includes(":"))
    await screen.press(`${keys.escape}/lovelace`)
    await screen.waitFor((f) => f.includes("1-1 of 1") && f.includes("ada@acme.test"), { what: "the filter typed after esc" })
  })
})
