import * as Core from "@usher/core"
import { activeUser, keys } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { flat, openDashboard, rowOf, selectedLine, type Harness, goTo } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const directory = Effect.gen(function*() {
  yield* Core.createOrg({ slug: "beta", name: "Beta Corp" })
  yield* Core.createGroup({ name: "ops" })
  yield* Core.createGroup({ name: "night shift", org: "beta" })
  yield* Core.grantRole({ role: "auditor", to: { group: "ops" } })
  yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" })
  yield* Core.addGroupMembers("ops", ["grace@acme.test"])
  yield* activeUser({ email: "mia@acme.test", firstName: "Mia", lastName: "Manager", roles: ["user-manager"], scope: "provider" })
  yield* activeUser({ email: "ida@acme.test", firstName: "Ida", lastName: "Approver", roles: ["approver"] })
  yield* activeUser({ email: "barbara@beta.test", firstName: "Barbara", lastName: "Liskov", org: "beta" })
  yield* Core.addGroupMembers("night shift", ["barbara@beta.test"], "beta")
})

/** Goes to a view through command mode. */

describe("views reached by command mode", () => {
  it("completes view names with tab (again: the next match) and refuses unknown ones", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await screen.press(":")
    await screen.type("ap")
    await screen.waitFor("apps approvals")
    await screen.press(keys.tab)
    await screen.waitFor(":apps")
    await screen.press(keys.tab)
    await screen.waitFor(":approvals")
    await screen.press(keys.enter)
    await screen.waitFor("Approvals  |  pending 0")
    await screen.press(":")
    await screen.type("nonsense")
    await screen.waitFor("(no such view)")
    await screen.press(keys.enter)
    await screen.waitFor('No view "nonsense"')
    await screen.press(keys.escape)
    await screen.waitFor("Users  |", { what: "esc from a view back to users" })
  })

  it("groups: members and roles; enter lists the members in the users view; n creates a group", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    const frame = await goTo(screen, "groups", "Groups  |  2")
    expect(rowOf(frame, "acme/ops")).toMatch(/acme\/ops\s+1\s+auditor@org:acme/)
    expect(rowOf(frame, "beta/night shift")).toMatch(/beta\/night shift\s+1\s+-/)
    await screen.press("j", keys.enter)
    await screen.waitFor(`filter group:"beta/night shift"`)
    await screen.waitFor((f) => rowOf(f, "barbara@beta.test") !== "" && f.includes("1-1 of 1"))
    await screen.press(keys.escape)
    await screen.waitFor("Groups  |  2")
    await screen.press("n")
    await screen.type("finance")
    await screen.press(keys.enter, keys.enter)
    await screen.waitFor("Created group acme/finance.")
    await screen.waitFor("Groups  |  3")
  })

  it("roles: the permission matrix with a row and a column cursor; n creates a custom role with application permissions", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    const frame = await goTo(screen, "roles", "Roles  |  5")
    expect(rowOf(frame, "PERMISSION")).toMatch(/PERMISSION\s+approver auditor org-admin provider-admin user-manager/)
    expect(rowOf(frame, "users.read ")).toMatch(/users\.read\s+x\s+x\s+x\s+x\s+x/)
    expect(frame).toContain("users.read: held by approver, auditor, org-admin, provider-admin, user-manager")
    await screen.press("j", "j", "j", "j")
    await screen.waitFor("users.suspend: held by org-admin, provider-admin, user-manager")
    await screen.press("k")
    await screen.waitFor("users.update: held by")
    await screen.press("l")
    await screen.waitFor("auditor (built-in) - Reads users, roles, groups and the audit log.")
    await screen.press("n")
    await screen.type("ExpensesController")
    await screen.press(keys.tab)
    await screen.type("Approves expenses")
    await screen.press(keys.tab)
    await screen.type("expenses.approve, users.read")
    await screen.press(keys.enter)
    await screen.waitFor("Created role ExpensesController with 2 permissions.")
    await screen.waitFor("Roles  |  6  |  23 permissions")
    await screen.press("G")
    await screen.waitFor("expenses.approve: held by ExpensesController")
  })

  it("organizations: members counted; enter lists the members; n creates one; apps: n creates one", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    const frame = await goTo(screen, "orgs", "Organizations  |  2")
    expect(rowOf(frame, "acme ")).toMatch(/acme\s+Acme\s+4\s+yes/)
    await screen.press("j", keys.enter)
    await screen.waitFor("filter org:beta")
    await screen.waitFor("1-1 of 1")
    await screen.press(keys.escape)
    await screen.press("n")
    await screen.type("gamma")
    await screen.press(keys.tab)
    await screen.type("Gamma Inc")
    await screen.press(keys.enter)
    await screen.waitFor("Created organization gamma.")
    await screen.waitFor("Organizations  |  3")
    await goTo(screen, "apps", "Apps  |  0")
    await screen.press("n")
    await screen.type("acme/expenses")
    await screen.press(keys.tab)
    await screen.type("Expenses")
    await screen.press(keys.enter)
    await screen.waitFor("Created app acme/expenses.")
    await screen.waitFor((f) => rowOf(f, "acme/expenses").includes("app:acme/expenses"))
  })

  it("approvals: a request filed elsewhere appears live; approve with a note carries it out; deny needs a reason; your own is refused", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "approvals", "Approvals  |  pending 0")
    await harness.elsewhere(Core.deleteUser("barbara@beta.test", { reason: "left Beta" }), "mia@acme.test")
    const frame = await screen.waitFor("Approvals  |  pending 1", { timeout: 1000 })
    expect(rowOf(frame, "mia@acme.test")).toMatch(/\d+s\s+mia@acme\.test\s+Delete the account barbara@beta\.test\s+left Beta\s+pending/)
    await screen.waitFor("1 pending approval")
    await harness.elsewhere(Core.deleteUser("grace@acme.test", { reason: "duplicate account" }), "mia@acme.test")
    await screen.waitFor("Approvals  |  pending 2")
    await screen.press(keys.enter)
    await screen.waitFor("scopes: org:acme")
    await screen.press(keys.enter)
    await screen.press("d")
    await screen.waitFor("Deny this request?")
    await screen.press(keys.enter)
    await screen.waitFor((f) => flat(f).includes("Give a reason for denying"), { what: "a deny without a reason refused by core" })
    await screen.type("keep her")
    await screen.press(keys.enter)
    await screen.waitFor("Denied: Delete the account grace@acme.test.")
    await screen.waitFor("Approvals  |  pending 1")
    await screen.press("a")
    await screen.waitFor("Approve this request?")
    await screen.type("confirmed with HR")
    await screen.press(keys.enter)
    await screen.waitFor("Approved and done: Delete the account barbara@beta.test.")
    await screen.waitFor("Approvals  |  pending 0")
    await screen.press("0")
    const all = await screen.waitFor("Approvals  |  all 2")
    expect(rowOf(all, "barbara@beta.test")).toContain("executed")
    expect(rowOf(all, "grace@acme.test")).toContain("denied")
    await expect(harness.system(Core.showUser("barbara@beta.test"))).rejects.toThrow()

    await screen.press(":")
    await screen.type("users")
    await screen.press(keys.enter)
    await screen.waitFor("Users  |")
    await screen.press("/")
    await screen.type("hopper")
    await screen.press(keys.enter, keys.enter)
    await screen.waitFor("Effective permissions")
    await screen.press(keys.ctrl("d"))
    await screen.type("grace@acme.test")
    await screen.press(keys.tab)
    await screen.type("asked myself")
    await screen.press(keys.enter)
    await screen.waitFor("Deletion requested")
    await goTo(screen, "approvals", "Approvals  |  pending 1")
    // core's check refuses your own before the note is asked for
    await screen.press("a")
    await screen.waitFor((f) => /You filed request \S+ yourself; someone else must/.test(flat(f)))
    expect(screen.frame()).not.toContain("Approve this request?")
    await screen.press("c", keys.enter)
    await screen.waitFor("Withdrawn: Delete the account grace@acme.test.")
  })

  it("audit: a live tail of every change, filtered by words; enter shows an event", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "audit", "Audit (live)")
    await harness.elsewhere(Core.suspendUser("grace@acme.test", { reason: "tail me" }))
    await screen.waitFor((f) => selectedLine(screen)?.includes("user.suspend") === true && rowOf(f, "user.suspend").includes("grace@acme.test"), {
      timeout: 1000,
      what: "the new event on top, without a key press"
    })
    await screen.press("/")
    await screen.type("group.member")
    await screen.press(keys.enter)
    // the title says so while the filtered events are on their way
    const filtered = await screen.waitFor((f) => f.includes("filter group.member") && !f.includes("(filtering)"))
    expect(filtered).not.toContain("user.suspend")
    expect(rowOf(filtered, "barbara@beta.test")).toContain("group.member.add")
    await screen.press(keys.escape)
    await screen.waitFor("user.suspend")
    await screen.press(keys.enter)
    const event = await screen.waitFor("Audit event #")
    expect(event).toContain("reason: tail me")
    expect(event).toContain("hash ")
  })

  it("outbox: mail the directory sent; enter reads one", async () => {
    harness = await openDashboard({ setup: Effect.zipRight(directory, Core.inviteUser({ email: "new@acme.test", firstName: "Nina", lastName: "New" }).pipe(Core.as("system", "cli"))) })
    const { screen } = harness
    await screen.waitFor("Users  |")
    const frame = await goTo(screen, "outbox", "Outbox  |  1")
    expect(rowOf(frame, "new@acme.test")).toMatch(/invitation\s+new@acme\.test\s+.*sent/)
    await screen.press(keys.enter)
    const mail = await screen.waitFor("(to new@acme.test)")
    expect(mail).toMatch(/localhost:8080\/invite\//)
  })

  it("? shows the help generated from the keymap for the current view", async () => {
    harness = await openDashboard({ setup: directory, rows: 60 })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await screen.press("?")
    const help = await screen.waitFor("Keys in users")
    for (const line of ["ctrl+d", "request deletion", "space", "mark / unmark the row", "N                sort by name", "b                bulk action"]) {
      expect(help).toContain(line)
    }
    await screen.press(keys.escape)
    await goTo(screen, "approvals", "Approvals")
    await screen.press("?")
    const approvals = await screen.waitFor("Keys in approvals")
    expect(approvals).toContain("approve (with a note)")
    expect(approvals).not.toContain("bulk action")
  })
})
