/**
 * The REST admin API `/api/v1` over loopback HTTP against a real directory: tokens acting as their
 * owners, ETag/If-Match over core's versions, cursor pages, four-eyes deletion answered 202, the
 * audit naming the token, every refusal as problem+json, and the generated OpenAPI document and
 * docs page. Every answer is checked against the route table: a success must decode with its
 * declared schema (no undeclared field), an error must be one the document lists for the operation.
 */
import { Validator } from "@seriousme/openapi-schema-validator"
import * as Core from "@usher/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminApi } from "../src/api/AdminApi.js"
import { errorsOf, openApiPath, pathParams } from "../src/api/OpenApi.js"
import type { ApiRoute, RouteDoc } from "../src/api/Route.js"
import { checkOperation } from "../src/routes/api.js"
import { ADMIN, asAdmin, conformsTo, ENGINE, openSite, personWithPassword, type Site } from "./support.js"

const BUDGET = 150
const APPROVER = "apo@acme.test"

let site: Site
let approver: string
beforeAll(async () => {
  site = await openSite({ apiBudget: { perToken: BUDGET, windowSeconds: 600 } })
  await personWithPassword(site, APPROVER, { firstName: "Apo", lastName: "Prover" })
  // granted by the system, not by the admin who files the requests: it counts for four eyes
  await site.run(Core.grantRole({ role: "approver", to: { user: APPROVER }, scope: "org:acme" }).pipe(Core.as("system", "cli")))
  approver = (await site.run(Core.createApiToken({ name: "apo's script" }).pipe(Core.asUser(APPROVER, "cli")))).secret
  await site.run(Core.seedUsers(30).pipe(asAdmin))
}, 60_000)
afterAll(() => site?.close())

/** A fresh admin-limited token of the admin (each test its own, so no test spends another's budget). */
const adminToken = async (name = "the sync", only: string | undefined = "admin") =>
  (await site.run(Core.createApiToken({ name, ...(only === undefined ? {} : { only }) }).pipe(asAdmin))).secret

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

/** Which (operation, status) pairs the tests saw. */
const seen = new Set<string>()

const matcher = (route: ApiRoute) => new RegExp(`^${route.path.replace(/:[A-Za-z0-9_]+/g, "[^/]+")}$`)
const routeOf = (method: string, path: string) => adminApi.find((r) => r.method === method && matcher(r).test(path.split("?")[0]!))

/** Checks an answer against the table: a success decodes with its declared schema, an error is documented problem+json. */
const conforms = (method: string, path: string, answer: Answer, contentType: string | null) => {
  const route = routeOf(method, path)
  if (route === undefined) return
  seen.add(`${route.operationId} ${answer.status}`)
  conformsTo(route, answer.status, answer.body, contentType, `${method} ${path}`)
}

/** One request with a token (null: none), checked against the table. */
const call = async (secret: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
  const response = await fetch(`${site.server.url}${path}`, {
    method,
    headers: {
      ...(secret === null ? {} : { authorization: `Bearer ${secret}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })
  const text = await response.text()
  const answer = { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) }
  conforms(method, path, answer, response.headers.get("content-type"))
  return answer
}

const tagOf = (answer: Answer) => [answer.status, answer.body?.error]

describe(`the REST admin API (${ENGINE})`, () => {
  it("creates a user, reads it with its ETag, and changes it with If-Match; a stale one is 412 and writes nothing", async () => {
    const token = await adminToken()
    const created = await call(token, "POST", "/api/v1/users", { email: "Zoe@acme.test", firstName: "Zoe", lastName: "Zed" })
    expect(created.status).toBe(201)
    expect([created.body.user.email, created.body.user.status, created.body.user.version]).toEqual(["zoe@acme.test", "provisioned", 1])
    expect(created.body.temporaryPassword).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/)
    expect(created.headers.get("etag")).toBe('W/"1"')
    const location = created.headers.get("location")!
    expect(location).toBe(`/api/v1/users/${created.body.user.id}`)

    const read = await call(token, "GET", location)
    expect([read.status, read.headers.get("etag"), read.body.user.email]).toEqual([200, 'W/"1"', "zoe@acme.test"])
    expect(read.body.organizations.map((o: { slug: string }) => o.slug)).toEqual(["acme"])
    expect(read.headers.get("cache-control")).toBe("no-store")
    // by e-mail as well as by id
    expect((await call(token, "GET", "/api/v1/users/zoe@acme.test")).body.user.id).toBe(created.body.user.id)

    const changed = await call(token, "PATCH", location, { position: "Engineer" }, { "if-match": 'W/"1"' })
    expect([changed.status, changed.headers.get("etag"), changed.body.position]).toEqual([200, 'W/"2"', "Engineer"])
    const stale = await call(token, "PATCH", location, { position: "Boss" }, { "if-match": 'W/"1"' })
    expect(tagOf(stale)).toEqual([412, "ConcurrentModification"])
    const after = await call(token, "GET", location)
    expect([after.body.user.position, after.headers.get("etag")]).toEqual(["Engineer", 'W/"2"'])
    // a strong tag names the same version; `*` asks for none; null clears an optional field
    expect((await call(token, "PATCH", location, { orgUnit: "R&D" }, { "if-match": '"2"' })).headers.get("etag")).toBe('W/"3"')
    expect((await call(token, "PATCH", location, { orgUnit: null }, { "if-match": "*" })).body.orgUnit).toBeNull()
    expect((await call(token, "PATCH", location, { phone: "+44 20 7946 0958" })).body.phone).toBe("+442079460958")
    for (const malformed of ["1", 'W/"x"', 'W/"1", W/"2"', 'W/"0"']) {
      expect(tagOf(await call(token, "PATCH", location, { position: "X" }, { "if-match": malformed })), malformed).toEqual([400, "BadRequest"])
    }
    // an operation that answers no ETag cannot hold an If-Match
    expect(tagOf(await call(token, "GET", "/api/v1/roles", undefined, { "if-match": 'W/"1"' }))).toEqual([412, "PreconditionFailed"])
    expect((await call(token, "GET", location)).body.user.position).toBe("Engineer")
  })

  it("lists users page by page through an opaque cursor and the Link header: every user exactly once, in core's order, filters kept", async () => {
    const token = await adminToken()
    // equal names, so the order is decided by e-mail and id across page boundaries
    for (const email of ["same1@acme.test", "same2@acme.test", "same3@acme.test"]) {
      expect((await call(token, "POST", "/api/v1/users", { email, firstName: "Pat", lastName: "Same" })).status).toBe(201)
    }
    const everyone = (await site.run(Core.listUsers().pipe(asAdmin))).map((u) => u.email)
    expect(everyone.length).toBeGreaterThan(30)
    const walk = async (first: string) => {
      const emails: Array<string> = []
      let next: string | null = first
      for (let page = 0; next !== null && page < 50; page++) {
        const answer = await call(token, "GET", next)
        expect(answer.status).toBe(200)
        emails.push(...answer.body.users.map((u: { email: string }) => u.email))
        const link = answer.headers.get("link")
        if (answer.body.next === null) {
          expect(link).toBeNull()
          next = null
        } else {
          next = /^<([^>]+)>; rel="next"$/.exec(link ?? "")![1]!
          expect(new URL(next, "http://x").searchParams.get("cursor")).toBe(answer.body.next)
        }
      }
      return emails
    }
    const paged = await walk("/api/v1/users?limit=4")
    expect(paged).toEqual(everyone)
    expect(new Set(paged).size).toBe(paged.length)
    // the default page holds them all; a filter is kept from page to page
    expect((await call(token, "GET", "/api/v1/users")).body.users).toHaveLength(everyone.length)
    const acme = (await site.run(Core.listUsers({ status: "provisioned", search: "acme" }).pipe(asAdmin))).map((u) => u.email)
    expect(await walk("/api/v1/users?status=provisioned&search=acme&limit=2")).toEqual(acme)
    // anything else as a cursor, limit or filter is a 400
    for (const bad of ["cursor=nope", "cursor=WyJhIl0", "limit=0", "limit=1001", "limit=2.5", "limit=1e2", "status=gone", "colour=blue", "limit=1&limit=2"]) {
      expect(tagOf(await call(token, "GET", `/api/v1/users?${bad}`)), bad).toEqual([400, "BadRequest"])
    }
    expect(tagOf(await call(token, "GET", "/api/v1/users?org=nowhere"))).toEqual([404, "OrgNotFound"])
  })

  it("suspends and reactivates with If-Match; a transition the lifecycle refuses is 409", async () => {
    const token = await adminToken()
    const { user } = (await call(token, "POST", "/api/v1/users", { email: "sam@acme.test", firstName: "Sam", lastName: "Sus" })).body
    const suspended = await call(token, "POST", `/api/v1/users/${user.id}/suspend`, { reason: "on leave" }, { "if-match": 'W/"1"' })
    expect([suspended.status, suspended.body.status, suspended.headers.get("etag")]).toEqual([200, "suspended", 'W/"2"'])
    expect(tagOf(await call(token, "POST", `/api/v1/users/${user.id}/suspend`))).toEqual([409, "InvalidTransition"])
    expect(tagOf(await call(token, "POST", `/api/v1/users/${user.id}/reactivate`, undefined, { "if-match": 'W/"1"' }))).toEqual([412, "ConcurrentModification"])
    // no body at all is an empty one
    const back = await call(token, "POST", `/api/v1/users/${user.id}/reactivate`)
    expect([back.status, back.body.status, back.headers.get("etag")]).toEqual([200, "provisioned", 'W/"3"'])
    const events = (await site.run(Core.listAudit({ userId: user.id }).pipe(asAdmin))).map((e) => [e.action, e.reason])
    expect(events).toContainEqual(["user.suspend", "on leave"])
  })

  it("deleting answers 202 with the approval request; someone else approves (erased) or denies (kept); the requester may withdraw", async () => {
    const token = await adminToken()
    const make = async (email: string) => (await call(token, "POST", "/api/v1/users", { email, firstName: "Del", lastName: "Ete" })).body.user
    const dee = await make("dee@acme.test")
    expect(tagOf(await call(token, "DELETE", `/api/v1/users/${dee.id}`))).toEqual([400, "ReasonRequired"])
    expect(tagOf(await call(token, "DELETE", `/api/v1/users/${dee.id}?reason=left`, undefined, { "if-match": 'W/"7"' }))).toEqual([412, "ConcurrentModification"])
    const filed = await call(token, "DELETE", `/api/v1/users/${dee.id}?reason=left%20the%20company`, undefined, { "if-match": 'W/"1"' })
    expect(filed.status).toBe(202)
    expect(filed.body).toMatchObject({ _tag: "ApprovalRequested", approval: { action: "user.delete", status: "pending", reason: "left the company", requestedBy: ADMIN, requestedVia: "api" } })
    const id = filed.body.approval.id
    expect(filed.headers.get("location")).toBe(`/api/v1/approvals/${id}`)
    expect(tagOf(await call(token, "DELETE", `/api/v1/users/${dee.id}?reason=again`))).toEqual([409, "ApprovalAlreadyPending"])
    const shown = await call(token, "GET", `/api/v1/approvals/${id}`)
    expect([shown.status, shown.headers.get("etag"), shown.body.summary]).toEqual([200, `W/"${shown.body.version}"`, "Delete the account dee@acme.test"])
    expect(tagOf(await call(token, "POST", `/api/v1/approvals/${id}/approve`))).toEqual([403, "SelfApproval"])
    const listed = await call(approver, "GET", "/api/v1/approvals?status=pending")
    expect(listed.body.approvals.map((a: { id: string }) => a.id)).toContain(id)
    const approved = await call(approver, "POST", `/api/v1/approvals/${id}/approve`, { note: "checked with HR" })
    expect([approved.status, approved.body.executed, approved.body.approval.status, approved.body.approval.decidedBy]).toEqual([200, true, "executed", APPROVER])
    expect(tagOf(await call(token, "GET", `/api/v1/users/${dee.id}`))).toEqual([404, "UserNotFound"])
    expect(tagOf(await call(approver, "POST", `/api/v1/approvals/${id}/approve`))).toEqual([409, "ApprovalNotPending"])

    const don = await make("don@acme.test")
    const second = (await call(token, "DELETE", `/api/v1/users/${don.id}?reason=duplicate`)).body.approval.id
    expect(tagOf(await call(approver, "POST", `/api/v1/approvals/${second}/deny`, {}))).toEqual([400, "ReasonRequired"])
    const denied = await call(approver, "POST", `/api/v1/approvals/${second}/deny`, { reason: "still needed" })
    expect([denied.status, denied.body.status, denied.body.note]).toEqual([200, "denied", "still needed"])
    expect((await call(token, "GET", `/api/v1/users/${don.id}`)).body.user.status).toBe("provisioned")
    const third = (await call(token, "DELETE", `/api/v1/users/${don.id}?reason=duplicate`)).body.approval.id
    expect(tagOf(await call(approver, "POST", `/api/v1/approvals/${third}/cancel`))).toEqual([403, "PermissionDenied"])
    expect((await call(token, "POST", `/api/v1/approvals/${third}/cancel`)).body.status).toBe("canceled")
    expect(tagOf(await call(token, "GET", `/api/v1/approvals/${Core.newId()}`))).toEqual([404, "ApprovalNotFound"])
    expect((await call(token, "GET", "/api/v1/approvals?limit=2")).body.approvals).toHaveLength(2)
  })

  it("the audit log says via api and names the token; verify holds after all of it", async () => {
    const token = await adminToken("the nightly sync")
    const { user } = (await call(token, "POST", "/api/v1/users", { email: "aud@acme.test", firstName: "Au", lastName: "Dit" })).body
    await call(token, "PATCH", `/api/v1/users/${user.id}`, { position: "Auditor" })
    const events = await call(token, "GET", "/api/v1/audit?user=aud@acme.test&limit=10")
    expect(events.status).toBe(200)
    const [update, create] = events.body.events
    expect([update.action, create.action]).toEqual(["user.update", "user.create"])
    const mine = (await site.run(Core.listApiTokens().pipe(asAdmin))).find((t) => t.name === "the nightly sync")!
    for (const event of [update, create]) {
      expect([event.via, event.actor, event.target]).toEqual(["api", (await site.run(Core.showUser(ADMIN).pipe(asAdmin))).user.id, user.id])
      expect(event.details.viaToken).toEqual({ id: mine.id, name: "the nightly sync" })
    }
    const tail = await call(token, "GET", `/api/v1/audit?afterSeq=${create.seq}`)
    expect(tail.body.events.map((e: { seq: number }) => e.seq)).toContain(update.seq)
    const verified = await call(token, "GET", "/api/v1/audit/verify")
    expect([verified.status, verified.body.ok, verified.body.problems]).toEqual([200, true, []])
  })

  it("why and who-can answer with every path; a name that is no permission is 422", async () => {
    const token = await adminToken()
    const why = await call(token, "GET", `/api/v1/why?user=${APPROVER}&permission=approvals.decide&scope=org:acme`)
    expect(why.body).toEqual({
      allowed: true, user: APPROVER, status: "active", permission: "approvals.decide", scope: "org:acme",
      paths: [{ role: "approver", scope: "org:acme", group: null, expiresAt: null }]
    })
    expect((await call(token, "GET", `/api/v1/why?user=${APPROVER}&permission=users.delete`)).body.allowed).toBe(false)
    const who = await call(token, "GET", "/api/v1/who-can?permission=approvals.decide&scope=org:acme")
    expect(who.body.holders.map((h: { user: string }) => h.user)).toEqual([ADMIN, APPROVER])
    expect(tagOf(await call(token, "GET", `/api/v1/why?user=${APPROVER}&permission=Not%20One`))).toEqual([422, "InvalidPermission"])
    expect(tagOf(await call(token, "GET", `/api/v1/why?user=${APPROVER}`))).toEqual([400, "BadRequest"])
    expect(tagOf(await call(token, "GET", "/api/v1/who-can?permission=users.read&scope=org:nowhere"))).toEqual([404, "ScopeNotFound"])
  })

  it("roles, grants, organizations, apps, groups and invitations, as the CLI has them", async () => {
    const token = await adminToken()
    const zoe = "zoe@acme.test"
    expect((await call(token, "GET", "/api/v1/roles")).body.roles.map((r: { name: string }) => r.name)).toContain("approver")
    const role = await call(token, "POST", "/api/v1/roles", { name: "ExpensesController", permissions: ["expenses.approve"] })
    expect([role.status, role.headers.get("etag"), role.headers.get("location")]).toEqual([201, `W/"${role.body.version}"`, "/api/v1/roles/ExpensesController"])
    expect(tagOf(await call(token, "POST", "/api/v1/roles", { name: "ExpensesController", permissions: ["expenses.approve"] }))).toEqual([409, "RoleExists"])
    expect(tagOf(await call(token, "GET", "/api/v1/roles/nope"))).toEqual([404, "RoleNotFound"])

    expect((await call(token, "POST", "/api/v1/orgs", { slug: "beta", name: "Beta" })).status).toBe(201)
    expect((await call(token, "GET", "/api/v1/orgs")).body.organizations.map((o: { slug: string }) => o.slug)).toEqual(["acme", "beta"])
    expect((await call(token, "POST", "/api/v1/apps", { app: "acme/wiki" })).body.scope).toBe("app:acme/wiki")
    expect(tagOf(await call(token, "POST", "/api/v1/apps", { app: "acme/wiki" }))).toEqual([409, "AppExists"])
    expect((await call(token, "GET", "/api/v1/apps")).body.apps.map((a: { scope: string }) => a.scope)).toEqual(["app:acme/wiki"])

    const grant = { role: "ExpensesController", to: { user: zoe }, scope: "app:acme/wiki" }
    const granted = await call(token, "POST", "/api/v1/grants", grant)
    expect([granted.status, granted.body.created, granted.body.principal]).toEqual([201, true, zoe])
    expect((await call(token, "POST", "/api/v1/grants", grant)).status).toBe(200)
    expect((await call(token, "GET", "/api/v1/roles/ExpensesController")).body.holders).toEqual([{ principalType: "user", principal: zoe, scope: "app:acme/wiki", expiresAt: null }])
    expect(tagOf(await call(token, "DELETE", "/api/v1/grants?role=ExpensesController&scope=app:acme/wiki"))).toEqual([400, "BadRequest"])
    expect((await call(token, "DELETE", `/api/v1/grants?role=ExpensesController&user=${zoe}&scope=app:acme/wiki`)).body).toEqual({ role: "ExpensesController", scope: "app:acme/wiki", principal: zoe })
    expect(tagOf(await call(token, "DELETE", `/api/v1/grants?role=ExpensesController&user=${zoe}&scope=app:acme/wiki`))).toEqual([404, "GrantNotFound"])

    const group = await call(token, "POST", "/api/v1/groups", { name: "Night Shift" })
    expect([group.status, group.headers.get("location")]).toEqual([201, "/api/v1/groups/acme/Night%20Shift/members"])
    expect((await call(token, "POST", "/api/v1/groups/acme/Night%20Shift/members", { users: [zoe, APPROVER] })).body.results).toEqual([{ user: zoe, added: true }, { user: APPROVER, added: true }])
    expect((await call(token, "GET", "/api/v1/groups?org=acme")).body.groups.find((g: { name: string }) => g.name === "Night Shift").members).toBe(2)
    expect((await call(token, "GET", "/api/v1/groups/acme/Night%20Shift/members")).body.members.map((m: { email: string }) => m.email)).toEqual([APPROVER, zoe])
    expect((await call(token, "DELETE", `/api/v1/groups/acme/Night%20Shift/members?user=${zoe}&user=${APPROVER}`)).body.removed).toEqual([zoe, APPROVER])
    expect(tagOf(await call(token, "DELETE", `/api/v1/groups/acme/Night%20Shift/members?user=${zoe}`))).toEqual([409, "NotAMember"])
    expect((await call(token, "DELETE", "/api/v1/groups/acme/Night%20Shift")).body).toEqual({ group: "acme/Night Shift", members: 0 })
    expect(tagOf(await call(token, "DELETE", "/api/v1/groups/acme/Night%20Shift"))).toEqual([404, "GroupNotFound"])

    expect((await call(token, "POST", "/api/v1/orgs/beta/members", { users: [zoe, APPROVER] })).body.results.map((r: { added: boolean }) => r.added)).toEqual([true, true])
    const one = await call(token, "DELETE", `/api/v1/orgs/beta/members?user=${zoe}`)
    expect([one.status, one.body]).toEqual([200, { _tag: "MembersRemoved", org: "beta", removed: [zoe] }])
    await call(token, "POST", "/api/v1/orgs/beta/members", { users: [zoe] })
    // removing two at once waits for approval: at beta nobody but the requester could decide it, at acme the approver can
    expect(tagOf(await call(token, "DELETE", `/api/v1/orgs/beta/members?user=${zoe}&user=${APPROVER}&reason=reorg`))).toEqual([409, "NoEligibleApprover"])
    const two = await call(token, "DELETE", `/api/v1/orgs/acme/members?user=${zoe}&user=sam@acme.test&reason=reorg`)
    expect([two.status, two.body.approval.action, two.body.approval.status]).toEqual([202, "org.members.remove", "pending"])

    const invited = await call(token, "POST", "/api/v1/invitations", { email: "ivy@acme.test", firstName: "Ivy", lastName: "New", link: true })
    expect([invited.status, invited.body.invitation.status, invited.headers.get("location")]).toEqual([201, "pending", `/api/v1/users/${invited.body.invitation.userId}`])
    expect(invited.body.link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/)
    expect((await call(token, "GET", "/api/v1/invitations?status=pending")).body.invitations.map((i: { email: string }) => i.email)).toEqual(["ivy@acme.test"])
    const resent = await call(token, "POST", "/api/v1/invitations/ivy@acme.test/resend", { link: true })
    expect([resent.status, resent.body.invitation.sentCount, resent.body.link === invited.body.link]).toEqual([200, 2, false])
    expect((await call(token, "POST", "/api/v1/invitations/ivy@acme.test/resend")).body.mail.status).toBe("sent")
    expect((await call(token, "DELETE", "/api/v1/invitations/ivy@acme.test")).body).toEqual({ invitation: invited.body.invitation.id, email: "ivy@acme.test", org: "acme" })
    expect(tagOf(await call(token, "DELETE", "/api/v1/invitations/ivy@acme.test"))).toEqual([404, "InvitationNotFound"])

    // where configuration gates admin grants, granting one files a request: 202
    await site.run(Core.setSetting("approval.gates", "admin-grants").pipe(asAdmin))
    try {
      const gated = await call(token, "POST", "/api/v1/grants", { role: "org-admin", to: { user: zoe }, scope: "org:acme", reason: "runs the wiki" })
      expect([gated.status, gated.body._tag, gated.headers.get("location")]).toEqual([202, "ApprovalRequested", `/api/v1/approvals/${gated.body.approval.id}`])
    } finally {
      await site.run(Core.setSetting("approval.gates", "none").pipe(asAdmin))
    }
  })

  it("every refusal is problem+json with core's error tag: 400, 401, 403, 404, 409, 413, 422", async () => {
    const token = await adminToken()
    const none = await call(null, "GET", "/api/v1/users")
    expect([...tagOf(none), none.headers.get("www-authenticate")]).toEqual([401, "ApiTokenRejected", 'Bearer realm="usher"'])
    expect(tagOf(await call(`${token}x`, "GET", "/api/v1/users"))).toEqual([401, "ApiTokenRejected"])
    expect(tagOf(await call("not-a-token", "GET", "/api/v1/users"))).toEqual([401, "ApiTokenRejected"])
    // a token limited to another API calls nothing here, whatever its owner may do; an unlimited one may
    for (const only of ["check", "scim"]) {
      expect(tagOf(await call(await adminToken(only, only), "GET", "/api/v1/users")), only).toEqual([403, "ApiTokenNotForThis"])
    }
    expect((await call(await adminToken("any", undefined), "GET", "/api/v1/roles")).status).toBe(200)
    const acmeOnly = (await site.run(Core.createApiToken({ name: "acme only", only: "admin", org: "acme" }).pipe(asAdmin))).secret
    expect(tagOf(await call(acmeOnly, "GET", "/api/v1/roles"))).toEqual([403, "ApiTokenNotForThis"])
    // a token acts as its owner, never more: the approver may not create accounts
    const refused = await call(approver, "POST", "/api/v1/users", { email: "new@acme.test", firstName: "N", lastName: "E" })
    expect(tagOf(refused)).toEqual([403, "PermissionDenied"])
    expect(refused.body.detail).toContain("users.create")

    expect(tagOf(await call(token, "POST", "/api/v1/users", undefined, { "content-type": "application/json" }))).toEqual([400, "BadRequest"])
    expect(tagOf(await call(token, "POST", "/api/v1/users", "{not json"))).toEqual([400, "BadRequest"])
    const missing = await call(token, "POST", "/api/v1/users", { email: "x@acme.test" })
    expect([...tagOf(missing), missing.body.detail]).toEqual([400, "BadRequest", expect.stringContaining("firstName")])
    expect(tagOf(await call(token, "POST", "/api/v1/users", { email: "x@acme.test", firstName: "X", lastName: "Y", colour: "red" }))).toEqual([400, "BadRequest"])
    expect(tagOf(await call(token, "PATCH", "/api/v1/users/zoe@acme.test", { position: 42 }))).toEqual([400, "BadRequest"])
    expect(tagOf(await call(token, "POST", "/api/v1/users", "x".repeat(1024 * 1024 + 10)))).toEqual([413, "BodyTooLarge"])

    expect(tagOf(await call(token, "GET", "/api/v1/users/ghost@acme.test"))).toEqual([404, "UserNotFound"])
    for (const [method, path] of [["GET", "/api/v1/nothing"], ["PUT", "/api/v1/users"], ["GET", "/api/v2/users"]] as const) {
      const unknown = await call(token, method, path)
      expect([unknown.status, unknown.headers.get("content-type"), unknown.body.error], `${method} ${path}`).toEqual([404, "application/problem+json", "PageNotFound"])
    }
    expect(tagOf(await call(token, "POST", "/api/v1/users", { email: "zoe@acme.test", firstName: "Zoe", lastName: "Again" }))).toEqual([409, "EmailTaken"])
    expect(tagOf(await call(token, "POST", "/api/v1/users", { email: "not an address", firstName: "N", lastName: "O" }))).toEqual([422, "InvalidEmail"])
    expect(tagOf(await call(token, "PATCH", "/api/v1/users/zoe@acme.test", { phone: "12" }))).toEqual([422, "InvalidPhone"])
  })

  it("a token's request budget: past it, 429 with Retry-After, and other tokens are not held back", async () => {
    const token = await adminToken()
    const answers = await Promise.all(Array.from({ length: BUDGET + 1 }, () => call(token, "GET", "/api/v1/orgs")))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(BUDGET)
    const [over] = answers.filter((a) => a.status !== 200)
    expect(tagOf(over!)).toEqual([429, "TooManyRequests"])
    expect(Number(over!.headers.get("retry-after"))).toBeGreaterThan(0)
    expect((await call(await adminToken(), "GET", "/api/v1/orgs")).status).toBe(200)
  })

  it("the OpenAPI 3.1 document is generated from the table: every operation, nothing more, every reference resolving; no token needed", async () => {
    const response = await fetch(`${site.server.url}/api/openapi.json`)
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "application/json"])
    const document = await response.json() as any
    expect(document.openapi).toMatch(/^3\.1\.\d+$/)
    const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`))
    // the table's operations and the check API's, which has a handler of its own
    const documented: ReadonlyArray<RouteDoc> = [...adminApi, checkOperation]
    expect(operations.sort()).toEqual(documented.map((r) => `${r.method} ${openApiPath(r.path)} ${r.operationId}`).sort())
    expect(new Set(documented.map((r) => r.operationId)).size).toBe(documented.length)
    const tags = new Set((document.tags as Array<{ name: string }>).map((t) => t.name))
    for (const route of documented) {
      const operation = document.paths[openApiPath(route.path)][route.method.toLowerCase()]
      expect(tags.has(operation.tags[0]), route.operationId).toBe(true)
      expect(Object.keys(operation.responses).length, route.operationId).toBeGreaterThan(1)
      for (const status of [...Object.keys(route.responses), ...errorsOf(route).map(String)]) {
        expect(operation.responses[status], `${route.operationId} ${status}`).toBeDefined()
      }
      const inPath = (operation.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name)
      expect(inPath, route.operationId).toEqual(pathParams(route.path))
      expect(operation.parameters?.some((p: any) => p.$ref === "#/components/parameters/IfMatch") ?? false, route.operationId).toBe(route.ifMatch === true)
    }
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" })
    expect(document.security).toEqual([{ bearer: [] }])
    // the OpenAPI 3.1 schema itself (a validator of the specification's JSON Schema), then what it cannot see: every reference resolving
    const validator = new Validator()
    const verdict = await validator.validate(structuredClone(document))
    expect(verdict.errors ?? [], JSON.stringify(verdict.errors ?? []).slice(0, 2000)).toEqual([])
    expect([verdict.valid, validator.version]).toEqual([true, "3.1"])
    // and it does refuse a broken one
    expect((await new Validator().validate({ ...structuredClone(document), info: undefined, paths: { "/x": { get: { responses: "none" } } } })).valid).toBe(false)
    const refs: Array<string> = []
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk)
      else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
          if (key === "$ref") refs.push(inner as string)
          else walk(inner)
        }
      }
    }
    walk(document)
    expect(refs.length).toBeGreaterThan(50)
    for (const ref of new Set(refs)) {
      expect(ref, ref).toMatch(/^#\/components\/(schemas|responses|headers|parameters)\/[A-Za-z0-9._-]+$/)
      const target = ref.slice(2).split("/").reduce<any>((at, key) => at?.[key], document)
      expect(target, ref).toBeDefined()
    }
    expect(JSON.stringify(document)).not.toContain("$defs")
    for (const problem of Object.values(document.components.responses as Record<string, any>)) {
      expect(problem.content["application/problem+json"].schema).toEqual({ $ref: "#/components/schemas/Problem" })
    }
  })

  it("the docs page is plain HTML from the document, listing every operation, with no script", async () => {
    const response = await fetch(`${site.server.url}/api/docs`)
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"])
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'")
    const page = await response.text()
    expect(page).not.toMatch(/<script|https?:\/\/(?!json-schema)/i)
    for (const route of adminApi) {
      expect(page, route.operationId).toContain(`id="${route.operationId}"`)
      expect(page, route.operationId).toContain(`<span class="method">${route.method}</span> <code>${openApiPath(route.path)}</code>`)
    }
    for (const sheet of ["/assets/usher.css", "/api/docs.css"]) {
      expect(page).toContain(`href="${sheet}"`)
      expect((await fetch(`${site.server.url}${sheet}`)).status, sheet).toBe(200)
    }
  })

  it("every operation of the table answered a success in these tests", () => {
    const unanswered = adminApi.filter((r) => !Object.keys(r.responses).some((status) => seen.has(`${r.operationId} ${status}`)))
    expect(unanswered.map((r) => r.operationId)).toEqual([])
  })
})
