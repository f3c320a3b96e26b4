/** The words of `usher serve`: its flags, read before anything is opened. */
import * as Core from "@usher/core"
import { Either } from "effect"
import { parseArgs } from "node:util"

/** Its usage line. */
export const SERVE_USAGE = "usher serve [--port 8080] [--host 127.0.0.1]"

/** Its lines in `usher --help`. */
export const SERVE_HELP = [
  `  ${SERVE_USAGE}`,
  "      Serve the pages people use (accept an invitation, reset a password, sign in, their account) over HTTP; env PORT,",
  "      HOST; the links in mail point to USHER_PUBLIC_URL. Run it behind a reverse proxy that terminates TLS",
  "      (USHER_TRUST_PROXY=1 takes the client address from X-Forwarded-For)."
]

/** The flags as given (the environment's PORT and HOST fill in what is missing, in `serveAddress`). */
export interface ServeFlags {
  readonly port: string | undefined
  readonly host: string | undefined
}

/** Reads `usher serve`'s flags; a message when they are not understood. */
export const readServeFlags = (args: ReadonlyArray<string>): ServeFlags | string => {
  try {
    const { values } = parseArgs({ args: [...args], options: { port: { type: "string" }, host: { type: "string" } }, allowPositionals: false, strict: true })
    return { port: values.port, host: values.host }
  } catch (error) {
    return (error instanceof Error ? error.message.replace(/\. To specify .*$/s, "") : String(error)).slice(0, 200)
  }
}

/** Where to listen: the flags, else PORT and HOST, else 127.0.0.1:8080; a message when invalid. */
export const serveAddress = (flags: ServeFlags, env: Readonly<Record<string, string | undefined>>): { readonly host: string; readonly port: number } | string => {
  const port = Core.Input.parseWholeNumber("--port", flags.port ?? env["PORT"] ?? "8080", { min: 0, max: 65_535 })
  if (Either.isLeft(port)) return port.left.message
  const host = flags.host ?? env["HOST"] ?? "127.0.0.1"
  if (host.length > 255 || !/^[A-Za-z0-9.:_-]+$/.test(host)) return "--host must be a host name or an IP address"
  return { host, port: port.right }
}
