import * as Core from "@usher/core"
import { activeUser, initialized, makeTempDirectory, plain, type TempDirectory } from "@usher/testkit"
import { Effect } from "effect"
import { EventEmitter } from "node:events"
import { afterEach, describe, expect, it, vi } from "vitest"
import { runDashboard } from "../../src/app/main.js"
import { FakeStdin } from "./harness.js"

// Ink reads CI once, when it is loaded, and then draws nothing before exit; the usher binary
// clears it before loading the dashboard (src/bin/usher.ts), so this test does the same, first
vi.hoisted(() => {
  delete process.env["CI"]
  delete process.env["CONTINUOUS_INTEGRATION"]
})

let temp: TempDirectory | undefined
afterEach(() => {
  temp?.cleanup()
  temp = undefined
})

/** A terminal for `runDashboard`: what it writes is kept, keys are written as a TTY would. */
class FakeStdout extends EventEmitter {
  readonly isTTY = true
  readonly columns = 100
  readonly rows = 30
  written = ""
  write = (chunk: string) => {
    this.written += chunk
    return true
  }
}

const COLOUR = /\u001B\[(3[0-7]|9[0-7]|38;)/

/** Starts the dashboard the way `usher` does (environment and all), waits for the users, quits with q; returns what it wrote. */
const runWith = async (env: Readonly<Record<string, string | undefined>>): Promise<string> => {
  temp = makeTempDirectory()
  const runtime = Core.makeCoreRuntime(temp.location, temp.config)
  await runtime.runPromise(Effect.gen(function*() {
    yield* initialized
    // a suspended user's row is red, when colours are allowed
    yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" }).pipe(Core.as("system", "cli"))
    yield* Core.suspendUser("grace@acme.test", { reason: "left" }).pipe(Core.as("system", "cli"))
  }))
  await runtime.dispose()
  const stdout = new FakeStdout()
  const stdin = new FakeStdin()
  const done = runDashboard({
    location: temp.location,
    config: temp.config,
    actor: undefined,
    readonly: false,
    env,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: () => undefined
  })
  await vi.waitFor(() => expect(plain(stdout.written)).toContain("grace@acme.test"), { timeout: 10_000 })
  await vi.waitFor(() => expect(stdin.listenerCount("readable")).toBeGreaterThan(0))
  stdin.write("q")
  expect(await done).toBe(0)
  return stdout.written
}

describe("the environment", () => {
  it("NO_COLOR=1 in the environment: the dashboard writes no colour codes at all; without it, it does", async () => {
    const coloured = await runWith({})
    expect(coloured).toMatch(COLOUR)
    temp?.cleanup()
    const plainOnly = await runWith({ NO_COLOR: "1" })
    expect(plainOnly).not.toMatch(COLOUR)
    // the cursor still shows, in inverse
    expect(plainOnly).toContain("\u001B[7m")
  })
})
