import * as Core from "@usher/core"
import { Exit } from "effect"
import { render } from "ink"
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

/**
 * Runs the full-screen dashboard until the user quits: opens the directory, works out who acts
 * (or shows the setup screen for an empty directory), switches to the alternate screen, and on
 * the way out restores the terminal exactly once. Returns the process exit code.
 */
export const runDashboard = async (options: DashboardOptions): Promise<0 | 1> => {
  const runtime = Core.makeCoreRuntime(options.location, options.config)
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
    try {
      const instance = render(<App dashboard={dashboard} needsSetup={needsSetup} colors={colors} initial={initial} />, {
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
    }
    return 0
  } finally {
    await runtime.dispose()
  }
}
