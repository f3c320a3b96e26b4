import * as Core from "@usher/core"
import { activeUser, initialized, keys, makeTempDirectory, plain, type TempDirectory } from "@usher/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { mountDashboard } from "../../src/app/main.js"
import { FakeStdin, FakeStdout, flat, openDashboard, openUser, rowOf, statusLine, type Harness } from "./harness.js"

// Ink reads CI once, when it is loaded (see main.test.tsx)
vi.hoisted(() => {
  delete process.env["CI"]
  delete process.env["CONTINUOUS_INTEGRATION"]
})

let harness: Harness | undefined
let temp: TempDirectory | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
  temp?.cleanup()
  temp = undefined
})

const directory = Effect.gen(function*() {
  yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" })
})

/** The lines of a frame that show a text (inside a dialog: after its left border). */
const linesWith = (frame: string, text: string) => frame.split("\n").filter((l) => l.includes(text))

describe("messages", () => {
  it("the detail's error (the user gone meanwhile) wraps at the margin, whole", async () => {
    harness = await openDashboard({ setup: Core.inviteUser({ email: "nina@acme.test", firstName: "Nina", lastName: "New" }), columns: 50, rows: 24 })
    const { screen } = harness
    await openUser(screen, "nina", "nina@acme.test")
    await harness.elsewhere(Core.cancelInvitation("nina@acme.test"))
    const frame = await screen.waitFor((f) => flat(f).includes("in the directory."), { what: "the detail's error" })
    const lines = frame.split("\n")
    const at = lines.findIndex((l) => l.startsWith("No user "))
    expect(`${lines[at]!.trim()} ${lines[at + 1]!.trim()}`).toMatch(/^No user \S+ in the directory\.$/)
    expect(lines[at + 1]).toMatch(/^\S/)
  })
})

describe("dialogs", () => {
  it("text wraps at spaces with no line starting with a space: the dialog's lines and core's refusal", async () => {
    harness = await openDashboard({ setup: directory, columns: 81, rows: 30 })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press(keys.ctrl("d"))
    const dialog = await screen.waitFor("Request the deletion of grace@acme.test")
    expect(flat(dialog)).toContain("Deletion waits for a second person's approval; then the account is erased for good.")
    for (const l of linesWith(dialog, "good.")) expect(l).toMatch(/^│ \S/)
    await screen.press(keys.escape)

    screen.resize(71, 30)
    await screen.press("a")
    await screen.type("auditor")
    await screen.press(keys.tab, keys.tab)
    await screen.type("tomorrow")
    await screen.press(keys.enter, keys.enter)
    const refused = await screen.waitFor("error: Until:")
    expect(flat(refused)).toContain("error: Until: use an ISO 8601 date or date-time, e.g. 2027-12-25 or 2027-12-25T17:00:00Z.")
    for (const l of linesWith(refused, "2027-12-25T17:00:00Z.")) expect(l).toMatch(/^│ \S/)
  })

  it("a malformed Until is named as the form labels it, the focus goes to it, and the message goes once it is edited", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press("a")
    await screen.type("auditor")
    await screen.press(keys.tab, keys.tab)
    await screen.type("tomorrow")
    await screen.press(keys.tab, keys.enter)
    const refused = await screen.waitFor("error: Until: use an ISO 8601 date or date-time")
    expect(refused).not.toContain("expires")
    expect(rowOf(refused, "Until")).toContain(">Until")
    await screen.press(keys.ctrl("u"))
    await screen.waitFor((f) => !f.includes("error:"), { what: "the stale error gone after the edit" })
    await screen.type("2099-01-01")
    await screen.press(keys.enter, keys.enter)
    await screen.waitFor("Granted auditor@org:acme to grace@acme.test.")
  })

  it("a field's hint is wrapped, not cut, at narrow widths (the grant's Role)", async () => {
    harness = await openDashboard({ setup: directory, columns: 60, rows: 30 })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press("a")
    const form = await screen.waitFor("Grant a role to grace@acme.test")
    expect(flat(form)).toContain("provider-admin, org-admin, user-manager, approver, auditor or a custom role")
    expect(linesWith(form, "provider-admin").join("")).not.toContain("~")
  })

  it("ctrl+s saves from any field, without enter through the fields below", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await openUser(screen, "hopper", "grace@acme.test")
    await screen.press("e")
    const form = await screen.waitFor("Edit grace@acme.test")
    expect(form).toContain("ctrl+s save")
    await screen.press(keys.ctrl("u"))
    await screen.type("Amazing Grace")
    await screen.press(keys.ctrl("s"))
    await screen.waitFor("Saved grace@acme.test.")
    await screen.waitFor("Amazing Grace Hopper <grace@acme.test>")
    expect((await harness.system(Core.showUser("grace@acme.test"))).user.firstName).toBe("Amazing Grace")
  })

  it("ctrl+c in a half-filled form asks first; any other key goes back to the form as it was", async () => {
    harness = await openDashboard({ setup: directory })
    const { screen } = harness
    await screen.waitFor("1-2 of 2")
    await screen.press("i")
    await screen.waitFor("Invite someone")
    await screen.type("linus@acme.test")
    await screen.press(keys.ctrl("c"))
    const asked = await screen.waitFor((f) => statusLine(f).includes("Quit and lose what you typed in the form? ctrl+c or y quits"))
    expect(rowOf(asked, "E-mail")).toContain("linus@acme.test")
    await screen.press("x")
    const back = await screen.waitFor((f) => !f.includes("Quit and lose") && statusLine(f).startsWith("enter next / submit"))
    expect(rowOf(back, "E-mail")).toContain("linus@acme.test")
    expect(rowOf(back, "E-mail")).not.toContain("linus@acme.testx")
  })

  it("ctrl+c quits after the question is answered with y, and at once from a form with nothing typed", async () => {
    temp = makeTempDirectory()
    const runtime = Core.makeCoreRuntime(temp.location, temp.config)
    await runtime.runPromise(initialized)
    const mount = async () => {
      const stdout = new FakeStdout()
      const stdin = new FakeStdin()
      const started = await mountDashboard({
        runtime, location: temp!.location, stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream,
        size: { columns: 100, rows: 30 }, actor: "admin@acme.test", readonly: false, colors: false
      })
      if (!started.ok) throw new Error(started.message)
      let closed = false
      void started.mounted.closed.then(() => void (closed = true))
      const shows = (text: string | RegExp) => vi.waitFor(() => expect(plain(stdout.written)).toMatch(text))
      await vi.waitFor(() => expect(stdin.listenerCount("readable")).toBeGreaterThan(0))
      await shows("Users  |")
      return { stdin, shows, closed: () => closed, done: started.mounted.closed }
    }
    try {
      const typed = await mount()
      typed.stdin.write("i")
      await typed.shows("Invite someone")
      typed.stdin.write("x")
      await typed.shows(/>E-mail\s+x/)
      typed.stdin.write(keys.ctrl("c"))
      await typed.shows("Quit and lose what you typed")
      expect(typed.closed()).toBe(false)
      typed.stdin.write("y")
      await typed.done

      const untouched = await mount()
      untouched.stdin.write("i")
      await untouched.shows("Invite someone")
      untouched.stdin.write(keys.ctrl("c"))
      await untouched.done
    } finally {
      await runtime.dispose()
    }
  })
})
