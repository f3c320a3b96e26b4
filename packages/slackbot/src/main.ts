import { LogLevel } from "@slack/bolt"
import * as Core from "@usher/core"
import { ConfigProvider, Effect, Exit, Fiber } from "effect"
import { startBot, type RunningBot } from "./app.js"
import { shownError } from "./blocks/errors.js"
import { configFromEnv } from "./config.js"

/** Where the executable writes, and its environment; tests pass their own. */
export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

/** A started bot with its core runtime; `stop` ends both. */
export interface Started {
  readonly running: RunningBot
  readonly stop: () => Promise<void>
}

/**
 * Starts `usher-slack` from the environment: the bot's settings, the directory's database and
 * mail settings. A missing or wrong setting, a database that cannot be opened or a token Slack
 * refuses ends start-up with exit code 2 and a message naming the problem.
 */
export const main = async (io: Io, options: { readonly logLevel?: LogLevel } = {}): Promise<Started | 2> => {
  const env = new Map(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined))
  const setup = await Effect.runPromiseExit(
    Effect.all({
      config: configFromEnv,
      location: Core.resolveLocation(undefined)
    }).pipe(
      Effect.bind("core", ({ location }) => Core.configFromEnv(location)),
      Effect.withConfigProvider(ConfigProvider.fromMap(env))
    )
  )
  if (Exit.isFailure(setup)) {
    io.stderr(`usher-slack: ${shownError(setup.cause).message}\n`)
    return 2
  }
  const { config, location, core } = setup.value
  const runtime = Core.makeCoreRuntime(location, core)
  const opened = await runtime.runPromiseExit(Core.Database)
  if (Exit.isFailure(opened)) {
    io.stderr(`usher-slack: ${shownError(opened.cause).message}\n`)
    await runtime.dispose()
    return 2
  }
  const minutes = Core.policyMinutes(io.env["USHER_POLICY_MINUTES"])
  if (minutes === undefined) {
    io.stderr("usher-slack: USHER_POLICY_MINUTES must be a whole number of minutes from 0 (off) to 1440\n")
    await runtime.dispose()
    return 2
  }
  try {
    const running = await startBot(config, runtime, { logLevel: options.logLevel ?? LogLevel.INFO })
    // core's policy pass (expiries, dormant accounts) on a timer; the lease lets one replica at a time do it
    const policies = minutes === 0 ? undefined : runtime.runFork(Core.Jobs.policyLoop(`${minutes} minutes`).pipe(Core.Jobs.asSystem("slack")))
    io.stdout(config.mode._tag === "http"
      ? `usher-slack: listening on http://${running.host ?? config.mode.host}:${running.port}/slack/events (HTTP mode), directory ${Core.describeLocation(location)}\n`
      : `usher-slack: connected to Slack (Socket Mode), directory ${Core.describeLocation(location)}\n`)
    return {
      running,
      stop: async () => {
        if (policies !== undefined) await Effect.runPromise(Fiber.interrupt(policies))
        await running.stop()
        await runtime.dispose()
      }
    }
  } catch (error) {
    io.stderr(`usher-slack: ${error instanceof Error ? error.message : String(error)}\n`)
    await runtime.dispose()
    return 2
  }
}
