import * as Core from "@usher/core"
import { keys, type Screen } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { openDashboard, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const BUILT_IN = ["approver", "auditor", "org-admin", "provider-admin", "user-manager"]

/** What the matrix shows for a permission under a role's name: "x", "." or undefined when the role's column is not on screen. */
const cellOf = (frame: string, permission: string, role: string): string | undefined => {
  const lines = frame.split("\n")
  const header = lines.find((l) => l.startsWith("PERMISSION"))!
  const at = header.search(new RegExp(`(?<=\\s)${role.replace(/[-.]/g, "\\$&")}(?=\\s|$)`))
  if (at < 0) return undefined
  return lines.find((l) => l.startsWith(`${permission} `))?.slice(at, at + role.length).trim()
}

const openRoles = async (screen: Screen, count = 5) => {
  await screen.waitFor("1-1 of 1")
  await screen.press(":")
  await screen.type("roles")
  await screen.press(keys.enter)
  return screen.waitFor((f) => f.includes(`Roles  |  ${count}  |`) && f.includes("PERMISSION") && f.includes("users.read "))
}

describe("the roles matrix", () => {
  for (const [columns, rows] of [[80, 24], [160, 50]] as const) {
    it(`at ${columns}x${rows}: one row per permission, one column per role headed by its whole name; every cell can be read`, async () => {
      harness = await openDashboard({ columns, rows })
      const frame = await openRoles(harness.screen)
      expect(frame.split("\n").every((l) => l.length <= columns)).toBe(true)
      expect(frame.split("\n").length).toBeLessThan(rows)
      const roles = await harness.system(Core.listRoles)
      for (const role of BUILT_IN) expect(cellOf(frame, "users.read", role), role).toBe("x")
      // every permission row on screen agrees with core, cell by cell
      const shown = Core.Permissions.catalog.filter((p) => frame.split("\n").some((l) => l.startsWith(`${p} `)))
      expect(shown.length).toBeGreaterThanOrEqual(columns === 80 ? 10 : 22)
      for (const permission of shown) {
        for (const role of roles) expect(cellOf(frame, permission, role.name), `${permission} / ${role.name}`).toBe(role.permissions.includes(permission) ? "x" : ".")
      }
      // the last rows, reached with G: only the provider admin manages settings
      await harness.screen.press("G")
      const end = await harness.screen.waitFor("settings.manage: held by provider-admin")
      expect(BUILT_IN.map((role) => cellOf(end, "settings.manage", role))).toEqual([".", ".", ".", "x", "."])
    })
  }

  it("at 80 columns more roles than fit scroll sideways with h/l, names whole, and say that more are hidden", async () => {
    harness = await openDashboard({
      columns: 80,
      rows: 24,
      setup: Effect.forEach(["expenses-controller", "travel-desk-approver", "warehouse-supervisor"], (name) =>
        Core.createRole({ name, permissions: ["users.read", `${name.split("-")[0]}.approve`] }))
    })
    const { screen } = harness
    let frame = await openRoles(screen, 8)
    expect(frame).toMatch(/PERMISSION .* >$/m)
    await screen.press(...Array.from({ length: 7 }, () => "l"))
    frame = await screen.waitFor("warehouse-supervisor - no description")
    expect(frame).toMatch(/PERMISSION\s+<?.*warehouse-supervisor/)
    expect(cellOf(frame, "users.read", "warehouse-supervisor")).toBe("x")
    expect(cellOf(frame, "users.invite", "warehouse-supervisor")).toBe(".")
    expect(cellOf(frame, "users.read", "approver")).toBeUndefined()
    expect(frame.split("\n").every((l) => l.length <= 80)).toBe(true)
    // application permissions are rows of their own, after the catalog
    await screen.press("G")
    frame = await screen.waitFor("warehouse.approve: held by warehouse-supervisor")
    expect(cellOf(frame, "warehouse.approve", "warehouse-supervisor")).toBe("x")
  })
})
