/**
 * SCIM 2.0 at `/scim/v2` over loopback HTTP, driven the way the big identity providers drive it:
 * Okta's provisioning sequence (lookup by `userName eq`, create, update, deactivation as a no-path
 * replace of `active:false`, group push and membership by `members[value eq "…"]` removals), and
 * Microsoft Entra's in both of its modes (capitalised ops with `"False"` strings, then
 * `aadOptscim062020`'s lowercase ops, booleans and dotted keys). The request bodies are the shapes
 * those providers send (their documentation's examples, with our test's values).
 */
import * as Core from "@usher/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADMIN, asAdmin, ENGINE, openSite, personWithPassword, type Site } from "./support.js"

let site: Site
let okta: string
let entra: string
beforeAll(async () => {
  site = await openSite()
  await site.run(Core.createOrg({ slug: "beta", name: "Beta" }).pipe(asAdmin))
  okta = (await site.run(Core.createApiToken({ name: "okta", only: "scim", org: "acme" }).pipe(asAdmin))).secret
  entra = (await site.run(Core.createApiToken({ name: "entra", only: "scim", org: "acme" }).pipe(asAdmin))).secret
}, 60_000)
afterAll(() => site?.close())

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

const call = async (method: string, path: string, body?: unknown, secret: string | null = okta, headers: Record<string, string> = {}): Promise<Answer> => {
  const response = await fetch(`${site.server.url}/scim/v2${path}`, {
    method,
    headers: { accept: "application/scim+json", ...(body === undefined ? {} : { "content-type": "application/scim+json" }), ...(secret === null ? {} : { authorization: `Bearer ${secret}` }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) }
}

const patchOp = (...operations: ReadonlyArray<object>) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations })
const q = (filter: string) => `?filter=${encodeURIComponent(filter)}`
const statusOf = (email: string) => site.run(Core.showUser(email).pipe(asAdmin)).then((d) => d.user.status)
const auditSince = async (seq: number) => (await site.run(Core.listAudit({ afterSeq: seq }).pipe(asAdmin))).slice().reverse()
const head = async () => (await site.run(Core.listAudit({ limit: 1 }).pipe(asAdmin)))[0]?.seq ?? 0

describe(`SCIM 2.0 (${ENGINE})`, () => {
  it("Okta: looks the user up, creates, reads, updates, deactivates and reactivates; every audit row says via scim and names the token", async () => {
    const lookup = await call("GET", `/Users${q('userName eq "grace@acme.test"')}&startIndex=1&count=100`)
    expect([lookup.status, lookup.headers.get("content-type"), lookup.body.totalResults, lookup.body.Resources]).toEqual([200, "application/scim+json", 0, []])
    expect(lookup.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])

    const before = await head()
    const created = await call("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "grace@acme.test",
      name: { givenName: "Grace", familyName: "Hopper" },
      emails: [{ primary: true, value: "grace@acme.test", type: "work" }],
      displayName: "Grace Hopper",
      locale: "en-US",
      externalId: "00u1okta",
      groups: [],
      password: "ignored-by-usher-1!",
      active: true
    })
    expect(created.status).toBe(201)
    const id: string = created.body.id
    expect(created.body).toMatchObject({
      userName: "grace@acme.test", externalId: "00u1okta", active: true,
      name: { givenName: "Grace", familyName: "Hopper" }, emails: [{ value: "grace@acme.test", primary: true }],
      meta: { resourceType: "User", location: `${site.config.publicUrl.replace(/\/+$/, "")}/scim/v2/Users/${id}` }
    })
    expect(created.headers.get("etag")).toBe(created.body.meta.version)
    // created without a password (sign-in is through the IdP), in the token's organization
    const detail = await site.run(Core.showUser("grace@acme.test").pipe(asAdmin))
    expect([detail.user.status, detail.organizations.map((o) => o.slug)]).toEqual(["provisioned", ["acme"]])
    expect(JSON.stringify(await auditSince(before))).not.toContain("ignored-by-usher")

    // the lookup ignores case, as RFC 7643 compares userName; the attribute's name too
    const found = await call("GET", `/Users${q('USERNAME eq "GRACE@acme.test"')}&startIndex=1&count=100`)
    expect([found.body.totalResults, found.body.Resources[0].id]).toEqual([1, id])
    expect((await call("GET", `/Users/${id}`)).body.userName).toBe("grace@acme.test")

    const put = await call("PUT", `/Users/${id}`, { ...created.body, title: "Rear Admiral", name: { givenName: "Grace", familyName: "Hopper" } })
    expect([put.status, put.body.title]).toEqual([200, "Rear Admiral"])

    const off = await call("PATCH", `/Users/${id}`, patchOp({ op: "replace", value: { active: false } }))
    expect([off.status, off.body.active]).toEqual([200, false])
    expect(await statusOf("grace@acme.test")).toBe("suspended")
    const on = await call("PATCH", `/Users/${id}`, patchOp({ op: "replace", value: { active: true } }))
    expect(on.body.active).toBe(true)
    expect(await statusOf("grace@acme.test")).toBe("provisioned")

    const events = await auditSince(before)
    expect(events.map((e) => e.action)).toEqual(["user.create", "user.update", "user.suspend", "user.reactivate"])
    const oktaToken = (await site.run(Core.listApiTokens().pipe(asAdmin))).find((t) => t.name === "okta")!
    for (const event of events) expect([event.via, (event.details as { viaToken?: unknown }).viaToken]).toEqual(["scim", { id: oktaToken.id, name: "okta" }])
    expect(events[2]!.reason).toBe("SCIM")
    expect((await site.run(Core.verifyAudit.pipe(asAdmin))).ok).toBe(true)
  })

  it("Okta: pushes a group, changes its members by value-path removals, additions and a full replace, renames it", async () => {
    const ids: Array<string> = []
    for (const name of ["lin", "max", "ned"]) {
      ids.push((await call("POST", "/Users", { userName: `${name}@acme.test`, name: { givenName: name, familyName: "Okta" }, emails: [{ value: `${name}@acme.test`, primary: true }] })).body.id)
    }
    const [lin, max, ned] = ids as [string, string, string]
    const pushed = await call("POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Engineering", members: [{ value: lin, display: "lin@acme.test" }, { value: max, display: "max@acme.test" }] })
    expect(pushed.status).toBe(201)
    const gid: string = pushed.body.id
    const members = async () => ((await call("GET", `/Groups/${gid}`)).body.members as Array<{ value: string }>).map((m) => m.value).sort()
    expect(await members()).toEqual([lin, max].sort())
    expect((await site.run(Core.groupMembers("Engineering").pipe(asAdmin))).members.map((m) => m.email)).toEqual(["lin@acme.test", "max@acme.test"])

    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "remove", path: `members[value eq "${lin}"]` }))
    expect(await members()).toEqual([max])
    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "add", path: "members", value: [{ value: ned, display: "ned@acme.test" }] }))
    expect(await members()).toEqual([max, ned].sort())
    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "replace", path: "members", value: [{ value: lin }, { value: ned }] }))
    expect(await members()).toEqual([lin, ned].sort())
    const renamed = await call("PATCH", `/Groups/${gid}`, patchOp({ op: "replace", value: { id: gid, displayName: "Engineering EU" } }))
    expect([renamed.status, renamed.body.displayName]).toEqual([200, "Engineering EU"])
    const listed = await call("GET", `/Groups${q('displayName eq "engineering eu"')}&startIndex=1&count=100`)
    expect([listed.body.totalResults, listed.body.Resources[0].id]).toEqual([1, gid])
    expect((await call("DELETE", `/Groups/${gid}`)).status).toBe(204)
    expect((await call("GET", `/Groups/${gid}`)).status).toBe(404)
  })

  it("Entra: capitalised ops and \"False\"/\"True\" strings, the enterprise department, member removal with a value list, groups read without members", async () => {
    const created = await call("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee",
      active: true,
      emails: [{ primary: true, type: "work", value: "test.user@acme.test" }],
      meta: { resourceType: "User" },
      name: { formatted: "Testy McTest", familyName: "McTest", givenName: "Testy" },
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Research" },
      roles: []
    }, entra)
    expect(created.status).toBe(201)
    const id: string = created.body.id
    expect(created.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toEqual({ department: "Research" })
    expect((await site.run(Core.showUser("test.user@acme.test").pipe(asAdmin))).user.orgUnit).toBe("Research")
    expect((await call("GET", `/Users${q('userName eq "Test_User_ab6490ee"')}`, undefined, entra)).body.Resources[0].id).toBe(id)
    expect((await call("GET", `/Users${q('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`, undefined, entra)).body.totalResults).toBe(1)

    const updated = await call("PATCH", `/Users/${id}`, patchOp(
      { op: "Replace", path: "active", value: "False" },
      { op: "Add", path: 'emails[type eq "work"].value', value: "testy@acme.test" },
      { op: "Replace", path: "name.givenName", value: "Tess" },
      { op: "Replace", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "Ops" }
    ), entra)
    expect(updated.status).toBe(200)
    expect([updated.body.active, updated.body.emails[0].value, updated.body.name.givenName]).toEqual([false, "testy@acme.test", "Tess"])
    const user = (await site.run(Core.showUser("testy@acme.test").pipe(asAdmin))).user
    expect([user.status, user.firstName, user.orgUnit]).toEqual(["suspended", "Tess", "Ops"])
    expect((await call("PATCH", `/Users/${id}`, patchOp({ op: "Replace", path: "active", value: "True" }), entra)).body.active).toBe(true)
    // a value path into an attribute the account lacks adds it; a removal clears one
    const phoned = await call("PATCH", `/Users/${id}`, patchOp(
      { op: "Add", path: 'phoneNumbers[type eq "work"].value', value: "+44 20 7946 0958" },
      { op: "Add", path: "title", value: "Researcher" }
    ), entra)
    expect([phoned.status, phoned.body.phoneNumbers, phoned.body.title]).toEqual([200, [{ value: "+442079460958", type: "work" }], "Researcher"])
    const cleared = await call("PATCH", `/Users/${id}`, patchOp({ op: "Remove", path: "title" }, { op: "Remove", path: "phoneNumbers" }), entra)
    expect([cleared.status, "title" in cleared.body, "phoneNumbers" in cleared.body]).toEqual([200, false, false])
    expect((await site.run(Core.showUser("testy@acme.test").pipe(asAdmin))).user.position).toBeNull()

    const group = await call("POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", displayName: "Research", meta: { resourceType: "Group" } }, entra)
    const gid: string = group.body.id
    const lookup = await call("GET", `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Research"')}`, undefined, entra)
    expect([lookup.body.totalResults, "members" in lookup.body.Resources[0]]).toEqual([1, false])
    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "Add", path: "members", value: [{ $ref: null, value: id }] }), entra)
    expect((await call("GET", `/Groups/${gid}`, undefined, entra)).body.members.map((m: { value: string }) => m.value)).toEqual([id])
    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "Remove", path: "members", value: [{ value: id }] }), entra)
    expect((await call("GET", `/Groups/${gid}?attributes=members`, undefined, entra)).body.members).toEqual([])
    // a group Entra filters on by id and member, to check a membership
    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "Add", path: "members", value: [{ value: id }] }), entra)
    const member = await call("GET", `/Groups${q(`id eq "${gid}" and members eq "${id}"`)}&excludedAttributes=members`, undefined, entra)
    expect(member.body.totalResults).toBe(1)

    // a DELETE suspends by default (scim.delete = suspend): nothing is lost
    expect((await call("DELETE", `/Users/${id}`, undefined, entra)).status).toBe(204)
    expect(await statusOf("testy@acme.test")).toBe("suspended")
  })

  it("Entra's aadOptscim062020 mode: lowercase ops, real booleans, dotted keys in a no-path replace", async () => {
    const id: string = (await call("POST", "/Users", { userName: "opt@acme.test", name: { givenName: "Opt", familyName: "In" }, active: true }, entra)).body.id
    const off = await call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "active", value: false }), entra)
    expect(off.body.active).toBe(false)
    const renamed = await call("PATCH", `/Users/${id}`, patchOp({ op: "replace", value: { "name.givenName": "Optimus", "name.familyName": "Prime", active: true, title: "Leader" } }), entra)
    expect([renamed.status, renamed.body.name.givenName, renamed.body.name.familyName, renamed.body.title, renamed.body.active]).toEqual([200, "Optimus", "Prime", "Leader", true])
    // the userName was its e-mail: created with it
    expect(renamed.body.emails).toEqual([{ value: "opt@acme.test", type: "work", primary: true }])
  })

  it("answers what RFC 7644 asks: discovery, projections, pagination in a stable order", async () => {
    const config = await call("GET", "/ServiceProviderConfig")
    expect([config.status, config.body.patch.supported, config.body.filter.supported, config.body.etag.supported, config.body.bulk.supported]).toEqual([200, true, true, true, false])
    expect((await call("GET", "/ResourceTypes")).body.Resources.map((r: { id: string }) => r.id)).toEqual(["User", "Group"])
    expect((await call("GET", "/Schemas")).body.Resources.map((r: { id: string }) => r.id)).toEqual([Core.Scim.USER_SCHEMA, Core.Scim.ENTERPRISE_USER_SCHEMA, Core.Scim.GROUP_SCHEMA])

    const only = (await call("GET", `/Users${q('userName eq "grace@acme.test"')}&attributes=userName,name.familyName`)).body.Resources[0]
    expect(Object.keys(only).sort()).toEqual(["id", "meta", "name", "schemas", "userName"])
    expect(only.name).toEqual({ familyName: "Hopper" })
    const without = (await call("GET", `/Users${q('userName eq "grace@acme.test"')}&excludedAttributes=emails,name.givenName`)).body.Resources[0]
    expect(["emails" in without, without.name.givenName, without.name.familyName]).toEqual([false, undefined, "Hopper"])

    const all = await call("GET", "/Users?startIndex=1&count=1000")
    const seen: Array<string> = []
    for (let start = 1; start <= all.body.totalResults; start += 3) {
      const page = await call("GET", `/Users?startIndex=${start}&count=3`)
      expect([page.body.startIndex, page.body.totalResults]).toEqual([start, all.body.totalResults])
      seen.push(...page.body.Resources.map((r: { id: string }) => r.id))
    }
    expect(seen).toEqual(all.body.Resources.map((r: { id: string }) => r.id))
    expect(new Set(seen).size).toBe(seen.length)
    // the token's organization only: beta's people are not there
    await site.run(Core.createUser({ email: "bea@beta.test", firstName: "Bea", lastName: "Beta", org: "beta" }).pipe(asAdmin))
    expect(seen.length).toBe(all.body.totalResults)
    expect((await call("GET", `/Users${q('userName eq "bea@beta.test"')}`)).body.totalResults).toBe(0)
    expect((await call("GET", "/Users?count=0")).body).toMatchObject({ totalResults: all.body.totalResults, itemsPerPage: 0, Resources: [] })
  })

  it("refuses with SCIM errors: no token, the wrong token, bad filters, taken names, stale versions, others' accounts", async () => {
    const error = (answer: Answer) => [answer.status, answer.body?.status, answer.body?.scimType]
    const none = await call("GET", "/Users", undefined, null)
    expect([...error(none), none.headers.get("www-authenticate"), none.headers.get("content-type")]).toEqual([401, "401", undefined, 'Bearer realm="usher"', "application/scim+json"])
    expect(none.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"])
    const checker = (await site.run(Core.createApiToken({ name: "check only", only: "check" }).pipe(asAdmin))).secret
    expect(error(await call("GET", "/Users", undefined, checker))).toEqual([403, "403", undefined])

    expect(error(await call("GET", `/Users${q('userName eq')}`))).toEqual([400, "400", "invalidFilter"])
    expect(error(await call("GET", `/Users${q('password eq "x"')}`))).toEqual([400, "400", "invalidFilter"])
    expect(error(await call("GET", `/Users${q('active gt true')}`))).toEqual([400, "400", "invalidFilter"])
    expect(error(await call("GET", "/Users?startIndex=one"))).toEqual([400, "400", "invalidValue"])

    expect(error(await call("POST", "/Users", { userName: "GRACE@ACME.TEST", name: { givenName: "G", familyName: "H" }, emails: [{ value: "other@acme.test" }] }))).toEqual([409, "409", "uniqueness"])
    expect(error(await call("POST", "/Users", { userName: "someone-else", name: { givenName: "G", familyName: "H" }, emails: [{ value: "grace@acme.test" }] }))).toEqual([409, "409", "uniqueness"])
    expect(error(await call("POST", "/Users", { name: { givenName: "G", familyName: "H" } }))).toEqual([400, "400", "invalidValue"])
    expect(error(await call("POST", "/Users", { userName: "no-mail", name: { givenName: "G", familyName: "H" } }))).toEqual([400, "400", "invalidValue"])
    expect(error(await call("POST", "/Users", "{not json"))).toEqual([400, "400", "invalidValue"])
    const nothing = await call("GET", `/Users${q('userName eq "someone-else"')}`)
    expect(nothing.body.totalResults).toBe(0)

    const grace = (await call("GET", `/Users${q('userName eq "grace@acme.test"')}`)).body.Resources[0]
    const stale = await call("PATCH", `/Users/${grace.id}`, patchOp({ op: "replace", path: "title", value: "Stale" }), okta, { "if-match": 'W/"1"' })
    expect(error(stale)).toEqual([412, "412", undefined])
    expect((await call("GET", `/Users/${grace.id}`)).body.title).toBe("Rear Admiral")
    const fresh = await call("PATCH", `/Users/${grace.id}`, patchOp({ op: "replace", path: "title", value: "Commodore" }), okta, { "if-match": grace.meta.version })
    expect([fresh.status, fresh.body.title]).toEqual([200, "Commodore"])
    expect(error(await call("PATCH", `/Users/${grace.id}`, patchOp({ op: "explode", path: "title" })))).toEqual([400, "400", "invalidValue"])
    expect(error(await call("PATCH", `/Users/${grace.id}`, patchOp({ op: "replace", path: "active", value: "maybe" })))).toEqual([400, "400", "invalidValue"])

    expect(error(await call("GET", "/Users/00000000-0000-4000-8000-000000000000"))).toEqual([404, "404", undefined])
    const bea = (await site.run(Core.showUser("bea@beta.test").pipe(asAdmin))).user.id
    expect(error(await call("GET", `/Users/${bea}`))).toEqual([404, "404", undefined])
    expect(error(await call("PATCH", `/Users/${bea}`, patchOp({ op: "replace", value: { active: false } })))).toEqual([404, "404", undefined])
    expect(await statusOf("bea@beta.test")).toBe("provisioned")
    // another organization's group is not there either, and its people cannot join ours
    const betaGroup = await site.run(Core.createGroup({ name: "Beta team", org: "beta" }).pipe(asAdmin))
    expect(error(await call("GET", `/Groups/${betaGroup.id}`))).toEqual([404, "404", undefined])
    expect(error(await call("DELETE", `/Groups/${betaGroup.id}`))).toEqual([404, "404", undefined])
    expect(error(await call("POST", "/Groups", { displayName: "Mixed", members: [{ value: bea }] }))).toEqual([400, "400", "invalidValue"])
    expect((await call("GET", `/Groups${q('displayName eq "Mixed"')}`)).body.totalResults).toBe(0)
    expect(error(await call("POST", "/Groups", { displayName: "Sales & Marketing" }))).toEqual([400, "400", "invalidValue"])

    // a token acts as its owner and never more: an auditor's token reads but provisions nothing
    await personWithPassword(site, "aud@acme.test")
    await site.run(Core.grantRole({ role: "auditor", to: { user: "aud@acme.test" }, scope: "org:acme" }).pipe(asAdmin))
    const auditors = (await site.run(Core.createApiToken({ name: "auditor's", only: "scim" }).pipe(Core.asUser("aud@acme.test", "cli")))).secret
    expect((await call("GET", "/Users", undefined, auditors)).status).toBe(200)
    expect(error(await call("POST", "/Users", { userName: "x@acme.test", name: { givenName: "X", familyName: "Y" } }, auditors))).toEqual([403, "403", undefined])
    expect(error(await call("PATCH", `/Users/${grace.id}`, patchOp({ op: "replace", value: { active: false } }), auditors))).toEqual([403, "403", undefined])
    // nor can it touch the provider admin, who is out of any organization admin's reach
    const admin = (await site.run(Core.showUser(ADMIN).pipe(asAdmin))).user.id
    expect((await call("PATCH", `/Users/${admin}`, patchOp({ op: "replace", value: { active: false } }), auditors)).status).toBe(403)
    expect(await statusOf(ADMIN)).toBe("active")
  })

  it("a DELETE does what scim.delete says: files a deletion request, or deletes at once", async () => {
    const make = async (name: string) => (await call("POST", "/Users", { userName: `${name}@acme.test`, name: { givenName: name, familyName: "Gone" } })).body.id as string
    // a request needs someone who may decide it whose right does not come from the token's owner
    await personWithPassword(site, "approver@acme.test")
    await site.run(Core.grantRole({ role: "approver", to: { user: "approver@acme.test" }, scope: "org:acme" }).pipe(Core.as("system", "cli")))
    await site.run(Core.setSetting("scim.delete", "request").pipe(asAdmin))
    const asked = await call("DELETE", `/Users/${await make("req")}`)
    expect(asked.status).toBe(202)
    const pending = await site.run(Core.listApprovals({ status: "pending" }).pipe(asAdmin))
    expect(pending.find((a) => a.id === asked.body.approval)?.summary).toContain("req@acme.test")
    await site.run(Core.setSetting("scim.delete", "delete").pipe(asAdmin))
    const id = await make("del")
    expect((await call("DELETE", `/Users/${id}`)).status).toBe(204)
    expect((await call("GET", `/Users/${id}`)).status).toBe(404)
    await site.run(Core.setSetting("scim.delete", "suspend").pipe(asAdmin))
  })
})
