/**
 * `POST /api/v1/check` over loopback HTTP: an app asks "may this user do this here?" with an API
 * token, acting as the token's owner and never more; answers, batches, and every refusal as
 * problem+json.
 */
import * as Core from "@usher/core"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkOperation } from "../src/routes/api.js"
import { asAdmin, conformsTo, ENGINE, openSite, personWithPassword, type Site } from "./support.js"

let site: Site
let checker: string
beforeAll(async () => {
  site = await openSite()
  await site.run(Effect.gen(function*() {
    yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(asAdmin)
    yield* Core.createApp("acme/wiki").pipe(asAdmin)
  }))
  await personWithPassword(site, "bob@acme.test")
  await personWithPassword(site, "ann@acme.test")
  await site.run(Core.grantRole({ role: "auditor", to: { user: "ann@acme.test" }, scope: "org:acme" }).pipe(asAdmin))
  checker = (await site.run(Core.createApiToken({ name: "the wiki", only: "check" }).pipe(asAdmin))).secret
}, 60_000)
afterAll(() => site?.close())

/** A response whose JSON the test reads as it likes. */
interface Answer extends Response {
  json(): Promise<any>
}

/** One call, its answer checked against the check operation of the OpenAPI document. */
const check = async (body: unknown, secret: string | null = checker, raw?: string): Promise<Answer> => {
  const response = await fetch(`${site.server.url}/api/v1/check`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret === null ? {} : { authorization: `Bearer ${secret}` }) },
    body: raw ?? JSON.stringify(body)
  })
  conformsTo(checkOperation, response.status, await response.clone().json(), response.headers.get("content-type"), "POST /api/v1/check")
  return response
}

const tokenOf = (email: string, input: Core.CreateApiTokenInput) => site.run(Core.createApiToken(input).pipe(Core.asUser(email, "cli")))

describe(`the permission-check API (${ENGINE})`, () => {
  it("answers a question with every path that gives the permission, and a denial with none", async () => {
    const yes = await check({ user: "ann@acme.test", permission: "audit.read", scope: "org:acme" })
    expect(yes.status).toBe(200)
    expect(await yes.json()).toEqual({
      allowed: true, user: "ann@acme.test", permission: "audit.read", scope: "org:acme",
      paths: [{ role: "auditor", scope: "org:acme", group: null, expiresAt: null }]
    })
    // an organization's grant counts at its apps
    expect((await (await check({ user: "ann@acme.test", permission: "audit.read", scope: "app:acme/wiki" })).json()).allowed).toBe(true)
    const no = await (await check({ user: "bob@acme.test", permission: "users.delete", scope: "org:acme" })).json()
    expect([no.allowed, no.paths]).toEqual([false, []])
  })

  it("a revocation or suspension made by another process shows on the very next call", async () => {
    const other = Core.makeCoreRuntime(site.location, site.config)
    try {
      await other.runPromise(Core.grantRole({ role: "approver", to: { user: "bob@acme.test" }, scope: "org:acme" }).pipe(asAdmin))
      const ask = { user: "bob@acme.test", permission: "approvals.decide", scope: "org:acme" }
      expect((await (await check(ask)).json()).allowed).toBe(true)
      await other.runPromise(Core.revokeRole({ role: "approver", from: { user: "bob@acme.test" }, scope: "org:acme" }).pipe(asAdmin))
      expect((await (await check(ask)).json()).allowed).toBe(false)
      await other.runPromise(Core.grantRole({ role: "approver", to: { user: "bob@acme.test" }, scope: "org:acme" }).pipe(asAdmin))
      await other.runPromise(Core.suspendUser("bob@acme.test").pipe(asAdmin))
      expect((await (await check(ask)).json()).allowed).toBe(false)
      await other.runPromise(Core.reactivateUser("bob@acme.test").pipe(asAdmin))
    } finally {
      await other.dispose()
    }
  })

  it("a batch answers each question on its own, a bad one as its problem; more than 1,000 is refused", async () => {
    const response = await check({
      checks: [
        { user: "ann@acme.test", permission: "audit.read", scope: "org:acme" },
        { user: "nobody@acme.test", permission: "audit.read", scope: "org:acme" },
        { user: "ann@acme.test", permission: "not a permission", scope: "org:acme" },
        { user: "ann@acme.test", permission: "audit.read", scope: "org:beta" }
      ]
    })
    expect(response.status).toBe(200)
    const { results } = await response.json() as { results: Array<{ allowed?: boolean; problem?: { status: number; error: string } }> }
    expect(results.map((r) => r.allowed ?? r.problem?.error)).toEqual([true, "UserNotFound", "InvalidPermission", false])
    expect(results[1]!.problem!.status).toBe(404)
    const question = { user: "ann@acme.test", permission: "audit.read", scope: "org:acme" }
    const full = await check({ checks: Array.from({ length: 1000 }, () => question) })
    expect(full.status).toBe(200)
    expect((await full.json()).results).toHaveLength(1000)
    const over = await check({ checks: Array.from({ length: 1001 }, () => question) })
    expect([over.status, over.headers.get("content-type")]).toEqual([400, "application/problem+json"])
  })

  it("without a token, with a revoked one, or one whose owner is suspended: 401 with the same words, and how to authenticate", async () => {
    const none = await check({ user: "ann@acme.test", permission: "audit.read" }, null)
    expect(none.status).toBe(401)
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="usher"')
    expect(none.headers.get("content-type")).toBe("application/problem+json")
    const body = await none.json()
    expect(body).toMatchObject({ status: 401, error: "ApiTokenRejected", type: "urn:usher:error:ApiTokenRejected" })
    const revoked = await tokenOf("ann@acme.test", { name: "old" })
    await site.run(Core.revokeApiToken(revoked.token.id).pipe(Core.asUser("ann@acme.test", "cli")))
    const refused = await check({ user: "ann@acme.test", permission: "audit.read" }, revoked.secret)
    expect([refused.status, (await refused.json()).detail]).toEqual([401, body.detail])
    const owner = await tokenOf("bob@acme.test", { name: "bob's" })
    await site.run(Core.suspendUser("bob@acme.test").pipe(asAdmin))
    expect((await check({ user: "bob@acme.test", permission: "audit.read" }, owner.secret)).status).toBe(401)
    await site.run(Core.reactivateUser("bob@acme.test").pipe(asAdmin))
    expect((await check({ user: "bob@acme.test", permission: "audit.read" }, `${owner.secret}x`)).status).toBe(401)
  })

  it("a token acts as its owner and never more: one who may not read an account learns nothing of it", async () => {
    // cy holds no role: she may not read ann's account, and the answer is the one for an address nobody has
    await personWithPassword(site, "cy@acme.test")
    const bobs = await tokenOf("cy@acme.test", { name: "cy's checker" })
    const about = await check({ user: "ann@acme.test", permission: "audit.read", scope: "org:acme" }, bobs.secret)
    const nobody = await check({ user: "nobody@acme.test", permission: "audit.read", scope: "org:acme" }, bobs.secret)
    expect([about.status, nobody.status]).toEqual([404, 404])
    expect((await about.json()).detail.replace("ann@acme.test", "X")).toBe((await nobody.json()).detail.replace("nobody@acme.test", "X"))
  })

  it("a token limited to another API, or to an organization, is refused outside it", async () => {
    const scim = await tokenOf("ann@acme.test", { name: "idp", only: "scim" })
    const wrong = await check({ user: "ann@acme.test", permission: "audit.read" }, scim.secret)
    expect([wrong.status, (await wrong.json()).error]).toEqual([403, "ApiTokenNotForThis"])
    const acmeOnly = await tokenOf("ann@acme.test", { name: "acme app", only: "check", org: "acme" })
    expect((await (await check({ user: "ann@acme.test", permission: "audit.read" }, acmeOnly.secret)).json()).scope).toBe("org:acme")
    expect((await check({ user: "ann@acme.test", permission: "audit.read", scope: "app:acme/wiki" }, acmeOnly.secret)).status).toBe(200)
    for (const scope of ["provider", "org:beta", "app:beta/x"]) {
      expect((await check({ user: "ann@acme.test", permission: "audit.read", scope }, acmeOnly.secret)).status).toBe(403)
    }
  })

  it("a body that is not JSON, or not a question, is a 400 saying what is wrong", async () => {
    const garbage = await check(undefined, checker, "{not json")
    expect([garbage.status, (await garbage.json()).detail]).toEqual([400, expect.stringContaining("not JSON")])
    const shape = await check({ user: "ann@acme.test" })
    expect([shape.status, (await shape.json()).detail]).toEqual([400, expect.stringContaining("permission")])
  })
})
