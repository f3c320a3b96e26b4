import * as Core from "@usher/core"
import { keys } from "@usher/testkit"
import { afterEach, describe, expect, it } from "vitest"
import { openDashboard, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe("first run", () => {
  it("an empty directory opens the setup screen; it creates the first organization and provider admin, then acts as them", async () => {
    harness = await openDashboard({ empty: true })
    const { screen } = harness
    await screen.waitFor("this directory is empty")
    expect(screen.frame()).toContain("as nobody yet")
    await screen.type("not-an-email")
    await screen.press(keys.enter, keys.enter, keys.enter, keys.enter, keys.enter)
    await screen.waitFor(`"not-an-email" is not a valid e-mail address.`)
    await screen.press(keys.shiftTab, keys.shiftTab, keys.shiftTab, keys.shiftTab, keys.ctrl("u"))
    await screen.type("root@example.org")
    await screen.press(keys.tab, keys.tab, keys.tab)
    await screen.type("example")
    await screen.press(keys.tab)
    await screen.type("Example Org")
    await screen.press(keys.enter)
    await screen.waitFor("Directory set up; you act as root@example.org.")
    await screen.waitFor("as root@example.org")
    await screen.waitFor("1-1 of 1")
    const [org] = await harness.system(Core.listOrgs)
    expect([org?.slug, org?.name, org?.isDefault]).toEqual(["example", "Example Org", true])
    const audit = await harness.system(Core.listAudit({ limit: 1 }))
    expect([audit[0]?.action, audit[0]?.via]).toEqual(["directory.init", "tui"])
  })

  it("esc does not leave the setup and q types into the field: nothing typed is lost", async () => {
    harness = await openDashboard({ empty: true })
    const { screen } = harness
    await screen.waitFor("this directory is empty")
    await screen.type("quinn@example.org")
    await screen.press("q", keys.escape)
    let frame = await screen.waitFor("esc does not leave the setup")
    expect(frame).toContain("quinn@example.orgq")
    await screen.press(keys.backspace, keys.enter)
    frame = await screen.waitFor((f) => /First name\s+Provider/.test(f) && f.includes("quinn@example.org ") && !f.includes("example.orgq"))
    expect(frame).toContain("ctrl+c quit")
    expect(frame).not.toContain("esc cancel")
  })

  it("a read-only session on an empty directory says it cannot set it up", async () => {
    harness = await openDashboard({ empty: true, readonly: true })
    await harness.screen.waitFor("a read-only session cannot set it up")
    expect(await harness.system(Core.listOrgs)).toEqual([])
  })
})
