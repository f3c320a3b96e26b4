/**
 * The SSH benchmark (part of `pnpm bench`): one `usher ssh-serve` process on a directory of 100k
 * seeded users (`BENCH_USERS`), and 20 concurrent dashboard sessions (`BENCH_SESSIONS`), each the
 * real OpenSSH client in its own pseudo-terminal (120×40). Measures keystroke → frame in each
 * session while all of them type at once, and the server's memory with one session and with all.
 * Figures are printed, not asserted.
 */
import * as Core from "@usher/core"
import { initialized, makeTempDirectory } from "@usher/testkit"
import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { percentiles, PtyProgram, type Frame } from "./terminal.js"

const USHER = fileURLToPath(new URL("../bin/usher.mjs", import.meta.url))
const SIZE = { columns: 120, rows: 40 }
const ENV = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", LANG: "C.UTF-8" }
const USERS = Number(process.env["BENCH_USERS"] ?? 100_000)
const SESSIONS = Number(process.env["BENCH_SESSIONS"] ?? 20)
const KEYS = [...Array.from({ length: 30 }, () => "j"), ...Array.from({ length: 20 }, () => "k")]

const showsUsers = (f: Frame) => /Users {2}\| {2}\d+-\d+ of ([\d,]+|\?)/.test(f.text) && f.text.includes("@")
const complete = (f: Frame) => !/^\s*\.\.\.\s*$/m.test(f.text)

/** The server's resident set size in MB (now, and its peak). */
const rssOf = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 }
}

const ms = (n: number) => `${n.toFixed(1)} ms`

const main = async () => {
  console.log(`SSH: seeding ${USERS.toLocaleString("en-US")} users…`)
  const temp = makeTempDirectory()
  const runtime = Core.makeCoreRuntime(temp.location)
  await runtime.runPromise(Effect.zipRight(initialized, Core.seedUsers(USERS).pipe(Core.as("system", "cli"))))
  await runtime.dispose()
  const key = join(temp.dir, "bench_key")
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
  execFileSync(process.execPath, [USHER, "--db", temp.path, "keys", "add", "admin@acme.test", `${key}.pub`], { env: ENV, stdio: "ignore" })

  // BENCH_PROFILE=DIR: the server's CPU profile, written there when it stops
  const profile = process.env["BENCH_PROFILE"] === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${process.env["BENCH_PROFILE"]}`]
  const server = spawn(process.execPath, [...profile, USHER, "--db", temp.path, "ssh-serve", "--port", "0"], { env: { ...ENV, USHER_DATA_DIR: temp.dir } })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = ""
      server.stdout.on("data", (d: Buffer) => {
        out += d.toString()
        const found = /listening on [^:]+:(\d+)/.exec(out)
        if (found !== null) resolve(Number(found[1]))
      })
      server.on("exit", (code) => reject(new Error(`ssh-serve exited with ${code}`)))
    })
    const idle = rssOf(server.pid!)
    const ssh = () =>
      new PtyProgram(
        `ssh -t -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR -i ${key} -p ${port} admin@127.0.0.1`,
        SIZE,
        ENV
      )
    const open = async () => {
      const program = ssh()
      const first = await program.frameAfter(0, showsUsers, 60_000)
      await program.quiet(100)
      return { program, first: first.at - program.started }
    }
    console.log(`Measuring ${SESSIONS} concurrent sessions over SSH in ${SIZE.columns}×${SIZE.rows} pseudo-terminals…\n`)
    const sessions = [await open()]
    const one = rssOf(server.pid!)
    for (let i = 1; i < SESSIONS; i++) sessions.push(await open())
    await new Promise((resolve) => setTimeout(resolve, 500))
    const all = rssOf(server.pid!)

    // every session types at once, each waiting for its frame before its next key
    const perSession = await Promise.all(sessions.map(async ({ program }) => {
      const times: Array<number> = []
      for (const k of KEYS) {
        const from = program.frames.length
        const at = program.press(k)
        const frame = await program.frameAfter(from, complete, 5000).catch(() => undefined)
        if (frame !== undefined) times.push(frame.at - at)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return percentiles(times)
    }))
    const worst = perSession.reduce((a, b) => (b.p95 > a.p95 ? b : a))
    const firsts = percentiles(sessions.map((s) => s.first))
    const extra = (all.rss - one.rss) / Math.max(1, SESSIONS - 1)
    const line = (label: string, value: string, target = "", ok?: boolean) =>
      console.log(`${label.padEnd(52)} ${value.padStart(30)}   ${target}${ok === undefined ? "" : ok ? "  ✓" : "  ✗ over"}`)
    line(`${SESSIONS} SSH sessions on ${USERS.toLocaleString("en-US")} users`, "")
    line("  first frame after ssh starts (p50 / slowest)", `${ms(firsts.p50)} / ${ms(firsts.max)}`)
    line("  keystroke → frame, the slowest session's p95", ms(worst.p95), "≤ 30 ms", worst.p95 <= 30)
    line("  keystroke → frame, every session's p50 (median)", ms(percentiles(perSession.map((s) => s.p50)).p50))
    line("  slowest key of all", ms(Math.max(...perSession.map((s) => s.max))))
    line("  server RSS: no session / one / all", `${idle.rss.toFixed(0)} / ${one.rss.toFixed(0)} / ${all.rss.toFixed(0)} MB`)
    line("  memory per extra session", `${extra.toFixed(1)} MB`, "≤ 30 MB", extra <= 30)
    line("  server peak RSS", `${all.peak.toFixed(0)} MB`)
    for (const { program } of sessions) program.press("q")
    await Promise.all(sessions.map(({ program }) => program.exited))
  } finally {
    for (const program of PtyProgram.running) program.kill()
    server.kill("SIGTERM")
    await new Promise((resolve) => server.once("exit", resolve))
    temp.cleanup()
  }
}

await main()
