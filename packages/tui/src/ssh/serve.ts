import * as Core from "@usher/core"
import { homedir } from "node:os"
import { dirname, join, resolve } from "node:path"
import type { ExitCode, SshServeStart } from "../cli/main.js"
import { startSshServer } from "./Server.js"

/** What the binary gives `usher ssh-serve`. */
export interface SshServeOptions extends SshServeStart {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

const SIGNALS: ReadonlyArray<NodeJS.Signals> = ["SIGTERM", "SIGINT", "SIGHUP"]

/** Where the host key lives: `$USHER_DATA_DIR`, else beside the database (its default folder). */
export const hostKeyFile = (env: SshServeOptions["env"], location: Core.DatabaseLocation): string => {
  const dataDir = env["USHER_DATA_DIR"] !== undefined && env["USHER_DATA_DIR"] !== ""
    ? resolve(env["USHER_DATA_DIR"])
    : location.engine === "pg" || location.path === ":memory:" ? join(homedir(), ".local", "share", "usher") : dirname(location.path)
  return join(dataDir, "ssh_host_ed25519_key")
}

/**
 * `usher ssh-serve`: the process's concerns around the server — one runtime for every session,
 * and SIGTERM, SIGINT or SIGHUP ending every session before the directory closes.
 */
export const runSshServe = async (options: SshServeOptions): Promise<ExitCode> => {
  const runtime = Core.makeCoreRuntime(options.location, options.config)
  try {
    // open the directory (and run its migrations) before anyone connects
    await runtime.runtime()
    const server = await startSshServer({
      runtime,
      location: options.location,
      host: options.host,
      port: options.port,
      hostKeyFile: hostKeyFile(options.env, options.location),
      maxConnections: options.maxSessions,
      idleMs: options.idleMinutes * 60_000,
      log: (line) => options.stderr(`usher ssh-serve: ${line}\n`)
    })
    options.stdout(`usher ssh-serve: listening on ${server.host}:${server.port}, host key ${server.hostKeyFingerprint}\n`)
    // the handlers stay until the sessions are gone: Ink re-raises a signal when it finds itself
    // its only listener, which would end the process before the sessions are
    let stop: () => void = () => undefined
    const stopped = new Promise<void>((resolve) => (stop = resolve))
    for (const signal of SIGNALS) process.on(signal, stop)
    try {
      await stopped
      await server.close()
    } finally {
      for (const signal of SIGNALS) process.off(signal, stop)
    }
    return 0
  } catch (error) {
    options.stderr(`usher ssh-serve: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  } finally {
    await runtime.dispose()
  }
}
