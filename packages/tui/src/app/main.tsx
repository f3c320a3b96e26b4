import * as Core from "@usher/core"
import { Exit } from "effect"
import { render, type Instance } from "ink"
import { constants } from "node:os"
import { formatCause } from "../present/formatError.js"
import { App, type FirstScreen } from "./App.js"
import { usersWindow } from "./screens/Users.js"
import { Dashboard, isEmptyDirectory, resolveActing } from "./runtime/Dashboard.js"

/** How `usher` (no command) starts the dashboard. */
export interface DashboardOptions {
  /** the database location (`--db`), else the environment's */
  readonly location: Core.DatabaseLocation
  readonly config: Core.CoreConfigShape
  /** who acts (`--as` or `USHER_ACTOR`); default the only provider admin */
  readonly actor: string | undefined
  /** auditors: every mutating key is disabled */
  readonly readonly: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdin: NodeJS.ReadStream
  readonly stdout: NodeJS.WriteStream
  readonly stderr: (text: string) => void
}

const ENTER_ALTERNATE_SCREEN = "\u001B[?1049h"
const LEAVE_ALTERNATE_SCREEN = "\u001B[?1049l"
const SIGNALS: ReadonlyArray<NodeJS.Signals> = ["SIGTERM", "SIGHUP", "SIGINT"]

/**
 * Runs the full-screen dashboard until the user quits: opens the directory, works out who acts
 * (or shows the setup screen for an empty directory), switches to the alternate screen, and on
 * the way out restores the terminal exactly once. Returns the process exit code; after SIGTERM,
 * SIGHUP or SIGINT it restores the terminal the same way and exits with 128 + the signal's number.
 */
export const runDashboard = async (options: DashboardOptions): Promise<0 | 1> => {
  const runtime = Core.makeCoreRuntime(options.location, options.config)
  let signalled: number | undefined
  try {
    const acting = await runtime.runPromiseExit(resolveActing(options.actor))
    let needsSetup = false
    if (Exit.isFailure(acting)) {
      // nobody to act as in an empty directory: that is the setup screen, not an error
      const empty = await runtime.runPromiseExit(Core.as("system", "tui")(isEmptyDirectory))
      if (Exit.isFailure(empty) || !empty.value) {
        options.stderr(`usher: ${formatCause(Exit.isFailure(empty) ? empty.cause : acting.cause).message}\n`)
        return 1
      }
      needsSetup = true
    }
    const dashboard = new Dashboard(runtime, options.location, options.readonly, Exit.isSuccess(acting) ? acting.value : undefined)
    const colors = (options.env["NO_COLOR"] ?? "") === ""
    // read what the first frame shows before drawing it, so it shows users, not a loading line
    // (their count follows: counting 100k users would hold the first frame back)
    const initial: FirstScreen = {}
    if (!needsSetup) {
      const [users, pending] = await Promise.all([
        dashboard.run(Core.userPage({ limit: usersWindow(options.stdout.rows || 24), withTotal: false })),
        dashboard.run(Core.pendingApprovalCount)
      ])
      Object.assign(initial, users.ok ? { users: users.value } : {}, pending.ok ? { pending: pending.value } : {})
    }
    options.stdout.write(ENTER_ALTERNATE_SCREEN)
    let restored = false
    const restore = () => {
      if (restored) return
      restored = true
      options.stdout.write(LEAVE_ALTERNATE_SCREEN)
    }
    process.once("exit", restore)
    // a signal (the SSH session hung up, a `kill`) does not fire "exit": leave the alternate
    // screen on the way out all the same, then end as killed by it (128 + its number)
    let instance: Instance | undefined
    const onSignal = (signal: NodeJS.Signals) => {
      signalled ??= constants.signals[signal]
      instance?.unmount()
    }
    // `on`, not `once`: Ink's signal-exit re-raises the signal when it finds itself the only listener
    for (const signal of SIGNALS) process.on(signal, onSignal)
    try {
      instance = render(<App dashboard={dashboard} needsSetup={needsSetup} colors={colors} initial={initial} />, {
        stdin: options.stdin,
        stdout: options.stdout,
        exitOnCtrlC: false,
        patchConsole: false,
        maxFps: 1000,
        incrementalRendering: false
      })
      await instance.waitUntilExit()
      instance.cleanup()
    } finally {
      restore()
      process.off("exit", restore)
      for (const signal of SIGNALS) process.off(signal, onSignal)
    }
    return 0
  } finally {
    await runtime.dispose()
    // the CLI's exit codes stop at 2: a signal's code is given here, once the directory is closed
    if (signalled !== undefined) process.exit(128 + signalled)
  }
}
