/**
 * SCIM's part of `pnpm bench`: an identity provider reading a 100,000-account directory the way
 * Okta imports one (pages of 100, one after another, end to end), and its lookup of one account
 * (`GET /Users?filter=userName eq "…"`) as a p99 under 10 clients, beside the bare handler measured
 * in the same run. The issue's targets (≤ 10 s for the whole listing; p99 ≤ 5 ms) are printed
 * beside them; nothing here fails a build.
 */
import * as Core from "@usher/core"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startWebServer } from "../src/Server.js"

const USERS = Number(process.env["BENCH_SCIM_USERS"] ?? "100000")

/** Runs the SCIM measurements; `p99` measures a URL under load, `bare` is the baseline's p99 at the same load. */
export const benchScim = async (p99: (url: string, connections: number, headers?: Record<string, string>) => Promise<number>, bareUrl: string) => {
  const dir = mkdtempSync(join(tmpdir(), "usher-scim-bench-"))
  const location: Core.DatabaseLocation = { engine: "sqlite", path: join(dir, "usher.db") }
  const config = { ...Core.defaultConfig(location), dataDir: dir, auditKeyFile: join(dir, "k"), auditCheckpoints: join(dir, "c.jsonl") }
  const runtime = Core.makeCoreRuntime(location, config)
  const admin = Core.asUser("admin@bench.test", "cli")
  try {
    await runtime.runPromise(Core.init({ adminEmail: "admin@bench.test", firstName: "Ben", lastName: "Chmark", org: "bench", orgName: "Bench" }).pipe(Core.as("system", "cli")))
    const seeded = performance.now()
    await runtime.runPromise(Core.seedUsers(USERS).pipe(admin))
    const seedSeconds = (performance.now() - seeded) / 1000
    const { secret } = await runtime.runPromise(Core.createApiToken({ name: "bench idp", only: "scim", org: "bench" }).pipe(admin))
    const headers = { authorization: `Bearer ${secret}`, accept: "application/scim+json" }
    const usher = await startWebServer({ location, config, host: "127.0.0.1", port: 0 })
    try {
      const started = performance.now()
      let read = 0
      for (let start = 1; ; start += 100) {
        const page = await (await fetch(`${usher.url}/scim/v2/Users?startIndex=${start}&count=100`, { headers })).json() as { totalResults: number; Resources: ReadonlyArray<unknown> }
        read += page.Resources.length
        if (start + 100 > page.totalResults) break
      }
      const listSeconds = (performance.now() - started) / 1000
      const middle = await (await fetch(`${usher.url}/scim/v2/Users?startIndex=${Math.floor(read / 2)}&count=1`, { headers })).json() as { Resources: ReadonlyArray<{ userName: string }> }
      const lookup = `${usher.url}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${middle.Resources[0]!.userName.toUpperCase()}"`)}`
      const lookupP99 = await p99(lookup, 10, headers)
      const bare = await p99(bareUrl, 10)
      console.log(`SCIM, ${USERS} accounts (seeded in ${seedSeconds.toFixed(1)} s):`)
      console.log(`  listing all ${read} in pages of 100, one after another: ${listSeconds.toFixed(1)} s (target ≤ 10 s) ${listSeconds <= 10 ? "ok" : "OVER"}`)
      console.log(`  GET /Users?filter=userName eq, 10 clients: p99 ${lookupP99.toFixed(1)} ms, ${(lookupP99 / Math.max(bare, 0.5)).toFixed(1)}× the bare handler (target ≤ 5 ms) ${lookupP99 <= 5 ? "ok" : "OVER"}`)
    } finally {
      await usher.close()
    }
  } finally {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}
