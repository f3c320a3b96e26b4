/**
 * Okta's import of an application's users: the whole directory read over SCIM in pages of 100
 * (`startIndex=1&count=100`, then 101, …), here 10,000 accounts: every one exactly once, in a
 * stable order, the total the same on every page — also while accounts are added meanwhile
 * (they come after the pages already read, as the order is by creation).
 */
import * as Core from "@usher/core"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { asAdmin, ENGINE, openSite, type Site } from "./support.js"

const PEOPLE = 10_000
let site: Site
let okta: string
beforeAll(async () => {
  site = await openSite()
  const file = join(site.dir, "people.csv")
  const lines = Array.from({ length: PEOPLE }, (_, i) => `person${String(i).padStart(5, "0")}@acme.test,Person,Number${i}`)
  writeFileSync(file, `email,firstName,lastName\n${lines.join("\n")}\n`)
  await site.run(Core.importUsers({ file, mode: "create", deliver: false }).pipe(asAdmin))
  okta = (await site.run(Core.createApiToken({ name: "okta", only: "scim", org: "acme" }).pipe(asAdmin))).secret
}, 180_000)
afterAll(() => site?.close())

const page = async (startIndex: number) => {
  const response = await fetch(`${site.server.url}/scim/v2/Users?startIndex=${startIndex}&count=100`, { headers: { authorization: `Bearer ${okta}`, accept: "application/scim+json" } })
  expect(response.status).toBe(200)
  return await response.json() as { totalResults: number; startIndex: number; itemsPerPage: number; Resources: Array<{ id: string; userName: string }> }
}

describe(`SCIM import in pages of 100 (${ENGINE})`, () => {
  it("reads 10,000 accounts (and the admin) each exactly once, in pages of 100", async () => {
    const seen = new Map<string, string>()
    const first = await page(1)
    expect(first.totalResults).toBe(PEOPLE + 1)
    let late = 0
    for (let start = 1; start <= first.totalResults; start += 100) {
      const answer = start === 1 ? first : await page(start)
      expect([answer.startIndex, answer.totalResults]).toEqual([start, PEOPLE + 1 + late])
      expect(answer.itemsPerPage).toBe(Math.min(100, PEOPLE + 1 + late - (start - 1)))
      for (const user of answer.Resources) {
        expect(seen.has(user.id)).toBe(false)
        seen.set(user.id, user.userName)
      }
      // an account provisioned mid-import comes after every page already read
      if (start === 5_001) {
        const created = await fetch(`${site.server.url}/scim/v2/Users`, {
          method: "POST",
          headers: { authorization: `Bearer ${okta}`, "content-type": "application/scim+json" },
          body: JSON.stringify({ userName: "late@acme.test", name: { givenName: "Late", familyName: "Comer" } })
        })
        expect(created.status).toBe(201)
        late = 1
      }
    }
    // the last page read holds the late account too: it sorts after everyone read before it
    expect(seen.size).toBe(PEOPLE + 2)
    expect([...seen.values()].slice(-2)).toEqual(["person09999@acme.test", "late@acme.test"])
  }, 120_000)
})
