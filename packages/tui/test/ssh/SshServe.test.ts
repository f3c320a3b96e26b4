import * as Core from "@usher/core"
import { activeUser, type TempDirectory } from "@usher/testkit"
import { Effect } from "effect"
import { execFile, spawn } from "node:child_process"
import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { startSshServer } from "../../src/ssh/Server.js"
import { initializedDirectory, USHER_BIN, usher } from "../support.js"

// the in-process server below draws with Ink, which reads CI once, when it is loaded
vi.hoisted(() => {
  delete process.env["CI"]
  delete process.env["CONTINUOUS_INTEGRATION"]
})

const run = promisify(execFile)

// CI is set on purpose: the server's dashboards are live all the same
const env = () => ({ PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", TERM: "xterm-256color", LANG: "C.UTF-8", CI: "true" })

/** A key made by OpenSSH's ssh-keygen, with the fingerprint it prints. */
const keygen = async (dir: string, name: string) => {
  const file = join(dir, name)
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@laptop`, "-f", file])
  const { stdout } = await run("ssh-keygen", ["-lf", `${file}.pub`])
  return { file, fingerprint: stdout.split(" ")[1]! }
}

/** `usher ssh-serve --port 0` as a child process, with the port and host key it printed. */
const startServer = async (temp: TempDirectory) => {
  const child = spawn(process.execPath, [USHER_BIN, "--db", temp.path, "ssh-serve", "--port", "0"], { env: { ...env(), USHER_DATA_DIR: temp.dir } })
  let out = ""
  let err = ""
  child.stderr.on("data", (d: Buffer) => void (err += d.toString()))
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ssh-serve did not start: ${err}`)), 30_000)
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString()
      const found = /listening on 127\.0\.0\.1:(\d+), host key (SHA256:\S+)/.exec(out)
      if (found !== null) {
        clearTimeout(timer)
        resolve(out)
      }
    })
    child.on("exit", (code) => reject(new Error(`ssh-serve exited with ${code}: ${err}`)))
  })
  const [, port, hostKey] = /listening on 127\.0\.0\.1:(\d+), host key (SHA256:\S+)/.exec(line)!
  const stopped = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, port: Number(port), hostKey: hostKey!, log: () => err, stop: async () => (child.kill("SIGTERM"), await stopped) }
}

/** The OpenSSH client's options for a test: no known_hosts, only the given key, never a prompt. */
const sshArgs = (port: number, key: string) => [
  "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
  "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-F", "/dev/null", "-i", key, "-p", String(port)
]

const ssh = (port: number, key: string, command: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("ssh", [...sshArgs(port, key), "-n", "admin@127.0.0.1", "--", ...command], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }))
  })

/** A real terminal (tmux on a private socket) running `ssh -t`, which can also be resized. */
const terminal = async (port: number, key: string, columns = 100, rows = 30) => {
  const socket = `usher-ssh-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const tmux = (...args: ReadonlyArray<string>) => run("tmux", ["-L", socket, ...args])
  const quoted = [...sshArgs(port, key), "-t", "admin@127.0.0.1"].map((a) => `'${a}'`).join(" ")
  await tmux("-f", "/dev/null", "new-session", "-d", "-s", "test", "-x", String(columns), "-y", String(rows), `export TERM=xterm-256color LANG=C.UTF-8; ssh ${quoted}; echo "ssh exited with $?"; sleep 60`)
  const capture = async () => (await tmux("capture-pane", "-p", "-t", "test")).stdout
  return {
    capture,
    styled: async () => (await tmux("capture-pane", "-e", "-p", "-t", "test")).stdout,
    keys: (...keys: ReadonlyArray<string>) => tmux("send-keys", "-t", "test", ...keys),
    type: (text: string) => tmux("send-keys", "-t", "test", "-l", text),
    resize: (x: number, y: number) => tmux("resize-window", "-t", "test", "-x", String(x), "-y", String(y)),
    waitFor: async (check: string | RegExp, timeout = 15_000) => {
      const test = typeof check === "string" ? (s: string) => s.includes(check) : (s: string) => check.test(s)
      const deadline = Date.now() + timeout
      for (;;) {
        const screen = await capture()
        if (test(screen)) return screen
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${String(check)}; the terminal shows:\n${screen}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    kill: () => tmux("kill-server").catch(() => undefined)
  }
}

let temp: TempDirectory
let server: Awaited<ReturnType<typeof startServer>>
let admin: Awaited<ReturnType<typeof keygen>>
let bob: Awaited<ReturnType<typeof keygen>>
let stranger: Awaited<ReturnType<typeof keygen>>
const terminals: Array<{ kill: () => Promise<unknown> }> = []

beforeAll(async () => {
  temp = await initializedDirectory()
  const runtime = Core.makeCoreRuntime(temp.location, temp.config)
  await runtime.runPromise(Effect.gen(function*() {
    yield* activeUser({ email: "bob@acme.test", firstName: "Bob", lastName: "Builder" })
    yield* Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, scope: "org:acme" }).pipe(Core.as("system", "cli"))
  }))
  await runtime.dispose()
  ;[admin, bob, stranger] = await Promise.all([keygen(temp.dir, "admin"), keygen(temp.dir, "bob"), keygen(temp.dir, "stranger")])
  const added = await usher(temp, ["keys", "add", "admin@acme.test", `${admin.file}.pub`, "--json"])
  expect(added.code, added.stderr).toBe(0)
  expect(added.json.fingerprint).toBe(admin.fingerprint)
  const fromStdin = await usher(temp, ["keys", "add", "bob@acme.test", "-"], {}, readFileSync(`${bob.file}.pub`, "utf8"))
  expect(fromStdin.stdout).toContain(bob.fingerprint)
  server = await startServer(temp)
}, 60_000)

afterAll(async () => {
  for (const t of terminals) await t.kill()
  await server?.stop()
  temp?.cleanup()
})

describe("usher ssh-serve with the OpenSSH client", () => {
  it("exec runs one command as the key's user (--json); an unknown key is refused; the host key is the owner's alone", async () => {
    const listed = await ssh(server.port, admin.file, ["users", "list", "--json"])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout).map((u: { email: string }) => u.email).sort()).toEqual(["admin@acme.test", "bob@acme.test"])
    // the key's user acts: no --as, no other database, none of the server's files
    const as = await ssh(server.port, bob.file, ["--as", "admin@acme.test", "users", "list", "--json"])
    expect([as.code, JSON.parse(as.stdout).error._tag]).toEqual([2, "UsageError"])
    const denied = await ssh(server.port, bob.file, ["users", "suspend", "admin@acme.test", "--json"])
    expect([denied.code, JSON.parse(denied.stdout).error._tag]).toEqual([1, "PermissionDenied"])
    const file = await ssh(server.port, admin.file, ["import", "users", "/etc/passwd"])
    expect(file.code).toBe(2)

    const refused = await ssh(server.port, stranger.file, ["users", "list"])
    expect(refused.code).toBe(255)
    expect(refused.stderr).toContain("Permission denied (publickey)")
    expect(server.log()).toContain(`refused key ${stranger.fingerprint}`)

    // a key added over SSH itself, from standard input; read-only, it runs only reading commands
    const added = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = execFile("ssh", [...sshArgs(server.port, admin.file), "admin@127.0.0.1", "--", "keys", "add", "bob@acme.test", "-", "--readonly", "--json"], { timeout: 20_000 }, (error, stdout) =>
        resolve({ code: error === null ? 0 : 1, stdout }))
      child.stdin!.end(readFileSync(`${stranger.file}.pub`))
    })
    expect([added.code, JSON.parse(added.stdout).fingerprint, JSON.parse(added.stdout).readonly]).toEqual([0, stranger.fingerprint, true])
    const reads = await ssh(server.port, stranger.file, ["users", "show", "bob@acme.test", "--json"])
    expect(reads.code, reads.stderr).toBe(0)
    const writes = await ssh(server.port, stranger.file, ["users", "update", "bob@acme.test", "--position", "boss"])
    expect([writes.code, writes.stderr]).toEqual([2, expect.stringContaining("read-only")])
    expect((await usher(temp, ["keys", "remove", stranger.fingerprint])).code).toBe(0)

    const hostKey = join(temp.dir, "ssh_host_ed25519_key")
    expect(statSync(hostKey).mode & 0o777).toBe(0o600)
    const { stdout } = await run("ssh-keygen", ["-lf", `${hostKey}.pub`])
    expect(stdout.split(" ")[1]).toBe(server.hostKey)
  }, 30_000)

  it("two dashboards at once, each as its key's user; one resizes; the admin suspends bob, the audit says via ssh, bob's session ends", async () => {
    const a = await terminal(server.port, admin.file)
    terminals.push(a)
    const b = await terminal(server.port, bob.file, 80, 24)
    terminals.push(b)
    let screen = await a.waitFor(/Users  \|  1-2 of 2/)
    expect(screen).toContain("as admin@acme.test")
    expect(screen).toContain("bob@acme.test")
    screen = await b.waitFor(/Users  \|  1-2 of 2/)
    expect(screen).toContain("as bob@acme.test")
    // styled as on a local terminal (the server's own output is no terminal): the cursor row in inverse
    expect(await a.styled()).toMatch(/\u001B\[(\d+;)*7m/)

    // window-change: the frame follows the new size
    await a.resize(140, 20)
    screen = await a.waitFor((/ROLES\s+REGISTERED/))
    expect(screen.split("\n").some((l) => l.length > 100)).toBe(true)

    await a.keys("/")
    await a.type("bob@acme")
    await a.waitFor("1-1 of 1")
    await a.keys("Enter", "Enter")
    await a.waitFor(/User bob@acme\.test/)
    await a.keys("s")
    await a.waitFor("Suspend bob@acme.test")
    await a.type("left the team")
    await a.keys("Enter")
    await a.waitFor("status suspended")

    screen = await b.waitFor("ssh exited with")
    expect(screen).toContain("no longer active")
    // the admin's dashboard goes on
    expect(await a.capture()).toContain("status suspended")

    const audit = await usher(temp, ["audit", "list", "--json", "--limit", "50"])
    const events = audit.json as ReadonlyArray<{ action: string; via: string; details: { key?: string; kind?: string } }>
    expect(events.find((e) => e.action === "user.suspend")?.via).toBe("ssh")
    const opened = events.filter((e) => e.action === "ssh.session.open")
    expect(opened.every((e) => e.via === "ssh")).toBe(true)
    expect(opened.filter((e) => e.details.kind === "dashboard").map((e) => e.details.key).sort()).toEqual([admin.fingerprint, bob.fingerprint].sort())

    // a suspended user's key no longer signs in
    const again = await ssh(server.port, bob.file, ["users", "list"])
    expect(again.code).toBe(255)
    await a.keys("q")
    await a.waitFor("ssh exited with 0")
  }, 60_000)

  it("a restart reuses the host key", async () => {
    const before = server.hostKey
    expect(await server.stop()).toBe(0)
    server = await startServer(temp)
    expect(server.hostKey).toBe(before)
    const listed = await ssh(server.port, admin.file, ["users", "list", "--json"])
    expect(listed.code, listed.stderr).toBe(0)
  }, 30_000)

  it("the server on a runtime of its own caller: a dashboard idle too long ends; connections past the maximum are refused", async () => {
    const runtime = Core.makeCoreRuntime(temp.location, temp.config)
    const lines: Array<string> = []
    const embedded = await startSshServer({
      runtime, location: temp.location, host: "127.0.0.1", port: 0, hostKeyFile: join(temp.dir, "embedded_host_key"),
      log: (line) => void lines.push(line), idleMs: 1500, maxConnections: 1
    })
    try {
      const t = await terminal(embedded.port, admin.file)
      terminals.push(t)
      await t.waitFor(/Users  \|  1-2 of 2/)
      expect(embedded.sessions()).toBe(1)
      const second = await ssh(embedded.port, admin.file, ["users", "list"])
      expect(second.code).toBe(255)
      expect(lines.join("\n")).toContain("1 connections are open")
      const screen = await t.waitFor("ssh exited with", 10_000)
      expect(screen).toContain("no key pressed for 2 seconds")
      expect(embedded.sessions()).toBe(0)
    } finally {
      await embedded.close()
      await runtime.dispose()
    }
  }, 30_000)
})
