import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startIdentityProvider, type TempDirectory } from "@usher/testkit"
import { initializedDirectory, spawnUsher, USHER_BIN, usher } from "../support.js"

const env = (extra: Record<string, string> = {}) => ({ PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", LANG: "C.UTF-8", ...extra })

let temp: TempDirectory
beforeAll(async () => {
  temp = await initializedDirectory()
})
afterAll(() => temp.cleanup())

/** Starts `usher serve` as a child process; resolves once stdout matched `until` (its first group is the URL). */
const serve = async (extra: Record<string, string>, until: RegExp) => {
  const child = spawn(process.execPath, [USHER_BIN, "--db", temp.path, "serve", "--host", "127.0.0.1"], {
    env: env({ PORT: "0", USHER_DATA_DIR: temp.dir, ...extra })
  })
  const output = { out: "", err: "" }
  child.stderr.on("data", (d: Buffer) => void (output.err += d.toString()))
  const stopped = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output.err}`)), 60_000)
    child.stdout.on("data", (d: Buffer) => {
      output.out += d.toString()
      const found = until.exec(output.out)
      if (found !== null) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${output.err}`)))
  })
  return { child, url, stopped, output }
}

describe("usher serve", () => {
  it("the binary serves the pages on the port PORT names, logs requests without their tokens, and stops cleanly on SIGTERM", async () => {
    const { child, url, stopped, output } = await serve(
      { USHER_PUBLIC_URL: "https://id.acme.test" },
      /listening on (http:\/\/127\.0\.0\.1:\d+), links in mail point to https:\/\/id\.acme\.test/
    )
    const page = await fetch(`${url}/signin`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain("<span class=\"org\">Acme</span>")
    // the public address is https: the cookies are Secure
    expect(page.headers.getSetCookie().join("\n")).toMatch(/usher_csrf=[^;]+;.*Secure/)
    const secret = "A".repeat(43)
    expect((await fetch(`${url}/reset/${secret}`)).status).toBe(410)
    child.kill("SIGTERM")
    expect(await stopped).toBe(0)
    expect(output.err).toContain("GET /reset/[token] 410")
    expect(output.err).not.toContain(secret)
  })

  it("with the identity provider's variables it discovers the provider, says which redirect URI to register, and shows the button", async () => {
    const idp = await startIdentityProvider({ redirectUri: "http://localhost:8181/signin/oidc/callback" })
    try {
      const { child, url, stopped, output } = await serve({
        USHER_PUBLIC_URL: "http://localhost:8181",
        USHER_OIDC_ISSUER: idp.issuer,
        USHER_OIDC_CLIENT_ID: idp.client.clientId,
        USHER_OIDC_CLIENT_SECRET: idp.client.clientSecret,
        USHER_OIDC_NAME: "Acme SSO"
      }, /listening on (http:\/\/127\.0\.0\.1:\d+)[^]*redirect URI is/)
      expect(output.out).toContain(`sign-in with ${idp.issuer}`)
      expect(output.out).toContain("its redirect URI is http://localhost:8181/signin/oidc/callback")
      expect(await (await fetch(`${url}/signin`)).text()).toContain("Sign in with Acme SSO")
      child.kill("SIGTERM")
      expect(await stopped).toBe(0)
      expect(output.out + output.err).not.toContain(idp.client.clientSecret)
    } finally {
      await idp.close()
    }
  })

  it("identity-provider variables set half-way are a usage error naming the missing one", async () => {
    const at = { USHER_DATA_DIR: temp.dir }
    const run = await spawnUsher(["--db", temp.path, "serve", "--port", "0"], { ...at, USHER_OIDC_ISSUER: "https://login.acme.test", USHER_OIDC_CLIENT_ID: "usher" })
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining("USHER_OIDC_CLIENT_SECRET")])
    const plain = await spawnUsher(["--db", temp.path, "serve", "--port", "0"], { ...at, USHER_OIDC_ISSUER: "http://login.acme.test", USHER_OIDC_CLIENT_ID: "usher", USHER_OIDC_CLIENT_SECRET: "s" })
    expect([plain.code, plain.stderr]).toEqual([2, expect.stringContaining("https")])
  })

  it("a port that is not one is a usage error", async () => {
    const run = await usher(temp, ["serve", "--port", "http"])
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining("--port")])
    const unknown = await usher(temp, ["serve", "--tls"])
    expect(unknown.code).toBe(2)
  })
})
