import * as Core from "@usher/core"
import { keys } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { goTo, openDashboard, rowOf, type Harness } from "./harness.js"

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const accepts = (secret: string) =>
  harness!.system(Effect.either(Core.Jobs.authenticateApiToken(secret, "check").pipe(Core.Jobs.asSystem("cli"))))

describe("API tokens in the dashboard", () => {
  it(":tokens lists the admin's tokens; n makes one and shows its secret once; x revokes it after a confirmation; one made elsewhere appears live", async () => {
    harness = await openDashboard()
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "tokens", "API tokens  |  0")
    await screen.waitFor("No API tokens: press n to make one.")
    await screen.press("n")
    await screen.waitFor("New API token (acts as you, never more)")
    await screen.type("wiki")
    await screen.press(keys.tab)
    await screen.type("check")
    await screen.press(keys.enter, keys.enter, keys.enter)
    const shown = await screen.waitFor('API token "wiki" - shown once', { timeout: 10_000 })
    const secret = /usher_pat_[A-Za-z0-9_-]{43}/.exec(shown.replace(/[│\s]/g, ""))?.[0]
    expect(secret).toBeDefined()
    expect((await accepts(secret!))._tag).toBe("Right")
    await screen.press(keys.enter)
    let frame = await screen.waitFor("API tokens  |  1")
    expect(rowOf(frame, "wiki")).toMatch(/check\s+active/)
    expect(frame).not.toContain("usher_pat_")

    await screen.press("x")
    await screen.waitFor('Revoke the API token "wiki"?')
    await screen.press(keys.enter)
    frame = await screen.waitFor((f) => rowOf(f, "wiki").includes("revoked"))
    expect(frame).toContain('Revoked API token "wiki".')
    expect((await accepts(secret!))._tag).toBe("Left")
    await screen.press("x")
    await screen.waitFor('"wiki" is revoked already.')

    await harness.elsewhere(Core.createApiToken({ name: "nightly export", only: "admin" }), "admin@acme.test")
    await screen.waitFor((f) => rowOf(f, "nightly export").includes("admin"), { timeout: 2000 })
  })

  it("a bad value keeps the form open with core's words", async () => {
    harness = await openDashboard()
    const { screen } = harness
    await screen.waitFor("Users  |")
    await goTo(screen, "tokens", "API tokens  |  0")
    await screen.press("n")
    await screen.type("x")
    await screen.press(keys.tab)
    await screen.type("everything")
    await screen.press(keys.enter, keys.enter, keys.enter)
    await screen.waitFor("one of check, scim, admin")
    expect(screen.frame()).toContain("New API token")
  })
})
