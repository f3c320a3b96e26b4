import * as Core from "@usher/core"
import { activeUser, keys, type Screen } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { execute, flat, goTo, openDashboard, openUser, rowOf, selectedLine, statusLine, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/**
 * Grace (locked, in a group, a direct grant), Ada (whose deletion Mia requested), Alan
 * (suspended; the acting admin requested his deletion), Nina (invited), and a deletion Ida
 * approved (executed). Ida is the approver who can decide what the admin files.
 */
const directory = Effect.gen(function*() {
  yield* Core.createGroup({ name: "ops" })
  yield* activeUser({ email: "ida@acme.test", firstName: "Ida", lastName: "Approver", roles: ["approver"] })
  yield* activeUser({ email: "mia@acme.test", firstName: "Mia", lastName: "Manager", roles: ["user-manager"], scope: "provider" })
  yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper", roles: ["auditor"] })
  yield* Core.addGroupMembers("ops", ["grace@acme.test"])
  yield* execute(`UPDATE users SET locked_at = '${new Date().toISOString()}', locked_until = '${new Date(Date.now() + 15 * 60_000).toISOString()}', locks = 1 WHERE email = 'grace@acme.test'`)
  yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace" })
  yield* activeUser({ email: "alan@acme.test", firstName: "Alan", lastName: "Turing" })
  yield* activeUser({ email: "old@acme.test", firstName: "Olga", lastName: "Old" })
  yield* Core.suspendUser("alan@acme.test", { reason: "on leave" })
  yield* Core.inviteUser({ email: "nina@acme.test", firstName: "Nina", lastName: "New" })
  const old = yield* Core.deleteUser("old@acme.test", { reason: "left in 2020" }).pipe(Core.asUser("mia@acme.test", "cli"))
  yield* Core.approveRequest(old.approval.id, { note: "ok" }).pipe(Core.asUser("ida@acme.test", "cli"))
  yield* Core.deleteUser("ada@acme.test", { reason: "duplicate account" }).pipe(Core.asUser("mia@acme.test", "cli"))
  yield* Core.deleteUser("alan@acme.test", { reason: "not coming back" }).pipe(Core.asUser("admin@acme.test", "cli"))
})

// wide enough for every hint a row can have: what is left out was left out for the row, not for room
const WIDE = { setup: directory, columns: 240, rows: 40 }

/** Waits for the status line to show the hints (no message) and returns them. */
const hints = async (screen: Screen, check: (line: string) => boolean = () => true) =>
  statusLine(await screen.waitFor((f) => statusLine(f).startsWith("? help") && check(statusLine(f)), { what: "the key hints" }))

/** Moves the cursor of a list down until the selected line mentions a text. */
const select = async (screen: Screen, text: string) => {
  for (let i = 0; i < 10 && !(selectedLine(screen) ?? "").includes(text); i++) {
    const before = selectedLine(screen)
    await screen.press("j")
    await screen.waitFor(() => selectedLine(screen) !== before)
  }
  expect(selectedLine(screen)).toContain(text)
}

describe("user actions that cannot apply to the row", () => {
  it("resend and cancel invitation are not offered on an active user and m or c says why at once; the invited user is offered them", async () => {
    harness = await openDashboard(WIDE)
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    const line = await hints(screen, (l) => l.includes("e edit"))
    expect(line).not.toMatch(/m resend invite|c cancel invite/)
    await screen.press("m")
    await screen.waitFor("error: grace@acme.test is active: there is no open invitation to resend.")
    expect(screen.frame()).not.toContain("Resend the invitation")
    await screen.press("c")
    await screen.waitFor("error: grace@acme.test is active: there is no open invitation to cancel.")
    expect(screen.frame()).not.toContain("Cancel the invitation")
    await screen.press(keys.escape)
    await openUser(screen, "nina", "nina@acme.test")
    expect(await hints(screen, (l) => l.includes("m resend invite"))).toContain("c cancel invite")
  })

  it("unlock is offered on a locked user only; l on an unlocked one says so before any confirmation", async () => {
    harness = await openDashboard(WIDE)
    const { screen } = harness
    await openUser(screen, "lovelace", "ada@acme.test")
    expect(await hints(screen, (l) => l.includes("e edit"))).not.toContain("l unlock")
    await screen.press("l")
    await screen.waitFor("error: ada@acme.test is not locked: there is nothing to unlock.")
    expect(screen.frame()).not.toContain("Unlock sign-in for")
    await screen.press(keys.escape)
    await openUser(screen, "hopper", "grace@acme.test")
    expect(await hints(screen, (l) => l.includes("e edit"))).toContain("l unlock")
  })

  it("the detail's hints offer the actions that apply to that user, not invite or new", async () => {
    harness = await openDashboard(WIDE)
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    const line = await hints(screen, (l) => l.includes("e edit"))
    expect(line).not.toMatch(/i invite|n new/)
    for (const hint of ["e edit", "s suspend", "a grant", "x revoke", "+/- group", ">/< org", "p reset password", "o sign out", "l unlock", "ctrl+d delete", "esc back", "q quit"]) {
      expect(line).toContain(hint)
    }
    expect(line).not.toContain("r reactivate")
  })

  it("in the list, s on a suspended user is refused at once in core's lifecycle words; r is offered instead", async () => {
    harness = await openDashboard(WIDE)
    const { screen } = harness
    await screen.waitFor("Users  |")
    await screen.press("/")
    await screen.type("turing")
    await screen.press(keys.enter)
    await screen.waitFor((f) => f.includes("1-1 of 1") && selectedLine(screen)?.includes("alan@acme.test") === true)
    const line = await hints(screen, (l) => l.includes("r reactivate"))
    expect(line).not.toContain("s suspend")
    await screen.press("s")
    await screen.waitFor("error: Cannot suspend a user who is suspended.")
    expect(screen.frame()).not.toContain("Suspend alan@acme.test")
  })

  it("a deletion waiting for approval shows on the user's row and detail; ctrl+d says so at once; once withdrawn, ctrl+d asks again", async () => {
    harness = await openDashboard(WIDE)
    const { screen } = harness
    const list = await screen.waitFor((f) => rowOf(f, "ada@acme.test").includes("del-pending"))
    expect(rowOf(list, "ada@acme.test")).toContain("active:del-pending")
    expect(rowOf(list, "grace@acme.test")).not.toContain("del-pending")
    expect(rowOf(list, "alan@acme.test")).toContain("suspended:del-pending")
    await openUser(screen, "lovelace", "ada@acme.test")
    await screen.waitFor("status active | deletion requested by mia@acme.test")
    expect(await hints(screen, (l) => l.includes("e edit"))).not.toContain("ctrl+d delete")
    await screen.press(keys.ctrl("d"))
    await screen.waitFor((f) => flat(f).includes("error: The deletion of ada@acme.test already waits for approval (filed by mia@acme.test"))
    expect(screen.frame()).not.toContain("Request the deletion of")

    const [request] = (await harness.system(Core.listApprovals({ status: "pending" }))).filter((a) => a.summary.includes("ada@acme.test"))
    await harness.elsewhere(Core.cancelRequest(request!.id), "mia@acme.test")
    await screen.waitFor((f) => !f.includes("deletion requested by"), { what: "the withdrawn request gone from the detail" })
    await screen.press("j")
    await hints(screen, (l) => l.includes("ctrl+d delete"))
    await screen.press(keys.ctrl("d"))
    await screen.waitFor("Request the deletion of ada@acme.test")
  })
})

describe("decisions that cannot apply to the request", () => {
  it("your own request offers only withdraw: a and d are refused by core's check before a note or reason is asked", async () => {
    harness = await openDashboard(WIDE)
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "approvals", "Approvals  |  pending 2")
    await select(screen, "alan@acme.test")
    const own = await hints(screen, (l) => l.includes("c withdraw"))
    expect(own).not.toMatch(/a approve|d deny/)
    await screen.press("a")
    await screen.waitFor((f) => /error: You filed request \S+ yourself; someone else must approve or deny it\./.test(flat(f)))
    expect(screen.frame()).not.toContain("Approve this request?")
    await screen.press("d")
    await screen.waitFor((f) => /error: You filed request \S+ yourself/.test(flat(f)) && !f.includes("Deny this request?"))
    expect(screen.frame()).not.toContain("Deny this request?")

    await select(screen, "ada@acme.test")
    const theirs = await hints(screen, (l) => l.includes("a approve"))
    expect(theirs).toContain("d deny")
    expect(theirs).not.toContain("c withdraw")
    await screen.press("c")
    await screen.waitFor("error: Only its requester (mia@acme.test) can withdraw this request.")
    // the note typed right after `a` lands in the form that core's check let open
    await screen.press("aok")
    const form = await screen.waitFor("Approve this request?")
    expect(rowOf(form, ">Note")).toContain("ok")
    expect(form).toContain("Delete the account ada@acme.test")
  })

  it("an executed request offers no approve, deny or withdraw; pressing them says it is executed", async () => {
    harness = await openDashboard(WIDE)
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "approvals", "Approvals  |  pending 2")
    await screen.press("0")
    await screen.waitFor("Approvals  |  all 3")
    await select(screen, "old@acme.test")
    const line = await hints(screen, (l) => l.includes("enter open"))
    expect(line).not.toMatch(/a approve|d deny|c withdraw/)
    for (const [key, verb] of [["a", "approved"], ["d", "denied"], ["c", "withdrawn"]] as const) {
      await screen.press(key)
      await screen.waitFor(`error: This request is executed: only a pending request can be ${verb}.`)
      expect(screen.frame()).not.toMatch(/Approve this request\?|Deny this request\?|Withdraw your request\?/)
    }
  })
})
