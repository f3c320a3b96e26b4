import * as Core from "@usher/core"
import { activeUser, keys, type Screen } from "@usher/testkit"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { openDashboard, type Harness, goTo } from "./harness.js"

const LONG = "katherine.johnson.1918@nasa-langley.test"

const directory = Effect.gen(function*() {
  yield* Core.createOrg({ slug: "beta", name: "Beta Corp" })
  yield* Core.createGroup({ name: "night shift operations" })
  yield* Core.grantRole({ role: "auditor", to: { group: "night shift operations" } })
  yield* Core.createApp("acme/expenses-and-travel", "Expenses and travel")
  yield* activeUser({ email: LONG, firstName: "Katherine", lastName: "Johnson", roles: ["user-manager", "auditor"] })
  yield* activeUser({ email: "mia.manager@acme.test", firstName: "Mia", lastName: "Manager", roles: ["user-manager"], scope: "provider" })
  yield* activeUser({ email: "ida@acme.test", firstName: "Ida", lastName: "Approver", roles: ["approver"] })
  yield* Core.suspendUser(LONG, { reason: "on a long leave of absence, back in spring" })
  yield* Core.inviteUser({ email: "new.person@acme.test", firstName: "Nina", lastName: "New" })
  yield* Core.deleteUser(LONG, { reason: "left the company for good" }).pipe(Core.asUser("mia.manager@acme.test", "cli"))
})

/** A frame fits 80x24 when no line is wider than 80 and it has fewer than 24 lines. */
const fits = (frame: string) => {
  const lines = frame.split("\n")
  expect(lines.length, frame).toBeLessThan(24)
  for (const l of lines) expect(l.length, `${l}\n--- in ---\n${frame}`).toBeLessThanOrEqual(80)
}

/** Each text stands whole on some line of the frame, not cut with `~`. */
const shows = (frame: string, ...texts: ReadonlyArray<string>) => {
  for (const text of texts) expect(frame.split("\n").some((l) => l.includes(text)), `${text}\n--- not whole in ---\n${frame}`).toBe(true)
}

const go = async (screen: Screen, view: string, title: string) => {
  // from wherever the test is: esc first
  await screen.press(keys.escape)
  return goTo(screen, view, title)
}

let harness: Harness
beforeAll(async () => {
  harness = await openDashboard({ setup: directory, columns: 80, rows: 24, publicUrl: "https://directory.acme.test" })
  await harness.screen.waitFor("1-5 of 5")
})
afterAll(async () => {
  await harness.close()
})

describe("every view at 80x24: no line wider than 80, fewer than 24 lines, the key information whole", () => {
  it("users, detail (both pages), help and the command line", async () => {
    const { screen } = harness
    let frame = screen.frame()
    fits(frame)
    shows(frame, LONG, "mia.manager@acme.test", "new.person@acme.test", "invited", "suspended")
    await screen.press("/")
    await screen.type("katherine")
    await screen.waitFor("1-1 of 1")
    await screen.press(keys.enter, keys.enter)
    frame = await screen.waitFor((f) => f.includes("Effective permissions") && !f.includes("loading..."))
    fits(frame)
    shows(frame, `User ${LONG}`, "status suspended")
    await screen.press(keys.pageDown)
    frame = await screen.waitFor("Recent activity")
    // the recent activity may arrive after the page moved (a slower engine, a busy machine): the
    // detail grows below, and the next page shows the rest
    if (!frame.includes("the company for good")) {
      await screen.press(keys.pageDown)
      frame = await screen.waitFor("the company for good")
    }
    fits(frame)
    shows(frame, "left", "the company for good")
    await screen.press(keys.escape, keys.escape, "?")
    frame = await screen.waitFor("Keys in users")
    fits(frame)
    await screen.press(keys.escape, ":")
    frame = await screen.waitFor((f) => f.split("\n").at(-2)?.startsWith(":") === true)
    fits(frame)
    await screen.press(keys.escape)
  })

  it("groups, roles, orgs, apps", async () => {
    const { screen } = harness
    for (const [view, title, key] of [
      ["groups", "Groups  |  1", "acme/night shift operations"],
      ["roles", "Roles  |  5", "provider-admin"],
      ["orgs", "Organizations  |  2", "Beta Corp"],
      ["apps", "Apps  |  1", "app:acme/expenses-and-travel"]
    ] as const) {
      await go(screen, view, title)
      await screen.waitFor(key)
      fits(screen.frame())
      shows(screen.frame(), key)
    }
  })

  it("approvals: the list, a request's details, the approve form", async () => {
    const { screen } = harness
    const action = `Delete the account ${LONG}`
    let frame = await go(screen, "approvals", "Delete the account")
    fits(frame)
    shows(frame, action, "pending")
    await screen.press(keys.enter)
    frame = await screen.waitFor("Request ")
    fits(frame)
    shows(frame, action, "left the company for good")
    await screen.press(keys.enter, "a")
    frame = await screen.waitFor("Approve this request?")
    fits(frame)
    shows(frame, action)
    await screen.press(keys.escape)
  })

  it("audit and outbox: the lists and what enter opens", async () => {
    const { screen } = harness
    let frame = await go(screen, "audit", "directory.init")
    fits(frame)
    shows(frame, "approval.request", LONG, "new.person@acme.test")
    await screen.press(keys.enter)
    frame = await screen.waitFor("Audit event #")
    fits(frame)
    shows(frame, `target ${LONG}`)
    await screen.press(keys.enter)
    frame = await go(screen, "outbox", "Outbox  |  1")
    fits(frame)
    shows(frame, "new.person@acme.test", "invitation", "sent")
    await screen.press(keys.enter)
    frame = await screen.waitFor("(to new.person@acme.test)")
    fits(frame)
    shows(frame, "https://directory.acme.test/invite/")
    await screen.press(keys.enter)
  })

  it("dialogs: a form, a confirmation, a menu, a notice with a temporary password", async () => {
    const { screen } = harness
    await go(screen, "users", "1-5 of 5")
    await screen.press("i")
    let frame = await screen.waitFor("Invite someone")
    fits(frame)
    await screen.press(keys.escape, "G", "c")
    frame = await screen.waitFor("Cancel the invitation of new.person@acme.test?")
    fits(frame)
    await screen.press(keys.escape, "k", "k", "x")
    frame = await screen.waitFor(`Revoke which role of ${LONG}?`)
    fits(frame)
    shows(frame, "user-manager@org:acme")
    await screen.press(keys.escape, "n")
    await screen.type("temporary.password.person@acme.test")
    await screen.press(keys.tab)
    await screen.type("Tempo")
    await screen.press(keys.tab)
    await screen.type("Rary")
    await screen.press(...Array.from({ length: 5 }, () => keys.enter))
    frame = await screen.waitFor(/\n[A-Za-z0-9_-]{12,}\n/)
    fits(frame)
    shows(frame, "temporary.password.person@acme.test")
    expect(frame.split("\n").slice(1).join("\n")).not.toContain("~")
    await screen.press(keys.enter)
  })
})

describe("the setup screen at 80x24", () => {
  it("fits, and its form is whole", async () => {
    const setup = await openDashboard({ empty: true, columns: 80, rows: 24 })
    try {
      const frame = await setup.screen.waitFor((f) => f.includes("this directory is empty") && f.split("\n").every((l) => l.length <= 80), { what: "the setup screen laid out at 80 columns" })
      fits(frame)
      expect(frame.split("\n").slice(1).join("\n")).not.toContain("~")
    } finally {
      await setup.close()
    }
  })
})
