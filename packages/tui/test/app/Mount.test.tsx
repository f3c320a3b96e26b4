import * as Core from "@usher/core"
import { activeUser, initialized, makeTempDirectory, plain, type TempDirectory } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { mountDashboard } from "../../src/app/main.js"
import { FakeStdin, FakeStdout } from "./harness.js"

// Ink reads CI once, when it is loaded (see main.test.tsx)
vi.hoisted(() => {
  delete process.env["CI"]
  delete process.env["CONTINUOUS_INTEGRATION"]
})

let temp: TempDirectory | undefined
afterEach(() => {
  temp?.cleanup()
  temp = undefined
  vi.restoreAllMocks()
})

describe("mountDashboard", () => {
  it("two dashboards on one runtime, each as its own user; quitting one leaves the other and the runtime; nothing of the process is touched", async () => {
    temp = makeTempDirectory()
    const runtime = Core.makeCoreRuntime(temp.location, temp.config)
    const grace = await runtime.runPromise(Effect.gen(function*() {
      yield* initialized
      return yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" })
    }))
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never)
    const before = { exit: process.listenerCount("exit") }
    const mount = async (actor: string | { id: Core.UserId; email: string }, readonly: boolean) => {
      const stdout = new FakeStdout()
      const stdin = new FakeStdin()
      let closed = 0
      const started = await mountDashboard({
        runtime,
        location: temp!.location,
        stdin: stdin as unknown as NodeJS.ReadStream,
        stdout: stdout as unknown as NodeJS.WriteStream,
        size: { columns: 100, rows: 30 },
        actor,
        readonly,
        via: "ssh",
        colors: false,
        onClose: () => void closed++
      })
      if (!started.ok) throw new Error(started.message)
      await vi.waitFor(() => expect(stdin.listenerCount("readable")).toBeGreaterThan(0))
      return { stdout, stdin, mounted: started.mounted, closed: () => closed }
    }
    const admin = await mount("admin@acme.test", false)
    const auditor = await mount({ id: grace.id, email: grace.email! }, true)
    await vi.waitFor(() => expect(plain(admin.stdout.written)).toContain("as admin@acme.test"))
    await vi.waitFor(() => expect(plain(auditor.stdout.written)).toContain("READ-ONLY"))
    expect(plain(auditor.stdout.written)).toContain("as grace@acme.test")

    admin.stdin.write("q")
    await admin.mounted.closed
    expect(admin.closed()).toBe(1)
    expect(admin.stdout.written.endsWith("\u001B[?1049l")).toBe(true)

    // the other one still answers keys, through the same runtime
    const before2 = auditor.stdout.written.length
    auditor.stdin.write("?")
    await vi.waitFor(() => expect(auditor.stdout.written.length).toBeGreaterThan(before2))
    auditor.mounted.close()
    auditor.mounted.close()
    await auditor.mounted.closed
    expect(auditor.closed()).toBe(1)

    expect(await runtime.runPromise(Core.Jobs.changeMarker.pipe(Core.Jobs.asSystem("ssh")))).toMatch(/^\d+:\d+$/)
    expect(exit).not.toHaveBeenCalled()
    expect(process.listenerCount("exit")).toBe(before.exit)
    await runtime.dispose()
  }, 30_000)
})
