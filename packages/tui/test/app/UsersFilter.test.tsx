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
  yield* Core.createGroup({ name: "ops" })
  yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace", roles: ["auditor"] })
  yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" })
})

/** The users view's title line. */
const title = (frame: string) => frame.split("\n")[1] ?? ""

describe("the users filter prompt", () => {
  it("a role: token being typed does not complain; a finished token (a space) or the kept filter (enter) does", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-3 of 3")
    await screen.press("/")
    await screen.type("role:t")
    // core's answer came (the note says so), and its complaint waits
    const typing = await screen.waitFor((f) => title(f).includes("filter role:t (incomplete)"))
    expect(typing).not.toContain("No role named")
    await screen.press(keys.space)
    await screen.waitFor((f) => title(f).includes("No role named t."), { what: "the complaint once the token is finished" })
    await screen.press(keys.backspace)
    await screen.waitFor((f) => title(f).includes("filter role:t (incomplete)"))
    await screen.press(keys.enter)
    await screen.waitFor((f) => title(f).includes("No role named t."), { what: "the complaint once the filter is kept" })
    await screen.press("/", keys.ctrl("u"))
    await screen.type("role:auditor")
    const found = await screen.waitFor((f) => title(f).includes("1-1 of 1") && title(f).includes("filter role:auditor"))
    expect(rowOf(found, "ada@acme.test")).not.toBe("")
    expect(found).not.toContain("No role named")
  })

  it("an error of one filter goes when the next filter's rows show, also those of a list read before", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-3 of 3")
    // each filter pasted in one piece (as over SSH): the list keeps the rows it read for it
    await screen.press("/", "lovelace", keys.enter)
    await screen.waitFor((f) => title(f).includes("1-1 of 1  |  filter lovelace"))
    await screen.press("/", keys.ctrl("u"), "group:nope", keys.enter)
    await screen.waitFor((f) => title(f).includes("No group"))
    await screen.press("/", keys.ctrl("u"), "lovelace", keys.enter)
    const back = await screen.waitFor((f) => title(f).includes("1-1 of 1  |  filter lovelace"), { what: "the list read before, without the old error" })
    expect(back).not.toContain("No group")
  })

  it("no match: inside the prompt it says ctrl+u clears and esc restores; once kept, esc clears it", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-3 of 3")
    await screen.press("/")
    await screen.type("zzzz")
    const typing = await screen.waitFor("No users match the filter (ctrl+u clears it; esc puts back the one before).")
    expect(typing).not.toContain("esc clears it")
    await screen.press(keys.enter)
    await screen.waitFor("No users match the filter (esc clears it).")
    await screen.press(keys.escape)
    await screen.waitFor("1-3 of 3")
  })

  it("the help says that space moves the cursor down after marking", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-3 of 3")
    await screen.press("?")
    await screen.waitFor((f) => /space\s+mark \/ unmark the row, then move down/.test(f))
  })
})
