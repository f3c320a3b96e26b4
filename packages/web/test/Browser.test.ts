/**
 * The pages in a real browser (Chromium, headless, driven by playwright-core): each flow as a
 * person goes through it, from the link in the delivered mail to the account page.
 */
import { SqlClient } from "@effect/sql"
import * as Core from "@usher/core"
import { Effect } from "effect"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { asAdmin, ENGINE, linkInMail, mailsMatching, openSite, PASSWORD, personWithPassword, type Site } from "./support.js"

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]

let site: Site
let browser: Browser
beforeAll(async () => {
  site = await openSite()
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await site?.close()
})

const NEW_PASSWORD = "a brand new long password"

/** A fresh browser profile (its own cookies) with a page at a width. */
const openPage = async (width = 1280): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width, height: 900 } })
  return context.newPage()
}

/** Saves what a page looks like at phone and desktop width (the screenshots are looked at by a person). */
const screenshots = async (page: Page, name: string) => {
  for (const [label, width] of [["phone", 390], ["desktop", 1280]] as const) {
    await page.setViewportSize({ width, height: 900 })
    await page.screenshot({ path: `/tmp/usher-web-${ENGINE}-${name}-${label}.png`, fullPage: true })
  }
}

const signIn = async (page: Page, email: string, password: string) => {
  await page.goto(`${site.server.url}/signin`)
  await page.getByLabel("E-mail").fill(email)
  await page.getByLabel("Password", { exact: true }).fill(password)
  await page.getByRole("button", { name: "Sign in" }).click()
}

describe("the pages in a browser", () => {
  it("an invitee opens the link from the mail, gives names and a password, and lands signed in on the account page", async () => {
    const sent = await site.run(Core.inviteUser({ email: "grace@acme.test", roles: ["auditor"] }).pipe(asAdmin))
    const link = await linkInMail(site, sent.mail!.file!, "invite")
    const page = await openPage()
    await page.goto(link)
    await expect.poll(() => page.locator("h1").textContent()).toBe("Join Acme")
    expect(await page.locator("main").textContent()).toContain("Ada Admin")
    expect(await page.locator("main").textContent()).toContain("auditor@org:acme")
    expect(await page.locator("html").getAttribute("lang")).toBe("en")
    expect(await page.locator("input[name=username]").getAttribute("autocomplete")).toBe("username")
    expect(await page.getByLabel("New password", { exact: true }).getAttribute("autocomplete")).toBe("new-password")
    expect(await page.locator("#f-password-hint").textContent()).toContain(`At least ${Core.Credentials.PASSWORD_MIN} characters`)
    await screenshots(page, "invite")
    await page.getByLabel("First name").fill("Grace")
    await page.getByLabel("Last name").fill("Hopper")
    await page.getByLabel("New password", { exact: true }).fill(PASSWORD)
    await page.getByLabel("New password, again").fill(PASSWORD)
    await page.getByRole("button", { name: "Activate my account" }).click()
    await page.waitForURL(`${site.server.url}/account`)
    expect(await page.locator("main").textContent()).toContain("Signed in as grace@acme.test")
    expect(await page.getByLabel("First name").inputValue()).toBe("Grace")
    expect(await page.locator("main").textContent()).toContain("granted to you directly by Ada Admin")
    expect(await page.locator("header").textContent()).toContain("Acme")
    await screenshots(page, "account")
    await page.context().close()
  })

  it("an expired link says so and asks for a new one: the inviter is mailed", async () => {
    const sent = await site.run(Core.inviteUser({ email: "late@acme.test", firstName: "Lee", lastName: "Late" }).pipe(asAdmin))
    const link = await linkInMail(site, sent.mail!.file!, "invite")
    // the week passes: the link's expiry moved into the past, as the clock would
    await site.run(Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql`UPDATE tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = ${sent.invitation.userId}`).pipe(Effect.orDie))
    const page = await openPage(390)
    const response = await page.goto(link)
    expect(response?.status()).toBe(410)
    expect(await page.locator("h1").textContent()).toBe("This invitation link no longer works")
    await screenshots(page, "link-gone")
    await page.getByRole("button", { name: "Ask for a new link" }).click()
    await expect.poll(() => page.locator("h1").textContent()).toBe("Request sent")
    const [notice] = await mailsMatching(site, /asks for a new invitation link/)
    expect(notice?.to && !Array.isArray(notice.to) ? notice.to.text : "").toBe("admin@acme.test")
    expect(notice?.text).toContain("Lee Late (late@acme.test)")
    await page.context().close()
  })

  it("a reset: the link from the mail sets a new password, every session ends, a mail says so, the new password signs in", async () => {
    await personWithPassword(site, "reset@acme.test")
    const other = await openPage()
    await signIn(other, "reset@acme.test", PASSWORD)
    await other.waitForURL(`${site.server.url}/account`)
    const asked = await site.run(Core.requestPasswordReset("reset@acme.test").pipe(asAdmin))
    const page = await openPage()
    await page.goto(await linkInMail(site, asked.mail.file!, "reset"))
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel("New password, again").fill(NEW_PASSWORD)
    await page.getByRole("button", { name: "Set new password" }).click()
    await page.waitForURL(/\/signin\?done=reset$/)
    expect(await page.locator("[role=status]").textContent()).toContain("Your password was changed")
    await other.reload()
    expect(new URL(other.url()).pathname).toBe("/signin")
    const changed = await mailsMatching(site, /^Your password was changed$/)
    expect(changed.some((m) => m.to && !Array.isArray(m.to) && m.to.text === "reset@acme.test")).toBe(true)
    await signIn(page, "reset@acme.test", NEW_PASSWORD)
    await page.waitForURL(`${site.server.url}/account`)
    await page.context().close()
    await other.context().close()
  })

  it("a failed sign-in says so without telling whether the account exists; ten failures lock it, and then even the right password is refused", async () => {
    await personWithPassword(site, "lock@acme.test")
    const page = await openPage()
    await signIn(page, "nobody@acme.test", PASSWORD)
    const unknown = await page.locator("[role=alert]").textContent()
    await signIn(page, "lock@acme.test", "not the password at all")
    expect(await page.locator("[role=alert]").textContent()).toBe(unknown)
    expect(unknown).toContain("Wrong e-mail or password")
    await screenshots(page, "signin-failed")
    for (let i = 1; i < Core.MAX_FAILED_SIGN_INS; i++) await signIn(page, "lock@acme.test", "not the password at all")
    await signIn(page, "lock@acme.test", PASSWORD)
    expect(new URL(page.url()).pathname).toBe("/signin")
    expect(await page.locator("[role=alert]").textContent()).toContain(`locked for ${Core.FIRST_LOCK_MINUTES} minutes`)
    await page.context().close()
  }, 180_000)

  it("a provisioned user signs in with the temporary password and must choose their own first", async () => {
    const created = await site.run(Core.createUser({ email: "temp@acme.test", firstName: "Tem", lastName: "Porary" }).pipe(asAdmin))
    const page = await openPage()
    await signIn(page, "temp@acme.test", created.temporaryPassword)
    await expect.poll(() => page.locator("h1").textContent()).toBe("Choose a new password")
    await screenshots(page, "forced-change")
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel("New password, again").fill(NEW_PASSWORD)
    await page.getByRole("button", { name: "Set password and continue" }).click()
    await page.waitForURL(`${site.server.url}/account`)
    expect(await page.locator("main").textContent()).toContain("Signed in as temp@acme.test")
    await page.context().close()
  })

  it("\"sign out everywhere else\" ends the other browser's session at its very next request and keeps this one", async () => {
    await personWithPassword(site, "two@acme.test")
    const [laptop, phone] = [await openPage(), await openPage(390)]
    for (const page of [laptop, phone]) {
      await signIn(page, "two@acme.test", PASSWORD)
      await page.waitForURL(`${site.server.url}/account`)
    }
    await laptop.reload()
    expect(await laptop.locator("ul.sessions li").count()).toBe(2)
    await screenshots(phone, "account-sessions")
    await laptop.getByRole("button", { name: "Sign out everywhere else" }).click()
    await laptop.waitForURL(/done=others/)
    expect(await laptop.locator("ul.sessions li").count()).toBe(1)
    await phone.reload()
    expect(new URL(phone.url()).pathname).toBe("/signin")
    expect(new URL(phone.url()).searchParams.get("next")).toBe("/account")
    await laptop.context().close()
    await phone.context().close()
  })

  it("an admin's suspension ends the person's session at their very next request", async () => {
    await personWithPassword(site, "sus@acme.test")
    const page = await openPage()
    await signIn(page, "sus@acme.test", PASSWORD)
    await page.waitForURL(`${site.server.url}/account`)
    await site.run(Core.suspendUser("sus@acme.test").pipe(asAdmin))
    await page.reload()
    expect(new URL(page.url()).pathname).toBe("/signin")
    await page.context().close()
  })
})
