/**
 * `pnpm bench` for usher serve, on loopback: the pages at 50 concurrent clients, and GET /account
 * while 20 sign-ins hash at once, each as a p99 and as a ratio against a bare
 * @effect/platform-node handler measured in the same run (so a slower machine moves both).
 * The targets (pages p99 ≤ 20 ms; /account p99 ≤ 50 ms under the sign-ins) are printed
 * beside them; nothing here fails a build. Then the check API and SCIM (`bench/scim.ts`).
 */
import { HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import * as Core from "@usher/core"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startWebServer } from "../src/Server.js"
import { benchScim } from "./scim.js"

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? "5")
const PASSWORD = "a benchmark password that is long"
const generous = { perIp: 1_000_000, perAccount: 1_000_000, windowSeconds: 60 }

/** The baseline: one route answering a fixed text, nothing else. */
const bareServer = async () => {
  const scope = Effect.runSync(Scope.make())
  const layer = Layer.provideMerge(HttpServer.serve(HttpServerResponse.text("ok")), NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const address = Context.get(context, HttpServer.HttpServer).address
  return { url: `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}`, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

const AUTOCANNON = join(createRequire(import.meta.url).resolve("autocannon/package.json"), "..", "autocannon.js")

/**
 * The p99 latency of a URL under `connections` clients, from autocannon in a process of its own:
 * a load generator in the servers' process would take the event loop it measures.
 */
const load = (url: string, connections: number, options: { readonly headers?: Record<string, string>; readonly body?: string } = {}) =>
  new Promise<{ readonly p99: number; readonly rps: number }>((resolve, reject) => {
    const args = [
      AUTOCANNON, "-c", String(connections), "-d", String(SECONDS), "-j",
      ...Object.entries(options.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}=${v}`]),
      ...(options.body === undefined ? [] : ["-m", "POST", "-b", options.body]),
      url
    ]
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error !== null) return reject(error)
      const result = JSON.parse(stdout) as { latency: { p99: number }; requests: { average: number }; errors: number; non2xx: number }
      if (result.errors > 0 || result.non2xx > 0) return reject(new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`))
      resolve({ p99: result.latency.p99, rps: result.requests.average })
    })
  })
const p99 = async (url: string, connections: number, headers: Record<string, string> = {}) => (await load(url, connections, { headers })).p99

/** Signs in through the page as a browser would (CSRF cookie, form) and returns the cookie header. */
const signInCookies = async (url: string, email: string) => {
  const page = await fetch(`${url}/signin`)
  const csrf = /usher_csrf=([^;]+)/.exec(page.headers.get("set-cookie") ?? "")![1]!
  const response = await fetch(`${url}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `usher_csrf=${csrf}` },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }).toString()
  })
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`)
  const session = /usher_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")![1]!
  return `usher_csrf=${csrf}; usher_session=${session}`
}

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), "usher-web-bench-"))
  const location: Core.DatabaseLocation = { engine: "sqlite", path: join(dir, "usher.db") }
  const config = { ...Core.defaultConfig(location), dataDir: dir, auditKeyFile: join(dir, "k"), auditCheckpoints: join(dir, "c.jsonl") }
  const runtime = Core.makeCoreRuntime(location, config)
  const admin = Core.asUser("admin@bench.test", "cli")
  await runtime.runPromise(Core.init({ adminEmail: "admin@bench.test", firstName: "Ben", lastName: "Chmark", org: "bench", orgName: "Bench" }).pipe(Core.as("system", "cli")))
  const emails = Array.from({ length: 21 }, (_, i) => `p${i}@bench.test`)
  const hash = await Effect.runPromise(Core.hashPassword(PASSWORD))
  for (const email of emails) {
    await runtime.runPromise(Core.createUser({ email, firstName: "P", lastName: String(email) }).pipe(admin))
  }
  // the accounts get one known password without 21 more hashes: the benchmark's own setup
  const { SqlClient } = await import("@effect/sql")
  await runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`UPDATE users SET password_hash = ${hash}, status = 'active', must_change_password = 0 WHERE email LIKE 'p%@bench.test'`).pipe(Effect.orDie))
  const bare = await bareServer()
  const usher = await startWebServer({ location, config, host: "127.0.0.1", port: 0, limits: { signIn: generous, accept: generous, reset: generous, newLink: generous, idp: generous } })
  try {
    const cookie = await signInCookies(usher.url, emails[0]!)
    const rows: Array<[string, number, number]> = []
    const baseline50 = await p99(bare.url, 50)
    rows.push(["bare handler, 50 clients", baseline50, 20])
    rows.push(["GET /signin, 50 clients", await p99(`${usher.url}/signin`, 50), 20])
    rows.push(["GET /account, 50 clients", await p99(`${usher.url}/account`, 50, { cookie }), 20])
    // 20 sign-ins at a time, started again as each ends, for as long as /account is measured
    let hashing = true
    let signIns = 0
    const signers = emails.slice(1).map(async (email) => {
      while (hashing) {
        await signInCookies(usher.url, email)
        signIns++
      }
    })
    const baseline10 = await p99(bare.url, 10)
    const account = await p99(`${usher.url}/account`, 10, { cookie })
    hashing = false
    await Promise.all(signers)
    rows.push(["bare handler, 10 clients, during sign-ins", baseline10, 50])
    rows.push(["GET /account, 10 clients, during 20 sign-ins", account, 50])
    // the permission-check API, one question a request and batches of 1,000, with a check-only token
    const { secret } = await runtime.runPromise(Core.createApiToken({ name: "bench", only: "check" }).pipe(admin))
    const json = { "content-type": "application/json", authorization: `Bearer ${secret}` }
    const question = { user: emails[1]!, permission: "users.read", scope: "org:bench" }
    const bareRate = await load(bare.url, 50)
    const single = await load(`${usher.url}/api/v1/check`, 50, { headers: json, body: JSON.stringify(question) })
    const batch = await load(`${usher.url}/api/v1/check`, 4, { headers: json, body: JSON.stringify({ checks: Array.from({ length: 1000 }, () => question) }) })
    console.log(`usher serve on loopback, ${SECONDS} s per measurement (${signIns} sign-ins hashed during the last two)`)
    console.log("what                                          p99 ms   × bare   target ms")
    for (const [what, ms, target] of rows) {
      const base = what.includes("during") ? baseline10 : baseline50
      console.log(`${what.padEnd(46)}${ms.toFixed(1).padStart(6)}   ${(ms / Math.max(base, 0.5)).toFixed(1).padStart(6)}   ${String(target).padStart(5)} ${ms <= target ? "ok" : "OVER"}`)
    }
    console.log(`POST /api/v1/check, 50 clients: ${single.rps.toFixed(0)} checks/s (goal ≥ 20,000; the bare handler ${bareRate.rps.toFixed(0)} answers/s, ` +
      `${(single.rps / bareRate.rps).toFixed(2)}×), p99 ${single.p99.toFixed(1)} ms (goal ≤ 5 ms) ${single.rps >= 20_000 && single.p99 <= 5 ? "ok" : "OVER"}`)
    console.log(`POST /api/v1/check, batches of 1,000, 4 clients: ${(batch.rps * 1000).toFixed(0)} checks/s (goal ≥ 1,000,000) ${batch.rps * 1000 >= 1e6 ? "ok" : "OVER"}`)
    await benchScim(p99, bare.url)
  } finally {
    await usher.close()
    await bare.close()
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
