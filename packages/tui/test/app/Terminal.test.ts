import * as Core from "@usher/core"
import { activeUser, initialized, makeTempDirectory, startTerminal, type TempDirectory, type Terminal } from "@usher/testkit"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { spawnUsher, USHER_BIN } from "../support.js"

let terminal: Terminal | undefined
let temp: TempDirectory | undefined
afterEach(async () => {
  await terminal?.kill()
  temp?.cleanup()
  terminal = undefined
  temp = undefined
})

// CI is set on purpose: a shell where it is set still gets a live dashboard
const env = (dataDir: string) => ({ PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", TERM: "xterm-256color", LANG: "C.UTF-8", CI: "true", USHER_DATA_DIR: dataDir })

describe("the dashboard in a real terminal", () => {
  it("usher without a command opens it in tmux: filter, open a user, suspend; a separate usher process's change shows without a key press; q restores the terminal", async () => {
    temp = makeTempDirectory()
    const runtime = Core.makeCoreRuntime(temp.location, temp.config)
    await runtime.runPromise(Effect.gen(function*() {
      yield* initialized
      yield* Core.seedUsers(40).pipe(Core.as("system", "cli"))
      yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" })
    }))
    await runtime.dispose()

    terminal = await startTerminal(`printf 'before\\n'; node ${USHER_BIN} --db '${temp.path}'; echo "exited with $?"; sleep 60`, { columns: 100, rows: 30, env: env(temp.dir) })
    let screen = await terminal.waitFor(/Users  |  1-\d+ of 42/, { timeout: 60_000, what: "the first frame" })
    expect(screen).toContain("as admin@acme.test")
    expect(screen).not.toContain("before")
    expect(screen.split("\n").filter((l) => l.trim() !== "").length).toBeLessThan(30)

    await terminal.keys("/")
    await terminal.type("grace@acme")
    screen = await terminal.waitFor("1-1 of 1")
    expect(screen).toContain("grace@acme.test")
    await terminal.keys("Enter", "Enter")
    await terminal.waitFor(/User grace@acme\.test .*\n[\s\S]*status active/)
    await terminal.keys("s")
    await terminal.waitFor("Suspend grace@acme.test")
    await terminal.type("left the team")
    await terminal.keys("Enter")
    screen = await terminal.waitFor("status suspended")
    expect(screen).toContain("Suspended grace@acme.test.")

    const cli = await spawnUsher(["--db", temp.path, "users", "reactivate", "grace@acme.test", "--reason", "came back"], env(temp.dir))
    expect(cli.code, cli.stderr).toBe(0)
    // the detail's status and its recent activity load apart: wait for both (the activity can come a moment later under load)
    screen = await terminal.waitFor(/status active[\s\S]*user\.reactivate by admin@acme\.test via cli - came back/, { timeout: 5000, what: "the CLI's change, without a key press" })

    await terminal.keys("q")
    screen = await terminal.waitFor("exited with 0")
    expect(screen).toContain("before")
    expect(screen).not.toContain("Users  |")
    expect(screen).not.toContain("grace@acme.test")
  }, 120_000)

  it("SIGTERM and SIGHUP leave the alternate screen, keep what was on the terminal before, and exit with 128 + the signal", async () => {
    temp = makeTempDirectory()
    const runtime = Core.makeCoreRuntime(temp.location, temp.config)
    await runtime.runPromise(initialized)
    await runtime.dispose()
    for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
      const pidFile = join(temp.dir, `${signal}.pid`)
      // exec keeps the shell's pid, so the pid file names the dashboard itself
      terminal = await startTerminal(
        `printf 'before\\n'; sh -c 'echo $$ > ${pidFile}; exec node ${USHER_BIN} --db '${temp.path}''; echo "exited with $?"; sleep 60`,
        { columns: 80, rows: 24, env: env(temp.dir) }
      )
      await terminal.waitFor("Users  |", { timeout: 60_000, what: "the first frame" })
      process.kill(Number(readFileSync(pidFile, "utf8").trim()), signal)
      const screen = await terminal.waitFor("exited with", { what: `the dashboard to end on ${signal}` })
      expect(screen).toContain(`exited with ${code}`)
      expect(screen).toContain("before")
      expect(screen).not.toContain("Users  |")
      await terminal.kill()
      terminal = undefined
    }
  }, 120_000)
})
