/** `usher serve`: the HTTP server as a process — started, told where it listens, stopped by a signal. */
import type * as Core from "@usher/core"
import { startWebServer } from "./Server.js"

/** What the binary gives `usher serve`. */
export interface ServeOptions {
  readonly location: Core.DatabaseLocation
  readonly config: Core.CoreConfigShape
  readonly host: string
  readonly port: number
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

const SIGNALS: ReadonlyArray<NodeJS.Signals> = ["SIGTERM", "SIGINT", "SIGHUP"]

/**
 * Serves the pages (and, as they come, the APIs) until SIGTERM, SIGINT or SIGHUP; then stops
 * taking requests, lets the running ones finish and closes the directory. 0 on a clean stop.
 */
export const runServe = async (options: ServeOptions): Promise<0 | 1> => {
  try {
    const server = await startWebServer({
      location: options.location,
      config: options.config,
      host: options.host,
      port: options.port,
      trustProxy: options.env["USHER_TRUST_PROXY"] === "1",
      log: (line) => options.stderr(`usher serve: ${line}\n`)
    })
    options.stdout(`usher serve: listening on ${server.url}, links in mail point to ${options.config.publicUrl}\n`)
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
    options.stderr(`usher serve: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
