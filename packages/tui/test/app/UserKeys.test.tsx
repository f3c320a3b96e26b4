import * as Core from "@usher/core"
import { activeUser, keys } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { execute, openDashboard, selectedLine, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/** Four people who differ in every sortable column, and one of each status. */
const people = Effect.gen(function*() {
  yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" })
  yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace" })
  yield* activeUser({ email: "alan@acme.test", firstName: "Alan", lastName: "Turing" })
  yield* Core.suspendUser("alan@acme.test", { reason: "left" })
  yield* Core.inviteUser({ email: "ivy@acme.test", firstName: "Ivy", lastName: "Invited" })
  yield* Core.createUser({ email: "pat@acme.test", firstName: "Pat", lastName: "Provisioned" })
  yield* execute(`UPDATE users SET phone = '+1 555 0003', registered_at = '2021-03-01T00:00:00.000Z' WHERE email = 'grace@acme.test'`)
  yield* execute(`UPDATE users SET phone = '+1 555 0001', registered_at = '2023-03-01T00:00:00.000Z' WHERE email = 'ada@acme.test'`)
  yield* execute(`UPDATE users SET phone = '+1 555 0002', registered_at = '2022-03-01T00:00:00.000Z' WHERE email = 'alan@acme.test'`)
})

/** The e-mails of a frame's rows, top to bottom. */
const order = (frame: string): ReadonlyArray<string> => frame.split("\n").slice(2).flatMap((l) => l.match(/\S+@acme\.test/)?.[0] ?? [])

/** The e-mails of those with a phone and a registration date set above, in the order shown. */
const PHONED = ["ada@acme.test", "alan@acme.test", "grace@acme.test"]
const among = (frame: string, emails: ReadonlyArray<string>) => order(frame).filter((e) => emails.includes(e))

describe("users view keys", () => {
  it("P, S and R sort by phone, status and registration: the order on screen and the title's sort change, again reverses", async () => {
    harness = await openDashboard({ setup: people, columns: 160, rows: 30 })
    const { screen } = harness
    await screen.waitFor("1-6 of 6")
    const byName = order(screen.frame())
    await screen.press("P")
    // those without a phone sort together, apart from the ones with one
    let frame = await screen.waitFor((f) => f.includes("sort phone asc") && among(f, PHONED).join() === "ada@acme.test,alan@acme.test,grace@acme.test")
    expect(order(frame).join()).not.toBe(byName.join())
    await screen.press("P")
    frame = await screen.waitFor((f) => f.includes("sort phone desc") && among(f, PHONED).join() === "grace@acme.test,alan@acme.test,ada@acme.test")
    await screen.press("S")
    frame = await screen.waitFor((f) => f.includes("sort status asc") && order(f)[0] !== order(frame)[0])
    const statuses = order(frame).map((email) => frame.split("\n").slice(2).find((l) => l.includes(email))!.match(/active|invited|provisioned|suspended/)![0])
    expect(statuses).toEqual([...statuses].sort())
    expect(new Set(statuses)).toEqual(new Set(["active", "invited", "provisioned", "suspended"]))
    await screen.press("R")
    await screen.waitFor((f) => f.includes("sort registered desc") && among(f, PHONED).join() === "ada@acme.test,alan@acme.test,grace@acme.test")
    await screen.press("R")
    await screen.waitFor((f) => f.includes("sort registered asc") && among(f, PHONED).join() === "grace@acme.test,alan@acme.test,ada@acme.test")
    await screen.press("N")
    await screen.waitFor("sort name asc")
    await screen.waitFor((f) => order(f).join() === byName.join(), { what: "the name order again" })
  })

  it("the status keys 1-4 narrow the list to that status, 0 shows everyone again", async () => {
    harness = await openDashboard({ setup: people })
    const { screen } = harness
    await screen.waitFor("1-6 of 6")
    for (const [key, status, emails] of [
      ["2", "invited", ["ivy@acme.test"]],
      ["3", "provisioned", ["pat@acme.test"]],
      ["4", "suspended", ["alan@acme.test"]],
      ["1", "active", ["admin@acme.test", "grace@acme.test", "ada@acme.test"]]
    ] as const) {
      await screen.press(key)
      const frame = await screen.waitFor((f) => f.includes(`filter status:${status}`) && f.includes(`1-${emails.length} of ${emails.length}`))
      expect([...order(frame)].sort()).toEqual([...emails].sort())
    }
    await screen.press("0")
    const frame = await screen.waitFor("1-6 of 6")
    expect(frame).not.toContain("filter status:")
  })
})

describe("detail view", () => {
  it("PgDn and PgUp (and ctrl+f / ctrl+b) scroll by a screen", async () => {
    harness = await openDashboard({
      columns: 80,
      rows: 24,
      setup: Effect.gen(function*() {
        yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper", roles: ["user-manager", "auditor"] })
        for (let i = 0; i < 8; i++) yield* Core.suspendUser("grace@acme.test", { reason: `round ${i}` }).pipe(Effect.zipRight(Core.reactivateUser("grace@acme.test", { reason: `back ${i}` })))
      })
    })
    const { screen } = harness
    await screen.waitFor("1-2 of 2")
    await screen.press("/")
    await screen.type("grace")
    await screen.waitFor("1-1 of 1")
    await screen.press(keys.enter, keys.enter)
    const first = await screen.waitFor((f) => /User grace@acme\.test {2}\| {2}lines 1-19 of \d+\s*$/m.test(f))
    const total = Number(first.match(/lines 1-19 of (\d+)/)![1])
    expect(total).toBeGreaterThan(38)
    await screen.press(keys.pageDown)
    await screen.waitFor(`lines 20-38 of ${total}`)
    await screen.press(keys.ctrl("f"))
    // the last screen stops at the last line
    const last = Math.min(38, total - 19)
    await screen.waitFor(`lines ${last + 1}-${last + 19} of ${total}`)
    await screen.press(keys.pageUp)
    await screen.waitFor(`lines ${last - 18}-${last} of ${total}`)
    await screen.press(keys.ctrl("b"))
    const top = await screen.waitFor(`lines 1-19 of ${total}`)
    expect(top).toContain("Profile")
    expect(selectedLine(screen)).toBeUndefined()
  })
})
