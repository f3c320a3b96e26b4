/**
 * The dashboard benchmark (`pnpm bench`): the real `usher` binary in a real pseudo-terminal
 * (120×40) on a directory of 100k seeded users, against baselines measured in the same run —
 * the same dashboard on 100 users, and a trivial program in the same kind of terminal (what the
 * measuring itself costs). Figures are printed, not asserted.
 */
import * as Core from "@usher/core"
import { initialized, makeTempDirectory, type TempDirectory } from "@usher/testkit"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { percentiles, PtyProgram, type Frame } from "./terminal.js"

const USHER = fileURLToPath(new URL("../bin/usher.mjs", import.meta.url))
const SIZE = { columns: 120, rows: 40 }
const ENV = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", LANG: "C.UTF-8" }
const USERS = Number(process.env["BENCH_USERS"] ?? 100_000)
const RUNS = Number(process.env["BENCH_RUNS"] ?? 5)

const seeded = async (users: number): Promise<TempDirectory> => {
  const temp = makeTempDirectory()
  const runtime = Core.makeCoreRuntime(temp.location)
  await runtime.runPromise(Effect.zipRight(initialized, Core.seedUsers(users).pipe(Core.as("system", "cli"))))
  await runtime.dispose()
  return temp
}

const dashboard = (temp: TempDirectory) => new PtyProgram(`node ${USHER} --db ${temp.path}`, SIZE, ENV)

/** A frame of the users view showing users (not the setup screen, not an empty list). */
const showsUsers = (f: Frame) => /Users {2}\| {2}\d+-\d+ of ([\d,]+|\?)/.test(f.text) && f.text.includes("@")
/** The users view's title line. */
const title = (f: Frame) => f.text.split("\n").find((l) => l.startsWith("Users  |")) ?? ""
/** Rows still loading are drawn as a lone "...". */
const complete = (f: Frame) => !/^\s*\.\.\.\s*$/m.test(f.text)

const firstFrames = async (temp: TempDirectory) => {
  const times: Array<number> = []
  for (let i = 0; i < RUNS; i++) {
    const program = dashboard(temp)
    const frame = await program.frameAfter(0, showsUsers, 30_000)
    times.push(frame.at - program.started)
    await program.quiet()
    program.press("q")
    await program.exited
  }
  return percentiles(times)
}

const NAVIGATION = [
  ...Array.from({ length: 30 }, () => "j"), ...Array.from({ length: 10 }, () => "k"),
  "\u001B[6~", "\u001B[6~", "\u001B[6~", "\u001B[6~", "\u001B[5~", "\u001B[5~",
  "G", ...Array.from({ length: 10 }, () => "k"), "\u001B[5~", "g", ...Array.from({ length: 20 }, () => "\u001B[B"),
  "G", "g", "\u001B[6~", "\u001B[6~", "j", "j", "G", "g"
]

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Navigation, then typing filters, then memory, in one session. */
const interactive = async (temp: TempDirectory) => {
  const program = dashboard(temp)
  await program.frameAfter(0, showsUsers, 30_000)
  await program.quiet()
  const navigation: Array<number> = []
  const byLine: Array<number> = []
  let unchanged = 0
  for (const key of NAVIGATION) {
    const from = program.frames.length
    const at = program.press(key)
    // a key that changes nothing (PgDn on the last page) draws no frame: not a measurement
    const frame = await program.frameAfter(from, complete, 1000).catch(() => undefined)
    if (frame === undefined) unchanged++
    else navigation.push(frame.at - at)
    if (frame !== undefined && ["j", "k", "\u001B[A", "\u001B[B"].includes(key)) byLine.push(frame.at - at)
    if (process.env["BENCH_DEBUG"] !== undefined && frame !== undefined) console.log(`nav ${JSON.stringify(key).padEnd(12)} ${(frame.at - at).toFixed(1)}`)
    await program.quiet(30)
  }
  const rows: Array<number> = []
  const counts: Array<number> = []
  const type = async (text: string, key: string) => {
    const from = program.frames.length
    const at = program.press(key)
    const shown = new RegExp(`filter ${escape(text)}(  \\||$)`)
    const matches = (f: Frame) => text === "" ? !title(f).includes("filter ") : shown.test(title(f))
    const filtered = await program.frameAfter(from, (f) => matches(f) && complete(f))
    rows.push(filtered.at - at)
    if (process.env["BENCH_DEBUG"] !== undefined) console.log(`${JSON.stringify(text).padEnd(28)} rows ${(filtered.at - at).toFixed(1)}`)
    const counted = await program.frameAfter(from, (f) => matches(f) && !title(f).includes("of ?"))
    counts.push(counted.at - at)
    await program.quiet(30)
  }
  program.press("/")
  await program.quiet()
  for (const word of ["ada.lovelace", "4474", "zzq", "hopper", "status:suspended turing"]) {
    let text = ""
    for (const c of word) await type((text += c), c)
    while (text.length > 0) await type((text = text.slice(0, -1)), "\u007F")
  }
  program.press("\u001B")
  await program.quiet()
  const memory = program.memory()
  program.press("q")
  await program.exited
  return { navigation: percentiles(navigation), byLine: percentiles(byLine), unchanged, rows: percentiles(rows), counts: percentiles(counts), memory }
}

/** The floor: a program that answers each key with one frame at once, in the same kind of terminal. */
const echoFloor = async () => {
  const program = new PtyProgram(
    `node -e "process.stdin.setRawMode(true);process.stdout.write('\\u001b[?2026hready\\u001b[?2026l');process.stdin.on('data',(d)=>d[0]===113?process.exit(0):process.stdout.write('\\u001b[?2026h'+d+'\\u001b[?2026l'))"`,
    SIZE,
    ENV
  )
  const first = await program.frameAfter(0, (f) => f.text.includes("ready"))
  const times: Array<number> = []
  for (let i = 0; i < 100; i++) {
    const from = program.frames.length
    const at = program.press("j")
    times.push((await program.frameAfter(from, () => true)).at - at)
  }
  program.press("q")
  await program.exited
  return { start: first.at - program.started, keys: percentiles(times) }
}

const ms = (n: number) => `${n.toFixed(1)} ms`
const row = (label: string, small: string, large: string, target: string, ok?: boolean) =>
  console.log(`${label.padEnd(44)} ${small.padStart(22)} ${large.padStart(22)}   ${target}${ok === undefined ? "" : ok ? "  ✓" : "  ✗ over"}`)

const main = async () => {
  console.log(`Seeding ${USERS.toLocaleString("en-US")} users and 100 users (baseline)…`)
  const large = await seeded(USERS)
  const small = await seeded(100)
  try {
    execFileSync(process.execPath, [USHER, "--help"], { stdio: "ignore" })
    const floor = await echoFloor()
    console.log(`Measuring in a ${SIZE.columns}×${SIZE.rows} pseudo-terminal (${RUNS} starts each)…\n`)
    const firstSmall = await firstFrames(small)
    const firstLarge = await firstFrames(large)
    const smallRun = await interactive(small)
    const largeRun = await interactive(large)
    const p = (x: ReturnType<typeof percentiles>) => `p50 ${ms(x.p50)} p95 ${ms(x.p95)}`
    console.log(`${"".padEnd(44)} ${"100 users".padStart(22)} ${`${USERS.toLocaleString("en-US")} users`.padStart(22)}   target`)
    row("first frame with users after start (median)", ms(firstSmall.p50), ms(firstLarge.p50), "≤ 500 ms", firstLarge.p50 <= 500)
    row("  slowest of the starts", ms(firstSmall.max), ms(firstLarge.max), "")
    row("navigation key → frame", p(smallRun.navigation), p(largeRun.navigation), "p95 ≤ 16 ms", largeRun.navigation.p95 <= 16)
    row("  of which line moves (j, k, arrows)", p(smallRun.byLine), p(largeRun.byLine), "")
    row("  slowest (PgDn/PgUp/g/G: a whole new screen)", ms(smallRun.navigation.max), ms(largeRun.navigation.max), "")
    row("filter key → frame with the matching rows", p(smallRun.rows), p(largeRun.rows), "≤ 30 ms per key", largeRun.rows.p95 <= 30)
    row("  slowest", ms(smallRun.rows.max), ms(largeRun.rows.max), "")
    row("filter key → frame with the exact count", p(smallRun.counts), p(largeRun.counts), "(count follows the rows)")
    row("RSS after the session (peak)", `${smallRun.memory.rss.toFixed(0)} MB (${smallRun.memory.peak.toFixed(0)})`, `${largeRun.memory.rss.toFixed(0)} MB (${largeRun.memory.peak.toFixed(0)})`, "≤ 250 MB", largeRun.memory.peak <= 250)
    console.log(`\nFloor of the measurement (a program echoing each key as one frame): start ${ms(floor.start)}, key → frame ${p(floor.keys)}.`)
    console.log(`Keys measured: ${largeRun.navigation.n} navigation (${largeRun.unchanged} changed nothing), ${largeRun.rows.n} filter keystrokes; on 100 users ${smallRun.navigation.n} (${smallRun.unchanged}) and ${smallRun.rows.n}.`)
  } finally {
    for (const program of PtyProgram.running) program.kill()
    large.cleanup()
    small.cleanup()
  }
}

await main()
