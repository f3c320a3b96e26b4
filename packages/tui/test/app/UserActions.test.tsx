import * as Core from "@usher/core"
import { activeUser, keys, type Screen } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { execute, openDashboard, openUser, rowOf, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const HOUR = 3_600_000

/** Grace (in group ops, which carries auditor; one live session; sign-in locked), an approver, and an invited user. */
const directory = Effect.gen(function*() {
  yield* Core.createOrg({ slug: "beta", name: "Beta" })
  yield* Core.createGroup({ name: "ops" })
  yield* Core.createGroup({ name: "night" })
  yield* Core.grantRole({ role: "auditor", to: { group: "ops" } })
  const grace = yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" })
  yield* Core.addGroupMembers("ops", ["grace@acme.test"])
  yield* activeUser({ email: "ida@acme.test", firstName: "Ida", lastName: "Approver", roles: ["approver"] })
  yield* Core.inviteUser({ email: "new@acme.test", firstName: "Nina", lastName: "New", link: true })
  const now = Date.now()
  yield* execute(`INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, ip)
    VALUES ('session-1', '${grace.id}', '${new Date(now - HOUR).toISOString()}', '${new Date(now).toISOString()}',
            '${new Date(now + HOUR).toISOString()}', 'Firefox', '10.0.0.7')`)
  yield* execute(`UPDATE users SET locked_at = '${new Date(now).toISOString()}', locked_until = '${new Date(now + 15 * 60_000).toISOString()}', locks = 1, failed_sign_ins = 10 WHERE email = 'grace@acme.test'`)
})

/** Waits for a confirmation in the status line. */
const done = (screen: Screen, text: string) => screen.waitFor(text)

describe("user detail and actions", () => {
  it("shows profile, lifecycle, memberships, grants, the provenance tree, sessions, invitation and audit; scrolls with j/k", async () => {
    harness = await openDashboard({ setup: directory, rows: 60 })
    const frame = await openUser(harness.screen, "hopper", "grace@acme.test")
    for (const text of [
      "Grace Hopper <grace@acme.test>",
      "sign-in locked until",
      "Lifecycle",
      "acme (Acme) since",
      "acme/ops since",
      "Direct grants (0)",
      "Effective permissions (4)",
      "└─ group acme/ops",
      "└─ auditor@org:acme",
      "└─ audit.read, groups.read, roles.read, users.read",
      "Sessions (1)",
      "10.0.0.7 | Firefox",
      "not invited",
      "group.member.add by system via cli"
    ]) expect(frame).toContain(text)
    harness.screen.resize(100, 20)
    await harness.screen.waitFor("lines 1-15 of")
    await harness.screen.press("j", "j")
    await harness.screen.waitFor("lines 3-17 of")
    await harness.screen.press("G")
    await harness.screen.waitFor((f) => /lines \d+-(\d+) of \1/.test(f))
    await harness.screen.press(keys.escape)
    await harness.screen.waitFor("Users  |  1-1 of 1  |  filter hopper", { what: "esc back to the list, filter kept" })
  })

  it("edits the profile (a refusal stays in the form to be corrected), suspends and reactivates with a reason", async () => {
    harness = await openDashboard({ setup: directory, rows: 40 })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press("e")
    await screen.waitFor("Edit grace@acme.test")
    await screen.press(keys.tab, keys.tab, keys.tab)
    await screen.type("12")
    await screen.press(...Array.from({ length: 6 }, () => keys.enter))
    await screen.waitFor(`"12" is not a valid phone number`)
    await screen.press(...Array.from({ length: 5 }, () => keys.shiftTab), keys.ctrl("u"))
    await screen.type("+1 415 555 2671")
    await screen.press(keys.tab, keys.tab, keys.tab, keys.tab)
    await screen.type("Rear Admiral")
    await screen.press(keys.enter, keys.enter)
    await done(screen, "Saved grace@acme.test.")
    await screen.waitFor("position Rear Admiral")
    await screen.waitFor("phone +1 415 555 2671")

    await screen.press("s")
    await screen.waitFor("Suspend grace@acme.test")
    await screen.type("security review")
    await screen.press(keys.enter)
    await done(screen, "Suspended grace@acme.test.")
    await screen.waitFor("status suspended")
    await screen.waitFor("none count while suspended")
    await screen.waitFor("user.suspend by admin@acme.test via tui - security review")
    await screen.press("r")
    await screen.type("review passed")
    await screen.press(keys.enter)
    await done(screen, "Reactivated grace@acme.test (active).")
    await screen.waitFor("status active")
  })

  it("grants and revokes a role, adds to and removes from a group and an organization", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press("a")
    await screen.type("approver")
    await screen.press(keys.tab)
    await screen.type("org:acme")
    await screen.press(keys.enter, keys.enter, keys.enter)
    await done(screen, "Granted approver@org:acme to grace@acme.test.")
    await screen.waitFor("Direct grants (1)")
    await screen.waitFor("├─ direct")
    await screen.press("x")
    await screen.waitFor("Revoke which role of grace@acme.test?")
    await screen.press(keys.enter)
    await screen.waitFor("Revoke approver@org:acme from grace@acme.test?")
    await screen.press(keys.enter)
    await done(screen, "Revoked approver@org:acme from grace@acme.test.")
    await screen.waitFor("Direct grants (0)")

    await screen.press("+")
    await screen.type("night")
    await screen.press(keys.enter)
    await done(screen, "Added grace@acme.test to acme/night.")
    await screen.waitFor("Groups (2)")
    await screen.press("-")
    await screen.waitFor("Remove grace@acme.test from which group?")
    await screen.press(keys.enter, keys.enter)
    await done(screen, "Removed grace@acme.test from acme/night.")
    await screen.waitFor("Groups (1)")

    await screen.press(">")
    await screen.type("beta")
    await screen.press(keys.enter)
    await done(screen, "Added grace@acme.test to beta.")
    await screen.waitFor("Organizations (2)")
    await screen.press("<")
    await screen.waitFor("Remove grace@acme.test from which organization?")
    await screen.press("j", keys.enter)
    await screen.waitFor("Remove grace@acme.test from beta?")
    await screen.type("wrong organization")
    await screen.press(keys.enter)
    await done(screen, "Removed grace@acme.test from beta.")
    await screen.waitFor("Organizations (1)")
  })

  it("mails a password reset, revokes sessions and unlocks sign-in", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press("p")
    const dialog = await screen.waitFor("Reset the password of grace@acme.test?")
    expect(dialog.split("\n").at(-1)).toContain("enter confirm | esc close (nothing done)")
    expect(dialog, "a confirmation has no fields to move between").not.toContain("tab/shift+tab")
    await screen.press(keys.enter)
    await done(screen, "Reset link for grace@acme.test: mail written to")
    expect((await harness.system(Core.listOutbox())).map((m) => [m.kind, m.to])).toContainEqual(["password-reset", "grace@acme.test"])
    await screen.press("o")
    await screen.press(keys.enter)
    await done(screen, "Ended 1 session of grace@acme.test.")
    await screen.waitFor("Sessions (0)")
    await screen.press("l")
    await screen.press(keys.enter)
    await done(screen, "Unlocked grace@acme.test.")
    await screen.waitFor((f) => !f.includes("sign-in locked"))
  })

  it("resends an invitation as a shareable link (shown once), then cancels it", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await openUser(screen, "nina", "new@acme.test")
    await screen.waitFor("pending | link | to acme by system | sent 1×")
    await screen.press("m")
    await screen.waitFor("Resend the invitation of new@acme.test")
    await screen.press(keys.right, keys.enter)
    const notice = await screen.waitFor("New shareable link for new@acme.test (shown once)")
    expect(notice).toMatch(/http:\/\/localhost:8080\/invite\/[A-Za-z0-9_-]{20,}/)
    await screen.press(keys.enter)
    await screen.waitFor("sent 2×")
    await screen.press("c")
    await screen.waitFor("Cancel the invitation of new@acme.test?")
    await screen.press(keys.enter)
    await done(screen, "Cancelled the invitation of new@acme.test.")
    const list = await screen.waitFor((f) => f.includes("No users match the filter") && f.includes("Users  |  none"), { what: "back to the list, without a key" })
    expect(list).toContain("Cancelled the invitation of new@acme.test.")
    expect(list).not.toMatch(/No user \S+ in the directory/)
    await screen.press(keys.enter)
    await screen.waitFor("Nothing to open: no user matches the filter.")
  })

  it("requests a deletion only after the e-mail is typed exactly; it waits for approval", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press(keys.ctrl("d"))
    await screen.waitFor("Request the deletion of grace@acme.test")
    await screen.type("grace@acme.tes")
    await screen.press(keys.tab)
    await screen.type("left in 2020")
    await screen.press(keys.enter)
    await screen.waitFor("Type grace@acme.test exactly to confirm.")
    expect(await harness.system(Core.listApprovals())).toEqual([])
    await screen.press(keys.shiftTab, keys.end)
    await screen.type("t")
    await screen.press(keys.enter, keys.enter)
    await done(screen, "Deletion requested")
    const [request] = await harness.system(Core.listApprovals({ status: "pending" }))
    expect([request?.summary, request?.reason]).toEqual(["Delete the account grace@acme.test", "left in 2020"])
    await screen.waitFor("1 pending approval")
    await screen.waitFor("status active", { what: "the account to stay until someone approves" })
  })

  it("invites by shareable link and creates a user with a temporary password shown once", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-4 of 4")
    await screen.press("i")
    await screen.waitFor("Invite someone")
    await screen.type("linus@acme.test")
    await screen.press(keys.tab)
    await screen.type("Linus")
    await screen.press(keys.tab)
    await screen.type("Torvalds")
    await screen.press(keys.tab, keys.tab, keys.tab)
    await screen.type("auditor")
    await screen.press(keys.tab, keys.tab)
    await screen.type("ops")
    await screen.press(keys.tab, keys.right, keys.enter)
    const link = await screen.waitFor("Shareable link for linus@acme.test (shown once)")
    expect(link).toMatch(/http:\/\/localhost:8080\/invite\//)
    await screen.press(keys.enter)
    await screen.waitFor((f) => rowOf(f, "linus@acme.test").includes("invited"))
    expect(rowOf(screen.frame(), "linus@acme.test")).toContain("auditor")

    await screen.press("n")
    await screen.waitFor("New user with a temporary password")
    await screen.type("ken@acme.test")
    await screen.press(keys.tab)
    await screen.type("Ken")
    await screen.press(keys.tab)
    await screen.type("Thompson")
    await screen.press(keys.enter, keys.enter, keys.enter, keys.enter, keys.enter)
    const shown = await screen.waitFor("Temporary password for ken@acme.test - shown once", { timeout: 15_000 })
    const password = shown.split("\n").map((l) => l.replace(/[│\s]/g, "")).find((l) => /^[A-Za-z0-9_-]{12,}$/.test(l))
    expect(password).toBeDefined()
    expect(shown).toContain("They sign in at http://localhost:8080/signin")
    await screen.press(keys.enter)
    await screen.waitFor((f) => rowOf(f, "ken@acme.test").includes("provisioned"))
    await screen.press("/")
    await screen.type("ken@")
    await screen.press(keys.enter)
    await screen.waitFor("1-1 of 1")
    await screen.press(keys.enter)
    await screen.waitFor("must change password")
  })

  it("a domain error is a readable message in the dialog; the dashboard carries on", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await openUser(screen, "admin@", "admin@acme.test")
    await screen.press("s")
    await screen.type("oops")
    await screen.press(keys.enter)
    const frame = await screen.waitFor("admin@acme.test is the last active provider admin")
    expect(frame).not.toMatch(/\bat .*\.ts:\d+/)
    await screen.press(keys.escape)
    await screen.waitFor("status active")
    await screen.press("j")
    await screen.waitFor("lines 2-")
  })
})
