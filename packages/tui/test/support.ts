import { makeTempDirectory, type TempDirectory } from "@usher/testkit"
import { afterEach } from "vitest"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { main, type ExitCode } from "../src/cli/main.js"

/** The real `usher` executable of this package. */
export const USHER_BIN = fileURLToPath(new URL("../bin/usher.mjs", import.meta.url))

/** What one invocation printed and returned. */
export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** stdout parsed as JSON (for --json runs) */
  readonly json: any
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Runs `usher` in this process (same code path as the binary, captured output). */
export const usher = async (temp: TempDirectory, args: ReadonlyArray<string>, env: Record<string, string> = {}, stdin = ""): Promise<Run> => {
  let stdout = ""
  let stderr = ""
  const code: ExitCode = await main(["--db", temp.path, ...args], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    // its mail and keys in its temp folder, on PostgreSQL too (where no file path implies one)
    env: { USHER_DATA_DIR: temp.dir, ...env },
    stdin: () => Promise.resolve(stdin)
  })
  return { code, stdout, stderr, json: parse(stdout) }
}

/** Runs the real `usher` binary as a child process. */
export const spawnUsher = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [USHER_BIN, ...args], { env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", ...env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resolve({ code, stdout, stderr, json: parse(stdout) })
    })
  })

/** A temp directory (on the test engine, or the one given) with `init` run: organization `acme`, provider admin `admin@acme.test`. */
export const initializedDirectory = async (engine?: "sqlite" | "pg"): Promise<TempDirectory> => {
  const temp = makeTempDirectory(engine)
  const run = await usher(temp, ["init", "--admin", "admin@acme.test", "--first-name", "Ada", "--last-name", "Admin", "--org", "acme", "--org-name", "Acme"])
  if (run.code !== 0) throw new Error(`init failed: ${run.stderr}`)
  return temp
}

/** Temp directories for a test file, each removed after its test: `initialized()` or `empty()`. */
export const tempDirectories = () => {
  const temps: Array<TempDirectory> = []
  afterEach(() => {
    for (const t of temps.splice(0)) t.cleanup()
  })
  const keep = (temp: TempDirectory) => (temps.push(temp), temp)
  return {
    initialized: async () => keep(await initializedDirectory()),
    empty: () => keep(makeTempDirectory())
  }
}
