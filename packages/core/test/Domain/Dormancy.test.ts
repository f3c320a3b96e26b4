import { assert, describe, it } from "@effect/vitest"
import * as Dormancy from "../../src/Domain/Dormancy.js"

const DAY = 86_400_000
const T0 = Date.parse("2026-01-01T00:00:00.000Z")
const day = (n: number) => new Date(T0 + n * DAY)
const iso = (n: number) => day(n).toISOString()

const both: Dormancy.DormancyRule = { notifyDays: 30, suspendDays: 60 }
const notifyOnly: Dormancy.DormancyRule = { notifyDays: 30, suspendDays: null }
const suspendOnly: Dormancy.DormancyRule = { notifyDays: null, suspendDays: 60 }
const off: Dormancy.DormancyRule = { notifyDays: null, suspendDays: null }

describe("Dormancy (dormant accounts)", () => {
  // rule, last activity (day), notified (day or null), pass (day) → step
  const table: ReadonlyArray<readonly [string, Dormancy.DormancyRule, number, number | null, number, Dormancy.DormancyStep]> = [
    ["off: never anything", off, 0, null, 1000, "none"],
    ["before notify-days: nothing", both, 0, null, 29.9, "none"],
    ["at notify-days: the notice", both, 0, null, 30, "notify"],
    ["notified: no second notice", both, 0, 30, 45, "none"],
    ["notified at 30: suspended at 60", both, 0, 30, 60, "suspend"],
    ["notified late (day 50): the warning runs its 30 days first", both, 0, 50, 60, "none"],
    ["notified late (day 50): suspended at 80", both, 0, 50, 80, "suspend"],
    ["long dormant, never notified: the notice, not a suspension", both, 0, null, 400, "notify"],
    ["used after the notice: a new spell, nothing yet", both, 40, 30, 60, "none"],
    ["used after the notice: the new spell's notice", both, 40, 30, 70, "notify"],
    ["used after the notice: not suspended on the old notice", both, 40, 30, 101, "notify"],
    ["notify only: the notice", notifyOnly, 0, null, 30, "notify"],
    ["notify only: never suspended", notifyOnly, 0, 30, 1000, "none"],
    ["suspend only: nothing before", suspendOnly, 0, null, 59, "none"],
    ["suspend only: suspended without notice", suspendOnly, 0, null, 60, "suspend"]
  ]
  for (const [name, rule, active, notified, pass, expected] of table) {
    it(name, () => {
      assert.strictEqual(Dormancy.step(rule, { inactiveSince: iso(active), notifiedAt: notified === null ? null : iso(notified) }, day(pass)), expected)
    })
  }

  it("the suspension a notice announces is the day the rule suspends", () => {
    const facts = { inactiveSince: iso(0), notifiedAt: iso(30) }
    assert.strictEqual(Dormancy.suspensionDue(both, facts)?.toISOString(), iso(60))
    assert.strictEqual(Dormancy.suspensionDue(both, { ...facts, notifiedAt: iso(50) })?.toISOString(), iso(80))
    assert.isNull(Dormancy.suspensionDue(notifyOnly, facts))
    assert.strictEqual(Dormancy.step(both, facts, new Date(Dormancy.suspensionDue(both, facts)!.getTime() - 1)), "none")
  })

  it("inactivity counts from the last activity, else registration, else creation", () => {
    const created = "2026-01-01T00:00:00.000Z", registered = "2026-01-02T00:00:00.000Z", active = "2026-01-03T00:00:00.000Z"
    assert.strictEqual(Dormancy.inactiveSince({ createdAt: created, registeredAt: registered, lastActiveAt: active }), active)
    assert.strictEqual(Dormancy.inactiveSince({ createdAt: created, registeredAt: registered, lastActiveAt: null }), registered)
    assert.strictEqual(Dormancy.inactiveSince({ createdAt: created, registeredAt: null, lastActiveAt: null }), created)
    assert.deepStrictEqual([Dormancy.shortestDays(both), Dormancy.shortestDays(suspendOnly), Dormancy.shortestDays(off)], [30, 60, null])
  })
})
