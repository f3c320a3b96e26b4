import * as Core from "@usher/core"
import { activeUser } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { layoutColumns, wanting } from "../../src/app/components/layout.js"
import { columnsFor } from "../../src/app/screens/Users.js"
import { execute, openDashboard, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

// 40 characters each
const FORTY = "maria.de.los.angeles.ruiz@acme-corp.test"
const LOCKED = "bartholomew.vanderbilt.3@subsidiary.test"

const row = (frame: string, email: string) => frame.split("\n").slice(2).find((l) => l.includes(email.slice(0, 20))) ?? ""

describe("e-mails in the users list at 80 columns", () => {
  it("an e-mail of 40 characters shows whole; the name and roles are cut first", async () => {
    expect(FORTY).toHaveLength(40)
    harness = await openDashboard({
      columns: 80,
      rows: 24,
      setup: activeUser({ email: FORTY, firstName: "Maria de los Angeles", lastName: "Ruiz", roles: ["user-manager", "auditor"] })
    })
    const frame = await harness.screen.waitFor("1-2 of 2")
    expect(row(frame, FORTY)).toContain(FORTY)
    expect(row(frame, FORTY)).toMatch(/Maria d\S*~/)
    expect(frame).toContain("ROLES")
    expect(frame.split("\n").every((l) => l.length <= 80)).toBe(true)
  })

  it("also beside suspended:locked (roles give way), and in every order the list can be sorted in", async () => {
    expect(LOCKED).toHaveLength(40)
    harness = await openDashboard({
      columns: 80,
      rows: 24,
      setup: Effect.gen(function*() {
        yield* activeUser({ email: FORTY, firstName: "Maria", lastName: "Ruiz" })
        yield* activeUser({ email: LOCKED, firstName: "Bartholomew", lastName: "Vanderbilt" })
        yield* Core.suspendUser(LOCKED, { reason: "audit" })
        yield* execute(`UPDATE users SET locked_at = '${new Date().toISOString()}' WHERE email = '${LOCKED}'`)
      })
    })
    const { screen } = harness
    let frame = await screen.waitFor("1-3 of 3")
    expect(row(frame, LOCKED)).toContain(LOCKED)
    expect(row(frame, LOCKED)).toContain("suspended:locked")
    expect(row(frame, FORTY)).toContain(FORTY)
    for (const [key, sort] of [["P", "phone"], ["R", "registered"], ["L", "last active"]] as const) {
      await screen.press(key)
      frame = await screen.waitFor(`sort ${sort}`)
      expect(row(frame, LOCKED), frame).toContain(LOCKED)
      expect(frame.split("\n").every((l) => l.length <= 80)).toBe(true)
    }
  })

  it("the layout: at 80 columns the e-mail gets 40 cells whenever its cells need them", () => {
    const cells = (email: string, status = "active") => ({ key: email, cells: ["Someone With A Long Name", email, "-", status, "user-manager, auditor", "2024-01-01", "never"] })
    for (const status of ["active", "suspended:locked"]) {
      const columns = columnsFor("name", [cells(FORTY, status)])
      const widths = layoutColumns(wanting(columns, [cells(FORTY, status)]), 78)
      expect(widths[1], status).toBeGreaterThanOrEqual(40)
      expect(widths[3]).toBeGreaterThanOrEqual(status.length)
    }
  })
})
