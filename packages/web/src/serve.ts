/** `usher serve`: the HTTP server as a process — started, told where it listens, stopped by a signal. */
import * as Core from "@usher/core"
import { Effect, Either } from "effect"
import { CALLBACK_PATH, discover, oidcConfigFromEnv } from "./oidc/client.js"
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
 * taking requests, lets the running ones finish and closes the directory. 0 on a clean stop, 2
 * when the identity provider's variables are set half-way or wrongly.
 */
export const runServe = async (options: ServeOptions): Promise<0 | 1 | 2> => {
  const oidc = oidcConfigFromEnv({ ...options.env, USHER_PUBLIC_URL: options.config.publicUrl })
  if (Either.isLeft(oidc)) {
    options.stderr(`usher serve: ${oidc.left.message}\n`)
    return 2
  }
  const name = options.env["USHER_OIDC_NAME"]?.trim()
  const minutes = Core.policyMinutes(options.env["USHER_POLICY_MINUTES"])
  if (minutes === undefined) {
    options.stderr("usher serve: USHER_POLICY_MINUTES must be a whole number of minutes from 0 (off) to 1440\n")
    return 2
  }
  try {
    const server = await startWebServer({
      ...(oidc.right === null ? {} : { oidc: { config: oidc.right, ...(name === undefined || name === "" ? {} : { name: name.slice(0, 60) }) } }),
      location: options.location,
      config: options.config,
      host: options.host,
      port: options.port,
      trustProxy: options.env["USHER_TRUST_PROXY"] === "1",
      ...(minutes === 0 ? {} : { policyEvery: `${minutes} minutes` as const }),
      log: (line) => options.stderr(`usher serve: ${line}\n`)
    })
    options.stdout(`usher serve: listening on ${server.url}, links in mail point to ${options.config.publicUrl}\n`)
    if (oidc.right !== null) {
      // told now rather than at the first person's click; the server retries by itself either way
      const found = await Effect.runPromise(Effect.either(discover(oidc.right)))
      options.stdout(Either.isRight(found)
        ? `usher serve: sign-in with ${oidc.right.issuer.href} is on; its redirect URI is ${options.config.publicUrl.replace(/\/+$/, "")}${CALLBACK_PATH}\n`
        : `usher serve: ${found.left.message} Sign-in with it is retried at each attempt.\n`)
    }
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
