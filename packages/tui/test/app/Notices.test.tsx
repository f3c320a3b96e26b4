import { keys } from "@usher/testkit"
import { afterEach, describe, expect, it } from "vitest"
import { openDashboard, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

// with /invite/ and the token: 79 characters, more than the 76 inside the dialog
const LONG_URL = "https://directory.internal.example-company.co.uk"

describe("text shown once", () => {
  it("a shareable link longer than the dialog stands whole on a line of its own, without border characters, at 80 columns", async () => {
    harness = await openDashboard({ columns: 80, rows: 24, publicUrl: LONG_URL })
    const { screen } = harness
    await screen.waitFor("1-1 of 1")
    await screen.press("i")
    await screen.waitFor("Invite someone")
    await screen.type("linus@acme.test")
    await screen.press(keys.tab)
    await screen.type("Linus")
    await screen.press(...Array.from({ length: 7 }, () => keys.tab), keys.right, keys.enter)
    const frame = await screen.waitFor("Shareable link for linus@acme.test")
    const link = frame.split("\n").find((l) => l.startsWith(`${LONG_URL}/invite/`))
    expect(link, frame).toBeDefined()
    expect(link!).toMatch(new RegExp(`^${LONG_URL.replace(/[./]/g, "\\$&")}/invite/[A-Za-z0-9_-]{20,}$`))
    expect(link!.length).toBeGreaterThan(76)
    expect(frame.split("\n").slice(1).join("\n")).not.toContain("~")
    expect(frame).toContain("Works once; expires")
    expect(frame.split("\n").every((l) => l.length <= 80)).toBe(true)
    await screen.press(keys.enter)
    await screen.waitFor((f) => !f.includes("Shareable link"))
  })

  it("a link wider than the terminal is wrapped, never cut, and says so", async () => {
    const wide = `${LONG_URL}/${"x".repeat(40)}`
    harness = await openDashboard({ columns: 80, rows: 24, publicUrl: wide })
    const { screen } = harness
    await screen.waitFor("1-1 of 1")
    await screen.press("i")
    await screen.type("linus@acme.test")
    await screen.press(...Array.from({ length: 8 }, () => keys.tab), keys.right, keys.enter)
    const frame = await screen.waitFor("Shareable link for linus@acme.test")
    const lines = frame.split("\n")
    const at = lines.findIndex((l) => l.startsWith("https://"))
    expect(at).toBeGreaterThan(0)
    expect(lines[at]!.length).toBe(80)
    expect(`${lines[at]}${lines[at + 1]}`).toMatch(new RegExp(`^${wide.replace(/[./]/g, "\\$&")}/invite/[A-Za-z0-9_-]{20,}$`))
    expect(frame).toContain("wrapped in 2: join them")
    expect(lines.slice(1).join("\n")).not.toContain("~")
  })
})
