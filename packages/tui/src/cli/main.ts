import * as Core from "@usher/core"
import { Cause, ConfigProvider, Effect, Exit } from "effect"
import { parseArgs } from "node:util"
import { formatCause, formatError, type ShownError } from "../present/formatError.js"
import { checkGlobal, checkLengths } from "./Arguments.js"
import { UsageError, type Command, type Parsed } from "./Command.js"
import { commands } from "./commands.js"

/** Where the CLI writes; tests pass their own. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** all of standard input, for `--password-stdin` (tests pass their own) */
  readonly stdin?: () => Promise<string>
  /** opens the full-screen dashboard (`usher` without a command); given only on a terminal */
  readonly dashboard?: (options: DashboardStart) => Promise<ExitCode>
}

/** What the dashboard starts from: the directory, its configuration, who acts, and whether read-only. */
export interface DashboardStart {
  readonly location: Core.DatabaseLocation
  readonly config: Core.CoreConfigShape
  readonly actor: string | undefined
  readonly readonly: boolean
}

/** Exit codes: 0 ok, 1 domain error, 2 usage error. */
export type ExitCode = 0 | 1 | 2

/** The global flags and the words after them. */
export interface Globals {
  readonly db: string | undefined
  readonly as: string | undefined
  readonly json: boolean
  readonly help: boolean
  readonly readonly: boolean
  readonly rest: ReadonlyArray<string>
}

const takeGlobals = (argv: ReadonlyArray<string>): Globals | UsageError => {
  let db: string | undefined
  let as: string | undefined
  let json = false
  let help = false
  let readonly = false
  const rest: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined]
    if (flag === "--db" || flag === "--as") {
      const value = inline ?? argv[++i]
      if (value === undefined || value === "") return new UsageError({ message: `${flag} needs a value` })
      if (flag === "--db") db = value
      else as = value
    } else if (arg === "--json") json = true
    else if (arg === "--help" || arg === "-h") help = true
    else if (arg === "--readonly") readonly = true
    else rest.push(arg)
  }
  return { db, as, json, help, readonly, rest }
}

const findCommand = (words: ReadonlyArray<string>): { command: Command; args: ReadonlyArray<string> } | undefined => {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(" ")
    const command = commands.find((c) => c.name === name)
    if (command !== undefined) return { command, args: words.slice(length) }
  }
  return undefined
}

const usageLine = (command: Command) => `usher ${command.name}${command.usage === "" ? "" : ` ${command.usage}`}`

/** The help text, generated from the command table. */
export const helpText = (): string =>
  [
    "usher — user management for your organization's admins",
    "",
    "Usage: usher [--db PATH] [--as EMAIL] [--json] COMMAND ...",
    "       usher [--db PATH] [--as EMAIL] [--readonly]   (no command, on a terminal: the full-screen dashboard)",
    "",
    ...commands.map((c) => `  ${usageLine(c)}\n      ${c.summary}`),
    "",
    "Global flags:",
    "  --db PATH     the directory's database (env USHER_DATABASE_URL=sqlite:PATH; default $USHER_DATA_DIR/usher.db,",
    "                USHER_DATA_DIR defaulting to ~/.local/share/usher)",
    "  --as EMAIL    who is acting (env USHER_ACTOR; default: the only provider admin, if there is exactly one)",
    "  --json        one JSON document on stdout; errors as {\"error\":{\"_tag\",\"message\"}}",
    "  --readonly    with no command: open the dashboard read-only (auditors); every change is disabled",
    "",
    "Exit codes: 0 ok, 1 refused or failed (the message says why), 2 usage error.",
    "USER is an e-mail or an id. SCOPE is provider, org:<slug> or app:<org>/<app>."
  ].join("\n")

const jsonOut = (io: Io, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`)

const fail = (io: Io, json: boolean, error: ShownError, code: ExitCode, usage?: string): ExitCode => {
  if (json) jsonOut(io, { error })
  else io.stderr(`usher: ${error.message}${usage === undefined ? "" : `\nusage: ${usage}`}\n`)
  return code
}

/** A message that quotes what was typed, cut short so a huge argument is not printed back whole. */
const clip = (text: string, max = 300) => text.length <= max ? text : `${text.slice(0, max)}…`

const parseCommand = (command: Command, args: ReadonlyArray<string>) => {
  try {
    const { positionals, values } = parseArgs({ args: [...args], options: command.options, allowPositionals: true, strict: true })
    if (positionals.length < command.positionals.min || positionals.length > command.positionals.max) {
      return new UsageError({ message: positionals.length < command.positionals.min ? "missing argument" : `unexpected argument "${clip(positionals[command.positionals.max]!, 80)}"` })
    }
    return { positionals, values: values as Record<string, string | boolean | ReadonlyArray<string> | undefined> }
  } catch (error) {
    return new UsageError({ message: clip(error instanceof Error ? error.message.replace(/\. To specify .*$/s, "") : String(error)) })
  }
}

/** The database location (`--db` or the environment) and the process configuration, shared by commands and the dashboard. */
const directorySettings = (db: string | undefined, environment: Io["env"]) => {
  const env = new Map(Object.entries(environment).filter((e): e is [string, string] => e[1] !== undefined))
  return Effect.runPromiseExit(
    Effect.flatMap(Core.resolveLocation(db), (location) =>
      Effect.map(Core.configFromEnv(location), (config) => ({ location, config }))).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(env))
      )
  )
}

/** What an invocation's words ask for, before anything is opened. */
export type Invocation =
  | { readonly _tag: "Refused"; readonly json: boolean; readonly error: ShownError; readonly code: 1 | 2; readonly usage?: string }
  | { readonly _tag: "Dashboard"; readonly globals: Globals }
  | { readonly _tag: "Help"; readonly text: string }
  | { readonly _tag: "Run"; readonly globals: Globals; readonly command: Command; readonly parsed: Parsed }

/**
 * Reads an invocation's words: global flags, the command, its flags and arguments, each argument
 * within its length limit. Pure and total: whatever the words, an answer and never a throw.
 * `terminal`: whether the dashboard could open (no command on a terminal).
 */
export const readInvocation = (argv: ReadonlyArray<string>, terminal: boolean): Invocation => {
  const globals = takeGlobals(argv)
  if (globals instanceof UsageError) return { _tag: "Refused", json: argv.includes("--json"), error: { _tag: "UsageError", message: clip(globals.message) }, code: 2 }
  const { json } = globals
  const refuse = (error: ShownError, code: 1 | 2, usage?: string): Invocation =>
    ({ _tag: "Refused", json, error, code, ...(usage === undefined ? {} : { usage }) })
  const globalTooLong = (globals.as === undefined ? undefined : checkGlobal("as", globals.as)) ?? (globals.db === undefined ? undefined : checkGlobal("db", globals.db))
  if (globalTooLong !== undefined) return refuse(formatError(globalTooLong), 1)
  if (globals.rest.length === 0 && !globals.help && (terminal || globals.readonly)) {
    if (!terminal) return refuse({ _tag: "UsageError", message: "the dashboard needs a terminal (standard input and output)" }, 2)
    return { _tag: "Dashboard", globals }
  }
  if (globals.readonly) return refuse({ _tag: "UsageError", message: "--readonly is for the dashboard (usher --readonly); commands are limited by your roles" }, 2)
  if (globals.rest.length === 0 || globals.rest[0] === "help" || (globals.help && findCommand(globals.rest) === undefined)) {
    return { _tag: "Help", text: `${helpText()}\n` }
  }
  const found = findCommand(globals.rest)
  if (found === undefined) {
    const noun = globals.rest[0]!
    const verbs = commands.filter((c) => c.name.startsWith(`${noun} `)).map((c) => c.name.split(" ")[1])
    const message = verbs.length > 0
      ? `${clip(noun, 80)} needs one of: ${verbs.join(", ")}`
      : `unknown command "${clip(globals.rest.join(" "), 80)}"; run usher --help`
    return refuse({ _tag: "UsageError", message }, 2)
  }
  const { command, args } = found
  if (globals.help) return { _tag: "Help", text: `usage: ${usageLine(command)}\n${command.summary}\n` }
  const parsed = parseCommand(command, args)
  if (parsed instanceof UsageError) return refuse({ _tag: "UsageError", message: parsed.message }, 2, usageLine(command))
  const tooLong = checkLengths(command.usage, parsed)
  if (tooLong !== undefined) return refuse(formatError(tooLong), 1)
  return { _tag: "Run", globals, command, parsed }
}

/** Runs one `usher` invocation and returns its exit code. */
export const main = async (argv: ReadonlyArray<string>, io: Io): Promise<ExitCode> => {
  const invocation = readInvocation(argv, io.dashboard !== undefined)
  switch (invocation._tag) {
    case "Refused":
      return fail(io, invocation.json, invocation.error, invocation.code, invocation.usage)
    case "Help":
      io.stdout(invocation.text)
      return 0
    case "Dashboard": {
      const { globals } = invocation
      const setup = await directorySettings(globals.db, io.env)
      if (Exit.isFailure(setup)) return fail(io, globals.json, formatCause(setup.cause), 2)
      return io.dashboard!({ ...setup.value, actor: globals.as ?? io.env["USHER_ACTOR"], readonly: globals.readonly })
    }
  }
  const { globals, command, parsed } = invocation
  const { json } = globals
  const actorEmail = globals.as ?? io.env["USHER_ACTOR"]
  const actorTooLong = actorEmail === undefined ? undefined : checkGlobal("as", actorEmail, globals.as === undefined ? "USHER_ACTOR" : "--as")
  if (actorTooLong !== undefined) return fail(io, json, formatError(actorTooLong), 1)
  const setup = await directorySettings(globals.db, io.env)
  if (Exit.isFailure(setup)) return fail(io, json, formatCause(setup.cause), 2)
  const stdin = command.readsStdin?.(parsed) === true ? await (io.stdin ?? (() => Promise.resolve("")))() : undefined
  const input = stdin === undefined ? parsed : { ...parsed, stdin }
  const runtime = Core.makeCoreRuntime(setup.value.location, setup.value.config)
  try {
    const progress = (line: string) => io.stderr(`${line}\n`)
    const program = command.actor === "system"
      ? Core.as("system", "cli")(command.run(input, progress))
      : Core.asUser(actorEmail, "cli")(command.run(input, progress))
    const exit = await runtime.runPromiseExit(program)
    if (Exit.isSuccess(exit)) {
      if (json) jsonOut(io, exit.value)
      else io.stdout(`${command.text(exit.value)}\n`)
      return command.failed?.(exit.value) === true ? 1 : 0
    }
    const shown = formatCause(exit.cause)
    if (shown._tag === "UsageError") return fail(io, json, shown, 2, usageLine(command))
    if (shown._tag === "InternalError") io.stderr(`${Cause.pretty(exit.cause)}\n`)
    return fail(io, json, shown, 1)
  } finally {
    await runtime.dispose()
  }
}
