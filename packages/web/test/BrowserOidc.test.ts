/**
 * Sign-in with the company's identity provider through the pages, in a real browser: Chromium
 * clicks usher's button, signs in at a real OpenID provider (oidc-provider on loopback, under
 * another host name than usher's, so the round trip is cross-site as in production) and comes
 * back. Also linking from /account, and the attacks on the callback.
 */
import * as Core from "@usher/core"
import { startIdentityProvider, type TestIdentityProvider } from "@usher/testkit"
import { Effect, Either } from "effect"
import { createServer } from "node:net"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { oidcConfigFromEnv } from "../src/oidc/client.js"
import { asAdmin, ENGINE, openSite, PASSWORD, personWithPassword, type Site } from "./support.js"

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]

/** A free loopback port: the provider must know usher's redirect URI before usher starts. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

let idp: TestIdentityProvider
let site: Site
let browser: Browser
/** usher as the browser reaches it: `localhost`, while the provider is at 127.0.0.1 */
let usher: string

beforeAll(async () => {
  const port = await freePort()
  usher = `http://localhost:${port}`
  idp = await startIdentityProvider({ redirectUri: `${usher}/signin/oidc/callback` })
  const config = Either.getOrThrow(oidcConfigFromEnv({
    USHER_OIDC_ISSUER: idp.issuer,
    USHER_OIDC_CLIENT_ID: idp.client.clientId,
    USHER_OIDC_CLIENT_SECRET: idp.client.clientSecret,
    USHER_PUBLIC_URL: usher
  }))!
  site = await openSite({ port, publicUrl: usher, oidc: { config, name: "Acme SSO" } })
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await site?.close()
  await idp?.close()
})

const openPage = async (): Promise<Page> => (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()

const settings = (values: Record<string, string>) =>
  site.run(Effect.forEach(Object.entries(values), ([key, value]) => Core.setSetting(key, value)).pipe(asAdmin))

/** At the provider's login page: picks the account, as the person would. */
const atProvider = async (page: Page, subject: string) => {
  await page.waitForURL((url) => url.origin === idp.issuer)
  await page.getByRole("link", { name: `Sign in as ${subject}` }).click()
}

const cookieNames = async (page: Page) => (await page.context().cookies(usher)).map((c) => c.name)

describe(`sign-in with the company's identity provider in a browser (${ENGINE})`, () => {
  it("the button on /signin goes to the provider and back: a new person is registered, signed in, and lands where they were going", async () => {
    await settings({ "oidc.auto-register": "active" })
    idp.setAccount("kim-1", { email: "kim@acme.test", givenName: "Kim", familyName: "Lee" })
    const page = await openPage()
    await page.goto(`${usher}/account`)
    await page.waitForURL(/\/signin\?next=%2Faccount$/)
    await page.getByRole("link", { name: "Sign in with Acme SSO" }).click()
    await atProvider(page, "kim-1")
    await page.waitForURL(`${usher}/account`)
    expect(await page.locator("main").textContent()).toContain("Signed in as kim@acme.test")
    expect(await page.getByLabel("First name").inputValue()).toBe("Kim")
    const linked = await page.getByRole("list", { name: "Your company sign-ins" }).textContent()
    expect(linked).toContain(idp.issuer)
    // registered through the provider: no password to change, and the page says how to get one
    expect(await page.locator("main").textContent()).toContain("You have no password here")
    expect(await page.getByLabel("Current password").count()).toBe(0)
    // the round trip's checks are single-use: the cookie is gone once the callback answered
    expect(await cookieNames(page)).not.toContain("usher_oidc")
    expect(await cookieNames(page)).toContain("usher_session")
    await page.screenshot({ path: `/tmp/usher-web-${ENGINE}-oidc-account.png`, fullPage: true })
    await page.context().close()
  })

  it("a person with a password is told to link first; after linking on /account the provider signs them in", async () => {
    await personWithPassword(site, "pat@acme.test")
    idp.setAccount("pat-1", { email: "pat@acme.test", givenName: "Pat", familyName: "Person" })
    const page = await openPage()
    await page.goto(`${usher}/signin`)
    await page.getByRole("link", { name: "Sign in with Acme SSO" }).click()
    await atProvider(page, "pat-1")
    await page.waitForURL((url) => url.pathname === "/signin/oidc/callback")
    expect(await page.locator("[role=alert]").textContent()).toContain("Sign in with your password first")
    expect(await cookieNames(page)).not.toContain("usher_session")
    await page.screenshot({ path: `/tmp/usher-web-${ENGINE}-oidc-link-required.png`, fullPage: true })

    await page.getByLabel("E-mail").fill("pat@acme.test")
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await page.getByRole("button", { name: "Sign in", exact: true }).click()
    await page.waitForURL(`${usher}/account`)
    // the link button is a form whose answer redirects to the provider: its origin, and only it, is allowed besides usher
    const csp = (await page.request.get(`${usher}/account`)).headers()["content-security-policy"]
    expect(csp).toContain(`form-action 'self' ${new URL(idp.issuer).origin};`)
    await page.getByRole("button", { name: "Use Acme SSO to sign in" }).click()
    await page.waitForURL(/\/account\?done=linked/)
    expect(await page.locator("[role=status]").textContent()).toContain("linked to your company account")
    expect(await page.getByRole("button", { name: "Use Acme SSO to sign in" }).count()).toBe(0)
    await page.getByRole("button", { name: "Sign out" }).first().click()
    await page.waitForURL(/done=signout/)

    await page.getByRole("link", { name: "Sign in with Acme SSO" }).click()
    await page.waitForURL(`${usher}/account`)
    expect(await page.locator("main").textContent()).toContain("Signed in as pat@acme.test")
    await page.context().close()
  })

  it("pending registration: the page says it waits for an administrator, and the approval lets the person in", async () => {
    await settings({ "oidc.auto-register": "pending" })
    idp.setAccount("new-1", { email: "newcomer@acme.test", givenName: "New", familyName: "Comer" })
    const page = await openPage()
    await page.goto(`${usher}/signin`)
    await page.getByRole("link", { name: "Sign in with Acme SSO" }).click()
    await atProvider(page, "new-1")
    await page.waitForURL((url) => url.pathname === "/signin/oidc/callback")
    expect(await page.locator("[role=alert]").textContent()).toContain("Waiting for approval")
    const [request] = await site.run(Core.listApprovals({ status: "pending" }).pipe(asAdmin))
    await site.run(Core.approveRequest(request!.id).pipe(asAdmin))
    await page.goto(`${usher}/signin`)
    await page.getByRole("link", { name: "Sign in with Acme SSO" }).click()
    await page.waitForURL(`${usher}/account`)
    expect(await page.locator("main").textContent()).toContain("Signed in as newcomer@acme.test")
    await page.context().close()
  })

  it("login CSRF: a callback URL from someone else's round trip signs nobody in, with or without a sign-in of one's own started", async () => {
    await settings({ "oidc.auto-register": "active" })
    idp.setAccount("mallory", { email: "mallory@acme.test" })
    // the attacker starts a sign-in of their own and goes through the provider, keeping the callback URL instead of following it
    const started = await fetch(`${usher.replace("localhost", "127.0.0.1")}/signin/oidc`, { redirect: "manual" })
    expect(started.status).toBe(303)
    const stolen = (await idp.signIn(started.headers.get("location")!, "mallory")).href
    expect(stolen).toContain("code=")

    const victim = await openPage()
    const answer = await victim.goto(stolen)
    expect(answer?.status()).toBe(400)
    expect(await victim.locator("[role=alert]").textContent()).toContain("Company sign-in failed")
    expect(await cookieNames(victim)).not.toContain("usher_session")

    // the victim had started a sign-in of their own (their state in their cookie): still refused
    await victim.goto(`${usher}/signin`)
    await victim.getByRole("link", { name: "Sign in with Acme SSO" }).click()
    await victim.waitForURL((url) => url.origin === idp.issuer)
    expect((await victim.goto(stolen))?.status()).toBe(400)
    expect(await cookieNames(victim)).not.toContain("usher_session")
    const users = await site.run(Core.listUsers({ search: "mallory" }).pipe(asAdmin))
    expect(users).toEqual([])
    await victim.context().close()
  })
})

describe("without a reachable provider", () => {
  it("the server starts, the password sign-in works, and the button says company sign-in is unavailable", async () => {
    const down = await openSite({
      oidc: { config: Either.getOrThrow(oidcConfigFromEnv({ USHER_OIDC_ISSUER: "http://127.0.0.1:9/", USHER_OIDC_CLIENT_ID: "usher", USHER_OIDC_CLIENT_SECRET: "s" }))! }
    })
    try {
      const page = await openPage()
      await page.goto(`${down.server.url}/signin`)
      await page.getByRole("link", { name: "Sign in with your company account" }).click()
      expect(await page.locator("h1").textContent()).toBe("Company sign-in unavailable")
      await personWithPassword(down, "pw@acme.test")
      await page.goto(`${down.server.url}/signin`)
      await page.getByLabel("E-mail").fill("pw@acme.test")
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
      await page.getByRole("button", { name: "Sign in", exact: true }).click()
      await page.waitForURL(`${down.server.url}/account`)
      await page.context().close()
    } finally {
      await down.close()
    }
  })
})
