import * as Core from "@usher/core"
import { Exit, type ManagedRuntime } from "effect"
import { render, type Instance } from "ink"
import { constants } from "node:os"
import { formatDashboardCause } from "../present/dashboardError.js"
import { defectLog, type DefectLog } from "./runtime/defectLog.js"
import { App, type FirstScreen } from "./App.js"
import { usersWindow } from "./screens/Users.js"
import { Dashboard, isEmptyDirectory, resolveActing, type Acting } from "./runtime/Dashboard.js"

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

/** What a dashboard is drawn on: a terminal, or anything shaped like one (an SSH channel). */
export interface MountOptions {
  /** the directory's runtime, shared by every dashboard of the process; the caller disposes it */
  readonly runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>
  readonly location: Core.DatabaseLocation
  /** keys: a readable stream with `isTTY`, `setRawMode`, `ref` and `unref` */
  readonly stdin: NodeJS.ReadStream
  /** frames: a writable stream with `isTTY`, `columns` and `rows`, emitting `resize` */
  readonly stdout: NodeJS.WriteStream
  /** the terminal's size at the start (default: the stream's) */
  readonly size?: { readonly columns: number; readonly rows: number } | undefined
  /** who acts: an e-mail (or undefined: the only provider admin; an empty directory opens the setup screen), or a resolved user */
  readonly actor: string | Acting | undefined
  readonly readonly: boolean
  /** the front-end audit rows name (default `tui`) */
  readonly via?: Core.AuditLog.Via | undefined
  readonly colors: boolean
  /** where defects go (default: standard error, shown once the terminal is restored) */
  readonly logDefect?: DefectLog | undefined
  /** called once when the dashboard is gone (quit, or `close`), after the terminal is restored */
  readonly onClose?: (() => void) | undefined
}

/** A dashboard on screen. */
export interface MountedDashboard {
  /** ends it (the terminal is restored; `onClose` runs); safe to call twice */
  readonly close: () => void
  /** settles once it is gone */
  readonly closed: Promise<void>
}

const ENTER_ALTERNATE_SCREEN = "\u001B[?1049h"
const LEAVE_ALTERNATE_SCREEN = "\u001B[?1049l"
const SIGNALS: ReadonlyArray<NodeJS.Signals> = ["SIGTERM", "SIGHUP", "SIGINT"]

/**
 * Draws a dashboard on the given streams: works out who acts (or the setup screen for an empty
 * directory), reads the first screen, switches to the alternate screen and restores it exactly
 * once on the way out. Touches nothing of the process (no signal or exit handlers, no exit), so
 * many dashboards can share one runtime in one process. Fails with the message to show when
 * nobody can act.
 */
export const mountDashboard = async (options: MountOptions): Promise<{ readonly ok: true; readonly mounted: MountedDashboard } | { readonly ok: false; readonly message: string }> => {
  const { runtime } = options
  let acting: Acting | undefined
  let needsSetup = false
  if (typeof options.actor === "object") acting = options.actor
  else {
    const resolved = await runtime.runPromiseExit(resolveActing(options.actor))
    if (Exit.isFailure(resolved)) {
      // nobody to act as in an empty directory: that is the setup screen, not an error
      const empty = await runtime.runPromiseExit(Core.as("system", options.via ?? "tui")(isEmptyDirectory))
      if (Exit.isFailure(empty) || !empty.value) return { ok: false, message: formatDashboardCause(Exit.isFailure(empty) ? empty.cause : resolved.cause).message }
      needsSetup = true
    } else acting = resolved.value
  }
  const dashboard = new Dashboard(runtime, options.location, options.readonly, acting, options.via ?? "tui", options.logDefect ?? defectLog(null))
  // read what the first frame shows before drawing it, so it shows users, not a loading line
  // (their count follows: counting 100k users would hold the first frame back)
  const initial: FirstScreen = {}
  if (!needsSetup) {
    const [users, pending] = await Promise.all([
      dashboard.run(Core.userPage({ limit: usersWindow(options.size?.rows ?? (options.stdout.rows || 24)), withTotal: false })),
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
    options.onClose?.()
  }
  let instance: Instance
  try {
    instance = render(<App dashboard={dashboard} needsSetup={needsSetup} colors={options.colors} initial={initial} />, {
      stdin: options.stdin,
      stdout: options.stdout,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 1000,
      incrementalRendering: false
    })
  } catch (error) {
    restore()
    throw error
  }
  const closed = instance.waitUntilExit().then(
    () => undefined,
    () => undefined
  ).finally(() => {
    instance.cleanup()
    restore()
  })
  const close = () => {
    if (restored) return
    instance.unmount()
    restore()
  }
  return { ok: true, mounted: { close, closed } }
}

/**
 * Runs the full-screen dashboard on the process's terminal until the user quits. Returns the
 * process exit code; after SIGTERM, SIGHUP or SIGINT it restores the terminal the same way and
 * exits with 128 + the signal's number. The process's concerns (its runtime, signals, exit) are
 * here; the dashboard itself is `mountDashboard`.
 */
export const runDashboard = async (options: DashboardOptions): Promise<0 | 1> => {
  const runtime = Core.makeCoreRuntime(options.location, options.config)
  let signalled: number | undefined
  let mounted: MountedDashboard | undefined
  // a signal (the SSH session hung up, a `kill`) does not fire "exit": leave the alternate
  // screen on the way out all the same, then end as killed by it (128 + its number)
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= constants.signals[signal]
    mounted?.close()
  }
  const onExit = () => mounted?.close()
  try {
    const started = await mountDashboard({
      runtime,
      location: options.location,
      stdin: options.stdin,
      stdout: options.stdout,
      actor: options.actor,
      readonly: options.readonly,
      logDefect: defectLog(options.config.dataDir),
      colors: (options.env["NO_COLOR"] ?? "") === ""
    })
    if (!started.ok) {
      options.stderr(`usher: ${started.message}\n`)
      return 1
    }
    mounted = started.mounted
    process.once("exit", onExit)
    // `on`, not `once`: Ink's signal-exit re-raises the signal when it finds itself the only listener
    for (const signal of SIGNALS) process.on(signal, onSignal)
    try {
      await mounted.closed
    } finally {
      process.off("exit", onExit)
      for (const signal of SIGNALS) process.off(signal, onSignal)
    }
    return 0
  } finally {
    await runtime.dispose()
    // the CLI's exit codes stop at 2: a signal's code is given here, once the directory is closed
    if (signalled !== undefined) process.exit(128 + signalled)
  }
}
