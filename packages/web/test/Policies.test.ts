/**
 * `usher serve` runs core's policy pass on a timer: a time-bound grant made elsewhere is revoked
 * by the server once its time is up (audit `grant.expire`, via web), without anyone asking.
 */
import * as Core from "@usher/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { asAdmin, ENGINE, openSite, personWithPassword, type Site } from "./support.js"

let site: Site
beforeAll(async () => {
  site = await openSite({ policyEvery: "300 millis" })
  await personWithPassword(site, "kim@acme.test")
}, 60_000)
afterAll(() => site?.close())

describe(`the policy runner in usher serve (${ENGINE})`, () => {
  it("revokes a grant whose time is up, on its own", async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString()
    await site.run(Core.grantRole({ role: "auditor", to: { user: "kim@acme.test" }, scope: "org:acme", expiresAt }).pipe(asAdmin))
    const expired = async () => (await site.run(Core.listAudit({ limit: 20 }).pipe(asAdmin))).find((e) => e.action === "grant.expire")
    const until = Date.now() + 15_000
    while ((await expired()) === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 200))
    const event = await expired()
    expect([event?.via, event?.actor]).toEqual(["web", "system"])
    const why = await site.run(Core.why("kim@acme.test", "audit.read", "org:acme").pipe(asAdmin))
    expect(why.allowed).toBe(false)
  }, 30_000)

  it("USHER_POLICY_MINUTES: 5 by default, 0 off, anything else refused", () => {
    expect([Core.policyMinutes(undefined), Core.policyMinutes(""), Core.policyMinutes("0"), Core.policyMinutes("15")]).toEqual([5, 5, 0, 15])
    expect([Core.policyMinutes("1441"), Core.policyMinutes("-1"), Core.policyMinutes("5m"), Core.policyMinutes("1.5")]).toEqual([undefined, undefined, undefined, undefined])
  })
})
