import * as Core from "@usher/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { asAdmin, openSite, PASSWORD, personWithPassword, type Site } from "./support.js"

/** A browser's cookie jar, just enough for these requests. */
class Client {
  readonly cookies = new Map<string, string>()
  constructor(readonly site: Site) {}
  async request(path: string, init: RequestInit & { form?: Record<string, string> } = {}) {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "))
    let body = init.body
    if (init.form !== undefined) {
      headers.set("content-type", "application/x-www-form-urlencoded")
      body = new URLSearchParams(init.form).toString()
    }
    const response = await fetch(`${this.site.server.url}${path}`, { ...init, headers, body: body ?? null, redirect: "manual" })
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(";")
      const [name, value] = pair!.split("=")
      if (value === "" || /max-age=0/i.test(set)) this.cookies.delete(name!)
      else this.cookies.set(name!, value!)
    }
    return response
  }
  /** The CSRF token of this client's pages (GET one first). */
  get csrf() {
    return this.cookies.get("usher_csrf") ?? ""
  }
}

let site: Site
beforeAll(async () => {
  site = await openSite({ limits: {
    signIn: { perIp: 1000, perAccount: 1000, windowSeconds: 900 },
    accept: { perIp: 1000, perAccount: 1000, windowSeconds: 900 },
    reset: { perIp: 1000, perAccount: 1000, windowSeconds: 900 },
    newLink: { perIp: 3, perAccount: 2, windowSeconds: 3600 },
    idp: { perIp: 1000, perAccount: 1000, windowSeconds: 900 }
  } })
})
afterAll(async () => {
  await site.close()
})

const tokenOf = (link: string) => link.slice(link.lastIndexOf("/") + 1)

describe("usher serve over HTTP", () => {
  it("every page carries the security headers; pages that hold a token send no referrer and are not cached", async () => {
    const client = new Client(site)
    const sent = await site.run(Core.inviteUser({ email: "h@acme.test", link: true }).pipe(asAdmin))
    for (const path of ["/signin", `/invite/${tokenOf(sent.link!)}`, "/reset/nonsense", "/nowhere", "/assets/usher.css"]) {
      const response = await client.request(path)
      // no identity provider configured: forms go nowhere but usher
      expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'self'; form-action 'self';/)
      expect(response.headers.get("x-frame-options")).toBe("DENY")
      expect(response.headers.get("x-content-type-options")).toBe("nosniff")
      expect(response.headers.get("referrer-policy")).toBe("no-referrer")
      if (response.headers.get("content-type")?.startsWith("text/html")) expect(response.headers.get("cache-control")).toBe("no-store")
    }
    expect((await client.request("/nowhere")).status).toBe(404)
    expect((await client.request("/reset/nonsense")).status).toBe(410)
    const css = await client.request("/assets/usher.css")
    expect([css.status, css.headers.get("content-type")]).toEqual([200, "text/css; charset=utf-8"])
  })

  it("the session cookie is HttpOnly and SameSite=Lax; a POST without the CSRF token, or with another, is refused and signs nobody in", async () => {
    await personWithPassword(site, "csrf@acme.test")
    const client = new Client(site)
    await client.request("/signin")
    expect(client.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const missing = await client.request("/signin", { method: "POST", form: { email: "csrf@acme.test", password: PASSWORD } })
    expect(missing.status).toBe(403)
    expect(await missing.text()).toContain("Form expired")
    const wrong = await client.request("/signin", { method: "POST", form: { _csrf: Core.Credentials.newToken(), email: "csrf@acme.test", password: PASSWORD } })
    expect(wrong.status).toBe(403)
    // another site's page cannot read the cookie: a forged form with its own token and no cookie fails too
    const forger = new Client(site)
    const forged = await forger.request("/signin", { method: "POST", form: { _csrf: client.csrf, email: "csrf@acme.test", password: PASSWORD } })
    expect(forged.status).toBe(403)
    expect(client.cookies.has("usher_session")).toBe(false)
    const good = await client.request("/signin", { method: "POST", form: { _csrf: client.csrf, email: "csrf@acme.test", password: PASSWORD, next: "https://evil.test/x" } })
    expect(good.status).toBe(303)
    expect(good.headers.get("location")).toBe("/account")
    const cookie = good.headers.getSetCookie().find((c) => c.startsWith("usher_session="))!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).not.toMatch(/Secure/)
    expect((await client.request("/account")).status).toBe(200)
    // signing in again gives a new session id and ends the one the browser held
    const first = client.cookies.get("usher_session")!
    await client.request("/signin", { method: "POST", form: { _csrf: client.csrf, email: "csrf@acme.test", password: PASSWORD } })
    expect(client.cookies.get("usher_session")).not.toBe(first)
    const stale = new Client(site)
    stale.cookies.set("usher_session", first)
    expect((await stale.request("/account")).status).toBe(303)
    // a POST on the account page without the token changes nothing
    const refused = await client.request("/account/profile", { method: "POST", form: { firstName: "X", lastName: "Y", phone: "" } })
    expect(refused.status).toBe(403)
  })

  it("a name with <script> is shown as text, on the account page and the invitation", async () => {
    await personWithPassword(site, "xss@acme.test", { firstName: "<script>alert(1)</script>", lastName: "\"><img src=x>" })
    const sent = await site.run(Core.inviteUser({ email: "inv-xss@acme.test", firstName: "<script>x</script>", lastName: "Q", link: true }).pipe(asAdmin))
    const client = new Client(site)
    await client.request("/signin")
    await client.request("/signin", { method: "POST", form: { _csrf: client.csrf, email: "xss@acme.test", password: PASSWORD } })
    const account = await (await client.request("/account")).text()
    expect(account).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
    expect(account).toContain("&quot;&gt;&lt;img src=x&gt;")
    expect(account).not.toContain("<script>")
    expect(account).not.toContain("<img src=x>")
    const invite = await (await client.request(`/invite/${tokenOf(sent.link!)}`)).text()
    expect(invite).toContain("inv-xss@acme.test")
    expect(invite).not.toContain("<script>")
  })

  it("GET /invite/{token} does not spend the link: after any number of looks it can still be accepted", async () => {
    const sent = await site.run(Core.inviteUser({ email: "look@acme.test", firstName: "Lou", lastName: "Look", link: true }).pipe(asAdmin))
    const client = new Client(site)
    for (let i = 0; i < 3; i++) {
      const look = await client.request(`/invite/${tokenOf(sent.link!)}`)
      expect(look.status).toBe(200)
      expect(await look.text()).toContain("Ada Admin")
    }
    const accepted = await client.request(`/invite/${tokenOf(sent.link!)}`, { method: "POST", form: { _csrf: client.csrf, password: PASSWORD, confirm: PASSWORD } })
    expect([accepted.status, accepted.headers.get("location")]).toEqual([303, "/account"])
    const again = await client.request(`/invite/${tokenOf(sent.link!)}`)
    expect(again.status).toBe(410)
    expect(await again.text()).toContain("Ask for a new link")
  })

  it("asking for a new link too often answers 429 with Retry-After", async () => {
    const sent = await site.run(Core.inviteUser({ email: "often@acme.test", firstName: "O", lastName: "Often", link: true }).pipe(asAdmin))
    await site.run(Core.cancelInvitation("often@acme.test").pipe(asAdmin))
    const client = new Client(site)
    await client.request(`/invite/${tokenOf(sent.link!)}`)
    const statuses = []
    for (let i = 0; i < 3; i++) {
      const r = await client.request(`/invite/${tokenOf(sent.link!)}/new-link`, { method: "POST", form: { _csrf: client.csrf } })
      statuses.push(r.status)
      if (r.status === 429) expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0)
    }
    expect(statuses).toEqual([200, 200, 429])
  })

  it("sign-in answers 429 past the per-address limit, before any password is checked; each limit is per purpose", async () => {
    const strict = await openSite({ limits: {
      signIn: { perIp: 2, perAccount: 100, windowSeconds: 900 },
      accept: { perIp: 100, perAccount: 100, windowSeconds: 900 },
      reset: { perIp: 100, perAccount: 100, windowSeconds: 900 },
      newLink: { perIp: 100, perAccount: 100, windowSeconds: 900 },
      idp: { perIp: 100, perAccount: 100, windowSeconds: 900 }
    } })
    try {
      const client = new Client(strict)
      await client.request("/signin")
      const statuses = []
      for (const email of ["a@acme.test", "b@acme.test", "c@acme.test"]) {
        statuses.push((await client.request("/signin", { method: "POST", form: { _csrf: client.csrf, email, password: "wrong password here" } })).status)
      }
      expect(statuses).toEqual([401, 401, 429])
      // the reset page is another purpose: not limited by sign-in's count
      expect((await client.request("/reset/nonsense", { method: "POST", form: { _csrf: client.csrf, password: PASSWORD, confirm: PASSWORD } })).status).toBe(410)
    } finally {
      await strict.close()
    }
  })

  it("the account page edits my names and phone, and changes my password ending my other sessions", async () => {
    await personWithPassword(site, "self@acme.test")
    const [laptop, phone] = [new Client(site), new Client(site)]
    for (const client of [laptop, phone]) {
      await client.request("/signin")
      expect((await client.request("/signin", { method: "POST", form: { _csrf: client.csrf, email: "self@acme.test", password: PASSWORD } })).status).toBe(303)
    }
    const saved = await laptop.request("/account/profile", { method: "POST", form: { _csrf: laptop.csrf, firstName: "Selma", lastName: "Self", phone: "+41 44 668 18 00" } })
    expect([saved.status, saved.headers.get("location")]).toEqual([303, "/account?done=profile#profile"])
    const page = await (await laptop.request("/account?done=profile")).text()
    expect(page).toContain("Your profile was saved.")
    expect(page).toContain("value=\"Selma\"")
    expect(page).toContain("value=\"+41446681800\"")
    const badPhone = await laptop.request("/account/profile", { method: "POST", form: { _csrf: laptop.csrf, firstName: "Selma", lastName: "Self", phone: "call me" } })
    expect(badPhone.status).toBe(422)
    const differ = await laptop.request("/account/password", { method: "POST", form: { _csrf: laptop.csrf, currentPassword: PASSWORD, password: "one new password here", confirm: "another new password" } })
    expect(differ.status).toBe(422)
    expect(await differ.text()).toContain("The passwords differ")
    const changed = await laptop.request("/account/password", { method: "POST", form: { _csrf: laptop.csrf, currentPassword: PASSWORD, password: "one new password here", confirm: "one new password here" } })
    expect(changed.status).toBe(303)
    expect((await laptop.request("/account")).status).toBe(200)
    const gone = await phone.request("/account")
    expect([gone.status, gone.headers.get("location")]).toEqual([303, "/signin?next=%2Faccount"])
  })

  it("a request body over the limit is refused with 413", async () => {
    const client = new Client(site)
    await client.request("/signin")
    const r = await client.request("/signin", { method: "POST", form: { _csrf: client.csrf, email: "a@acme.test", password: "x".repeat(20_000) } })
    expect(r.status).toBe(413)
  })
})
