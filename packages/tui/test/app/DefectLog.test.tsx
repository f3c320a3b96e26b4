import * as Core from "@usher/core"
import { activeUser, keys } from "@usher/testkit"
import { Cause } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { DEFECT_LOG_FILE, defectLog } from "../../src/app/runtime/defectLog.js"
import { execute, openDashboard, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe("the dashboard logs the defects it says were logged", () => {
  it("a broken database: the screen shows the generic message, and the log in the data directory holds the cause", async () => {
    harness = await openDashboard({ setup: activeUser({ email: "sam@acme.test", firstName: "Sam", lastName: "One" }) })
    const { screen, temp } = harness
    const log = join(temp.dir, DEFECT_LOG_FILE)
    await screen.waitFor("1-2 of 2")
    await screen.press("j", keys.enter)
    await screen.waitFor("Effective permissions")
    expect(existsSync(log), "nothing logged before anything went wrong").toBe(false)
    await harness.elsewhere(execute("ALTER TABLE grants RENAME TO grants_gone"))
    // leaving an organization reads the user's memberships from core first (revoke answers from the detail on screen)
    await screen.press("<")
    const frame = await screen.waitFor((f) => f.includes("error: "))
    expect(frame).toContain("Details were logged")
    const written = readFileSync(log, "utf8")
    expect(written).toMatch(/^\d{4}-\d\d-\d\dT\S+Z /)
    expect(written).toContain("SqlError")
    expect(written).toContain("    at ")
    expect(statSync(log).mode & 0o777).toBe(0o600)
  })

  it("a typed error is the person's to read, not a defect: nothing is logged", async () => {
    harness = await openDashboard()
    const outcome = await harness.dashboard.run(Core.showUser("nobody@acme.test"))
    expect(outcome.ok ? "" : outcome.error._tag).toBe("UserNotFound")
    expect(existsSync(join(harness.temp.dir, DEFECT_LOG_FILE))).toBe(false)
  })

  it("appends one entry per defect; without a data directory, to standard error", () => {
    const dir = mkdtempSync(join(tmpdir(), "usher-defects-"))
    try {
      const log = defectLog(join(dir, "data"))
      log(Cause.die(new Error("first")))
      log(Cause.die(new Error("second")))
      const text = readFileSync(join(dir, "data", DEFECT_LOG_FILE), "utf8")
      expect(text.indexOf("first")).toBeGreaterThan(0)
      expect(text.indexOf("second")).toBeGreaterThan(text.indexOf("first"))
      const seen: Array<string> = []
      defectLog(null, (line) => seen.push(line))(Cause.die(new Error("third")))
      expect(seen.join("")).toContain("third")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
