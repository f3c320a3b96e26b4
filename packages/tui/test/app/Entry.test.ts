import * as Core from "@usher/core"
import { makeTempDirectory } from "@usher/testkit"
import { describe, expect, it } from "vitest"
import { main, type DashboardStart, type Io } from "../../src/cli/main.js"

const io = (dashboard?: Io["dashboard"], env: Record<string, string> = {}) => {
  const out = { stdout: "", stderr: "" }
  const value: Io = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    env,
    ...(dashboard !== undefined ? { dashboard } : {})
  }
  return { io: value, out }
}

describe("usher without a command", () => {
  it("opens the dashboard on a terminal with the directory, the actor and read-only as given", async () => {
    const temp = makeTempDirectory()
    try {
      const seen: Array<DashboardStart> = []
      // a SQLite file's folder is its data directory; a PostgreSQL directory's is USHER_DATA_DIR
      const { io: terminal } = io(async (start) => (seen.push(start), 0), temp.location.engine === "pg" ? { USHER_DATA_DIR: temp.dir } : {})
      expect(await main(["--db", temp.path, "--as", "ada@acme.test", "--readonly"], terminal)).toBe(0)
      expect(seen.map((s) => [Core.describeLocation(s.location), s.actor, s.readonly, s.config.dataDir])).toEqual([[temp.path, "ada@acme.test", true, temp.dir]])
      expect(await main(["--db", temp.path], terminal)).toBe(0)
      expect(seen[1]?.readonly).toBe(false)
      expect(seen[1]?.actor).toBeUndefined()
    } finally {
      temp.cleanup()
    }
  })

  it("without a terminal prints the help, refuses --readonly, and --readonly with a command is a usage error", async () => {
    const plain = io()
    expect(await main([], plain.io)).toBe(0)
    expect(plain.out.stdout).toContain("(no command, on a terminal: the full-screen dashboard)")
    const readonly = io()
    expect(await main(["--readonly"], readonly.io)).toBe(2)
    expect(readonly.out.stderr).toContain("the dashboard needs a terminal")
    const command = io(async () => 0)
    expect(await main(["--readonly", "users", "list"], command.io)).toBe(2)
    expect(command.out.stderr).toContain("--readonly is for the dashboard")
    const help = io(async () => 0)
    expect(await main(["--help"], help.io)).toBe(0)
    expect(help.out.stdout).toContain("usher users list")
  })
})
