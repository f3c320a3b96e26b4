import * as Core from "@usher/core"
import { activeUser, keys } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { headerText } from "../../src/app/components/Header.js"
import { execute, openDashboard, rowOf, type Harness, goTo, statusLine } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const LONG = "katherine.johnson.1918@acme.example"

const directory = Effect.gen(function*() {
  yield* activeUser({ email: LONG, firstName: "Katherine", lastName: "Johnson" })
  yield* activeUser({ email: "mia.manager.longname@acme.example", firstName: "Mia", lastName: "Manager", roles: ["user-manager"], scope: "provider" })
  yield* activeUser({ email: "frances.adeyemi.193@acme.example", firstName: "Frances", lastName: "Adeyemi" })
  yield* activeUser({ email: "chen.adeyemi.84@acme.example", firstName: "Chen", lastName: "Adeyemi" })
  yield* Core.suspendUser(LONG, { reason: "on leave" })
  yield* execute(`UPDATE users SET locked_at = '${new Date().toISOString()}' WHERE email = '${LONG}'`)
})

describe("at 80x24", () => {
  it("the status line starts with help and the views, and shows whole hints only", async () => {
    harness = await openDashboard({ setup: directory, columns: 80, rows: 24 })
    const { screen } = harness
    const frame = await screen.waitFor("1-5 of 5")
    expect(statusLine(frame)).toMatch(/^\? help \| : views \| /)
    expect(statusLine(frame)).toContain("q quit")
    expect(statusLine(frame)).not.toContain("~")
  })

  it("the e-mail is shown whole while status and roles keep to what they show; suspended:locked is never cut", async () => {
    harness = await openDashboard({ setup: directory, columns: 80, rows: 24 })
    const { screen } = harness
    let frame = await screen.waitFor("1-5 of 5")
    for (const email of ["frances.adeyemi.193@acme.example", "chen.adeyemi.84@acme.example"]) expect(rowOf(frame, email)).toContain(email)
    expect(rowOf(frame, LONG)).toContain("suspended:locked")
    screen.resize(160, 50)
    frame = await screen.waitFor("PHONE")
    expect(rowOf(frame, "Katherine")).toContain(LONG)
    expect(rowOf(frame, "Katherine")).toContain("suspended:locked")
  })

  it("approvals: two deletions differ in the action column (the requester goes first)", async () => {
    harness = await openDashboard({ setup: directory, columns: 80, rows: 24 })
    const { screen } = harness
    for (const email of ["frances.adeyemi.193@acme.example", "chen.adeyemi.84@acme.example"]) {
      await harness.system(Core.deleteUser(email, { reason: "left" }).pipe(Core.asUser("mia.manager.longname@acme.example", "cli")))
    }
    await screen.waitFor("Users  |")
    const frame = await goTo(screen, "approvals", "pending 2")
    expect(frame).toContain("Delete the account frances.adeyemi.193@acme.example")
    expect(frame).toContain("Delete the account chen.adeyemi.84@acme.example")
    expect(frame).not.toContain("REQUESTED BY")
    expect(frame.split("\n")[1]!.trimEnd()).toBe("Approvals  |  pending 2")
  })

  it("the setup screen and an open dialog show their own keys, never q quit", async () => {
    harness = await openDashboard({ empty: true, columns: 80, rows: 24 })
    let frame = await harness.screen.waitFor((f) => f.includes("this directory is empty") && f.split("\n").every((l) => l.length <= 80))
    expect(statusLine(frame)).toContain("ctrl+c quit")
    expect(statusLine(frame)).not.toContain("q quit")
    expect(frame).toMatch(/\(the account you will act\s*\n\s*as\)\./)
    await harness.close()
    harness = await openDashboard({ setup: directory, columns: 80, rows: 24 })
    await harness.screen.waitFor("1-5 of 5")
    await harness.screen.press("i")
    frame = await harness.screen.waitFor("Invite someone")
    expect(statusLine(frame)).toMatch(/^enter next \/ submit \| tab\/shift\+tab fields \| esc cancel/)
    expect(statusLine(frame)).not.toContain("quit")
  })

  it("the detail view wraps the invitation line instead of cutting its expiry", async () => {
    harness = await openDashboard({
      columns: 80,
      rows: 40,
      setup: Core.inviteUser({ email: "longname.person.for-testing@acme.example", firstName: "Long", lastName: "Name" })
    })
    const { screen } = harness
    await screen.waitFor("1-2 of 2")
    await screen.press("/")
    await screen.type("longname")
    await screen.waitFor("1-1 of 1")
    await screen.press(keys.enter, keys.enter)
    const frame = await screen.waitFor((f) => f.includes("Invitation") && !f.includes("loading..."))
    expect(frame).toMatch(/pending \| email \| to acme by \S+ \| sent 1× \(last [\d-]+ [\d:]+\) \|\n\s+expires \d{4}-\d\d-\d\d \d\d:\d\d/)
    expect(frame.split("\n").every((l) => l.length <= 80)).toBe(true)
  })

  it("the header always names the database, cut at its start with an ellipsis, also read-only with a long actor", async () => {
    harness = await openDashboard({ setup: directory, columns: 80, rows: 24, readonly: true, actor: "mia.manager.longname@acme.example" })
    const frame = await harness.screen.waitFor("READ-ONLY")
    const header = frame.split("\n")[0]!
    expect(header).toMatch(harness.temp.location.engine === "pg" ? /db …\/postgres\s*$/ : /db …\/usher\.db\s*$/)
    expect(header).not.toContain("~")
    const text = (who: string, path: string, width: number) => headerText({ readonly: true, who, pending: "2 pending approvals", path }, width)
    expect(text("a@acme.test", "/srv/usher/u.db", 120)).toBe(" usher  |  READ-ONLY  |  as a@acme.test  |  2 pending approvals  |  db /srv/usher/u.db")
    expect(text("a@acme.test", "/home/someone/directories/acme/u.db", 80)).toMatch(/db …[\w/]*\/u\.db$/)
    expect(text("a@acme.test", "/home/someone/directories/acme/u.db", 80)).toHaveLength(80)
    expect(text("a-very-long-actor-address@subsidiary.acme.example", "/home/someone/directories/acme/u.db", 80)).toMatch(/as a-very.*…  \|.*db …\/u\.db$/)
  })
})
