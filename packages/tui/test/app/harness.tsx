import * as Core from "@usher/core"
import { SqlClient } from "@effect/sql"
import { initialized, keys, makeTempDirectory, plain, renderScreen, type Screen, type TempDirectory } from "@usher/testkit"
import { Effect } from "effect"
import { EventEmitter } from "node:events"
import { App } from "../../src/app/App.js"
import { defectLog } from "../../src/app/runtime/defectLog.js"
import { Dashboard, isEmptyDirectory, resolveActing } from "../../src/app/runtime/Dashboard.js"

/** A dashboard on a fresh temp directory, rendered on a fake terminal. */
export interface Harness {
  readonly temp: TempDirectory
  readonly screen: Screen
  readonly dashboard: Dashboard
  /** runs an effect on the dashboard's own runtime as `system` (test setup and checks) */
  readonly system: <A, E>(effect: Effect.Effect<A, E, Core.CoreServices | Core.Actor>) => Promise<A>
  /** runs an effect from a second connection, as another process would */
  readonly elsewhere: <A, E>(effect: Effect.Effect<A, E, Core.CoreServices | Core.Actor>, as?: string) => Promise<A>
  readonly close: () => Promise<void>
}

/** How to open the dashboard under test. */
export interface HarnessOptions {
  readonly columns?: number
  readonly rows?: number
  readonly readonly?: boolean
  /** act as this e-mail (default: the only provider admin) */
  readonly actor?: string
  /** leave the directory empty (the setup screen) */
  readonly empty?: boolean
  /** more setup, run as system before the dashboard opens */
  readonly setup?: Effect.Effect<unknown, unknown, Core.CoreServices | Core.Actor>
  readonly colors?: boolean
  /** the base of the links usher hands out (`USHER_PUBLIC_URL`) */
  readonly publicUrl?: string
}

/**
 * Opens the real dashboard (no mocked core) on a temp SQLite directory: `init` ran (organization
 * `acme`, admin `admin@acme.test`) unless `empty`, then `setup`. Live polling runs every 50 ms.
 */
export const openDashboard = async (options: HarnessOptions = {}): Promise<Harness> => {
  const temp = makeTempDirectory()
  const config = { ...temp.config, ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }) }
  const runtime = Core.makeCoreRuntime(temp.location, config)
  const system: Harness["system"] = (effect) => runtime.runPromise(Core.as("system", "cli")(effect))
  if (options.empty !== true) await runtime.runPromise(initialized)
  if (options.setup !== undefined) await system(options.setup)
  const needsSetup = await system(isEmptyDirectory)
  const acting = needsSetup ? undefined : await runtime.runPromise(resolveActing(options.actor))
  // as a local dashboard does: defects into the data directory's log
  const dashboard = new Dashboard(runtime, temp.location, options.readonly ?? false, acting, "tui", defectLog(config.dataDir))
  const screen = renderScreen(<App dashboard={dashboard} needsSetup={needsSetup} colors={options.colors ?? true} pollMs={50} />, {
    columns: options.columns ?? 120,
    rows: options.rows ?? 30
  })
  const other = Core.makeCoreRuntime(temp.location, config)
  return {
    temp,
    screen,
    dashboard,
    system,
    elsewhere: (effect, as) => other.runPromise(as === undefined ? Core.as("system", "cli")(effect) : Core.asUser(as, "cli")(effect)),
    close: async () => {
      screen.unmount()
      await other.dispose()
      await runtime.dispose()
      temp.cleanup()
    }
  }
}

/** The line under the cursor (drawn inverse below the header bar), without styles; undefined when none is. */
export const selectedLine = (screen: Screen): string | undefined => {
  const line = screen.styledFrame().split("\n").slice(1).find((l) => l.includes("\u001B[7m"))
  return line === undefined ? undefined : plain(line)
}

/** Runs a SQL statement on the dashboard's directory as test setup (for states no use case creates: a lock, a session). */
export const execute = (statement: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(Effect.orDie)

/** The line of a frame that mentions a text (a row of a table), or "" when none does. */
export const rowOf = (frame: string, text: string): string => frame.split("\n").find((l) => l.includes(text)) ?? ""

/** A frame's text with dialog borders and line breaks flattened to single spaces (wrapped messages read whole). */
export const flat = (frame: string): string => frame.replace(/[│┌┐└┘─]/g, " ").replace(/\s+/g, " ")

/** Switches view through command mode (`:` + name + enter) and waits for its title. */
export const goTo = async (screen: Screen, view: string, title: string) => {
  await screen.press(":")
  await screen.type(view)
  await screen.press(keys.enter)
  return screen.waitFor(title)
}

/** Filters the users view down to one user (by a word of theirs, in place of any filter) and opens their detail, loaded. */
export const openUser = async (screen: Screen, text: string, email: string) => {
  await screen.waitFor("Users  |")
  await screen.press("/", keys.ctrl("u"))
  await screen.type(text)
  await screen.waitFor("1-1 of 1")
  await screen.press(keys.enter)
  await screen.waitFor((f) => rowOf(f, email) !== "")
  await screen.press(keys.enter)
  return screen.waitFor((f) => f.includes(`User ${email}  |  lines`) && !f.includes("loading..."), { what: `the detail of ${email}, loaded` })
}

/** The status line: a frame's last line. */
export const statusLine = (frame: string) => frame.split("\n").at(-1) ?? ""

/** A terminal's output for `mountDashboard`: a TTY of a size that keeps everything written. */
export class FakeStdout extends EventEmitter {
  readonly isTTY = true
  columns = 100
  rows = 30
  written = ""
  write = (chunk: string) => {
    this.written += chunk
    return true
  }
}

/** A terminal's keyboard for `mountDashboard`: `write` types into it. */
export class FakeStdin extends EventEmitter {
  readonly isTTY = true
  private data: string | null = null
  write = (data: string) => {
    this.data = data
    this.emit("readable")
    this.emit("data", data)
  }
  read = () => {
    const data = this.data
    this.data = null
    return data
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}
