import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { TempDirectory } from "@usher/testkit"
import { initializedDirectory, USHER_BIN, usher } from "../support.js"

const env = (extra: Record<string, string> = {}) => ({ PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", LANG: "C.UTF-8", ...extra })

let temp: TempDirectory
beforeAll(async () => {
  temp = await initializedDirectory()
})
afterAll(() => temp.cleanup())

describe("usher serve", () => {
  it("the binary serves the pages on the port PORT names, logs requests without their tokens, and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [USHER_BIN, "--db", temp.path, "serve", "--host", "127.0.0.1"], {
      env: env({ PORT: "0", USHER_DATA_DIR: temp.dir, USHER_PUBLIC_URL: "https://id.acme.test" })
    })
    let out = ""
    let err = ""
    child.stderr.on("data", (d: Buffer) => void (err += d.toString()))
    const stopped = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000)
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString()
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+), links in mail point to https:\/\/id\.acme\.test/.exec(out)
        if (found !== null) {
          clearTimeout(timer)
          resolve(found[1]!)
        }
      })
      child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
    })
    const page = await fetch(`${url}/signin`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain("<span class=\"org\">Acme</span>")
    // the public address is https: the cookies are Secure
    expect(page.headers.getSetCookie().join("\n")).toMatch(/usher_csrf=[^;]+;.*Secure/)
    const secret = "A".repeat(43)
    expect((await fetch(`${url}/reset/${secret}`)).status).toBe(410)
    child.kill("SIGTERM")
    expect(await stopped).toBe(0)
    expect(err).toContain("GET /reset/[token] 410")
    expect(err).not.toContain(secret)
  })

  it("a port that is not one is a usage error", async () => {
    const run = await usher(temp, ["serve", "--port", "http"])
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining("--port")])
    const unknown = await usher(temp, ["serve", "--tls"])
    expect(unknown.code).toBe(2)
  })
})
