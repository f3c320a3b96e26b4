import * as Core from "@usher/core"
import { activeUser } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { goTo, openDashboard, openUser, rowOf, selectedLine, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/**
 * A role, a group (granted a role), an app and an organization made; Dora (a user manager)
 * invites Ivy, then is deleted with Ida's approval; Mia files a deletion and is granted a role.
 */
const directory = Effect.gen(function*() {
  yield* Core.createRole({ name: "expenses-approver", permissions: ["expenses.approve"] })
  yield* Core.createGroup({ name: "ops" })
  yield* Core.grantRole({ role: "auditor", to: { group: "ops" } })
  yield* Core.createApp("acme/expenses", "Expenses")
  yield* Core.createOrg({ slug: "beta", name: "Beta" })
  yield* activeUser({ email: "ida@acme.test", firstName: "Ida", lastName: "Approver", roles: ["approver"] })
  yield* activeUser({ email: "mia@acme.test", firstName: "Mia", lastName: "Manager", roles: ["user-manager"], scope: "provider" })
  yield* activeUser({ email: "dora@acme.test", firstName: "Dora", lastName: "Gone", roles: ["user-manager"] })
  yield* activeUser({ email: "sam@acme.test", firstName: "Sam", lastName: "Stays" })
  yield* Core.inviteUser({ email: "ivy@acme.test", firstName: "Ivy", lastName: "Invited" }).pipe(Core.asUser("dora@acme.test", "cli"))
  const dora = yield* Core.deleteUser("dora@acme.test", { reason: "left" }).pipe(Core.asUser("mia@acme.test", "cli"))
  yield* Core.approveRequest(dora.approval.id).pipe(Core.asUser("ida@acme.test", "cli"))
  yield* Core.deleteUser("sam@acme.test", { reason: "duplicate" }).pipe(Core.asUser("mia@acme.test", "cli"))
  yield* Core.grantRole({ role: "auditor", to: { user: "mia@acme.test" } })
})

describe("the audit view", () => {
  it("names what role, group, app and organization events are about, and deleted users by the e-mail the event kept", async () => {
    harness = await openDashboard({ setup: directory, columns: 160, rows: 50 })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "audit", "Audit (live)  |  newest")
    // every event fits on the screen: wait for the first and the last
    const frame = await screen.waitFor((f) => f.includes(" role.create ") && rowOf(f, " role.grant ").includes("mia@acme.test"))
    const row = (action: string) => rowOf(frame, ` ${action} `)
    expect(row("role.create")).toMatch(/role expenses-approver\s*$/)
    expect(row("group.create")).toMatch(/group acme\/ops\s*$/)
    expect(frame.split("\n").find((l) => l.includes(" role.grant ") && l.includes("group acme/ops"))).toBeDefined()
    expect(row("app.create")).toMatch(/app acme\/expenses\s*$/)
    expect(row("org.create")).toMatch(/org beta\s*$/)
    // Dora's account is erased: her deletion names her by the e-mail the event kept, what she did says "deleted user"
    expect(row("user.delete")).toMatch(/dora@acme\.test\s*$/)
    expect(row("user.invite")).toMatch(/deleted user\s+cli\s+user\.invite\s+ivy@acme\.test/)
    expect(frame).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)
  })

  it("reads the newest 500 and the next ones when the cursor reaches the end", async () => {
    harness = await openDashboard({ setup: Core.seedUsers(620), rows: 30 })
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "audit", "Audit (live)  |  newest 500  |  more at the end")
    await screen.press("G")
    const more = await screen.waitFor((f) => /newest (\d+)/.exec(f) !== null && Number(/newest (\d+)/.exec(f)![1]) > 500, { what: "more than 500 events" })
    const count = Number(/newest (\d+)/.exec(more)![1])
    const all = (await harness.system(Core.auditPage({ limit: 2000 }))).length
    expect(count).toBe(all)
    expect(more).not.toContain("more at the end")
    await screen.press("G")
    await screen.waitFor(() => /^\s*1\s/.test(selectedLine(screen) ?? ""), { what: "the oldest event (#1) under the cursor" })
  })
})

describe("a user's recent activity", () => {
  it("what was done to the account and what the user did are apart", async () => {
    harness = await openDashboard({ setup: directory, rows: 60 })
    const { screen } = harness
    const frame = await openUser(screen, "manager", "mia@acme.test")
    const lines = frame.split("\n")
    const on = lines.findIndex((l) => l.startsWith("Recent activity on this account"))
    const by = lines.findIndex((l) => l.startsWith("Recent activity by them"))
    expect(on).toBeGreaterThan(0)
    expect(by).toBeGreaterThan(on)
    const onAccount = lines.slice(on + 1, by).join("\n")
    const byThem = lines.slice(by + 1).join("\n")
    expect(onAccount).toMatch(/role\.grant by system via cli/)
    expect(onAccount).not.toContain("approval.request")
    expect(byThem).toMatch(/approval\.request sam@acme\.test via cli - duplicate/)
    // Dora is erased: the deletion's event kept her e-mail, the request's did not
    expect(byThem).toMatch(/user\.delete dora@acme\.test via cli - left/)
    expect(byThem).toMatch(/approval\.request deleted user via cli - left/)
    expect(byThem).not.toContain("role.grant")
  })
})
