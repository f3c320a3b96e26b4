/**
 * The acting admin's own LAST SEEN: using the dashboard is activity, noted through core's
 * `noteActivity` on a key press (at most once a minute), so the admin's row stops saying "never"
 * and another process sees the time too.
 */
import * as Core from "@usher/core"
import { keys } from "@usher/testkit"
import { afterEach, describe, expect, it } from "vitest"
import { openDashboard, type Harness } from "./harness.js"

/** The admin's row of the users list (not the header, which names who acts). */
const adminRow = (frame: string) => frame.split("\n").find((l) => l.includes("admin@acme.test") && !l.includes("as admin@acme.test")) ?? ""

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe("the acting admin's last activity", () => {
  it("a key pressed in the dashboard notes it: the row's LAST SEEN stops saying never, and other processes read it", async () => {
    harness = await openDashboard()
    const { screen } = harness
    await screen.waitFor((frame) => adminRow(frame) !== "")
    expect(adminRow(screen.frame())).toContain("never")
    await screen.press(keys.down)
    await screen.waitFor((frame) => !adminRow(frame).includes("never") && adminRow(frame).includes("ago"))
    const seen = await harness.elsewhere(Core.showUser("admin@acme.test"))
    expect(seen.user.lastActiveAt).not.toBeNull()
    // the next keys within the minute write nothing more
    await screen.press(keys.up)
    await screen.press(keys.down)
    expect((await harness.elsewhere(Core.showUser("admin@acme.test"))).user.lastActiveAt).toBe(seen.user.lastActiveAt)
  })
})
