import { activeUser, keys } from "@usher/testkit"
import { afterEach, describe, expect, it } from "vitest"
import { execute, openDashboard, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const fits = (frame: string) => {
  expect(frame.split("\n").length, frame).toBeLessThan(24)
  for (const l of frame.split("\n")) expect(l.length, frame).toBeLessThanOrEqual(80)
}

/** The frame's lines from `from` on, joined with single spaces (a wrapped message reads whole). */
const joined = (lines: ReadonlyArray<string>) => lines.map((l) => l.trim()).join(" ")

describe("long messages at 80 columns", () => {
  it("a core error longer than the status line wraps onto the lines above it, whole; the frame keeps its height; the next key clears it", async () => {
    harness = await openDashboard({
      columns: 80,
      rows: 24,
      setup: activeUser({ email: "someone.with.a.long.address@subsidiary.acme.test", firstName: "Sam", lastName: "One" })
    })
    const { screen } = harness
    await screen.waitFor("1-2 of 2")
    await screen.press("j", keys.enter)
    await screen.waitFor("Effective permissions")
    // the database breaks under the dashboard: core's answer to the next action is its generic message (85 characters)
    const message = "Something went wrong inside usher; nothing was changed. Details were logged."
    await harness.elsewhere(execute("ALTER TABLE grants RENAME TO grants_gone"))
    // leaving an organization reads the user's memberships from core first (revoke answers from the detail on screen)
    await screen.press("<")
    const frame = await screen.waitFor((f) => f.includes("error: "))
    fits(frame)
    const lines = frame.split("\n")
    const at = lines.findIndex((l) => l.startsWith("error: "))
    expect(lines.length - at, frame).toBeGreaterThanOrEqual(2)
    expect(joined(lines.slice(at)), frame).toContain(`error: ${message}`)
    expect(lines.slice(at).join("\n")).not.toContain("~")
    expect(lines.length).toBe(23)
    await screen.press("j")
    const after = await screen.waitFor((f) => !f.includes("error: "))
    expect(after.split("\n").at(-1)).toMatch(/^\? help/)
    expect(after.split("\n")).toHaveLength(23)
  })

  it("a long refusal of the filter (core's) is wrapped under the title, not cut", async () => {
    harness = await openDashboard({ columns: 80, rows: 24 })
    const { screen } = harness
    await screen.waitFor("1-1 of 1")
    await screen.press("/")
    await screen.type("status:retired")
    await screen.press(keys.enter)
    const frame = await screen.waitFor("Invalid status filter")
    fits(frame)
    const lines = frame.split("\n")
    const at = lines.findIndex((l) => l.includes("Invalid status filter"))
    expect(joined(lines.slice(at, at + 3))).toMatch(/"retired" is not one of invited, provisioned, active, suspended(, deleted)?/)
    expect(lines.slice(at, at + 3).join("\n")).not.toContain("~")
  })
})
