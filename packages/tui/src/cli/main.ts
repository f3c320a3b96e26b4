import * as Core from "@usher/core"
import { Cause, ConfigProvider, Effect, Either, Exit, type ManagedRuntime } from "effect"
import { parseArgs } from "node:util"
import { formatCause, formatError, type ShownError } from "../present/formatError.js"
import { checkGlobal, checkLengths, placeholders } from "./Arguments.js"
import { UsageError, type Command, type Parsed } from "./Command.js"
import { commands } from "./commands.js"
import { readServeFlags, SERVE_HELP, SERVE_USAGE, serveAddress, type ServeFlags } from "./serve.js"

/** Where the CLI writes; tests pass their own. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** all of standard input, for `--password-stdin` (tests pass their own) */
  readonly stdin?: () => Promise<string>
  /** opens the full-screen dashboard (`usher` without a command); given only on a terminal */
  readonly dashboard?: (options: DashboardStart) => Promise<ExitCode>
  /** runs `usher ssh-serve` until the process is told to stop (the binary gives it) */
  readonly sshServe?: (options: SshServeStart) => Promise<ExitCode>
  /** runs `usher serve` (the HTTP pages) until the process is told to stop (the binary gives it) */
  readonly serve?: (options: ServeStart) => Promise<ExitCode>
  /**
   * A remote invocation (an SSH exec request): the directory is the server's, opened once, and
   * every command acts as this user; `--as`, `--db`, setup commands and the server's files are refused.
   */
  readonly remote?: Remote
}

/** Who runs a remote invocation, and the server's open directory. */
export interface Remote {
  readonly runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>
  readonly userId: Core.UserId
  readonly via: Core.AuditLog.Via
  /** a read-only key: only reading commands */
  readonly readonly: boolean
}

/** What `usher ssh-serve` starts from. */
export interface SshServeStart {
  readonly location: Core.DatabaseLocation
  readonly config: Core.CoreConfigShape
  readonly host: string
  readonly port: number
  readonly maxSessions: number
  /** 0: never */
  readonly idleMinutes: number
}

/** What `usher serve` starts from. */
export interface ServeStart {
  readonly location: Core.DatabaseLocation
  readonly config: Core.CoreConfigShape
  readonly host: string
  readonly port: number
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
    `  ${DB_COPY_USAGE}`,
    "      Copy an embedded directory into an empty PostgreSQL database (every table), then verify the audit log on both",
    "      sides; the audit checkpoints go along. Refuses a target that holds a directory already.",
    "",
    ...SERVE_HELP,
    "",
    "  usher ssh-serve [--port 2222] [--host 127.0.0.1] [--max-sessions 64] [--idle-minutes 30]",
    "      Serve the dashboard over SSH to the keys of usher keys add (each key acts as its user; ssh HOST -- COMMAND runs one",
    "      command). The host key is made at first start in $USHER_DATA_DIR/ssh_host_ed25519_key. At most --max-sessions",
    "      connections; a dashboard with no key pressed for --idle-minutes ends (0: never).",
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
  | { readonly _tag: "DbCopy"; readonly globals: Globals; readonly from: string; readonly to: string }
  | { readonly _tag: "Serve"; readonly globals: Globals; readonly flags: ServeFlags }
  | { readonly _tag: "SshServe"; readonly globals: Globals; readonly host: string; readonly port: number; readonly maxSessions: number; readonly idleMinutes: number }
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
  // `--readonly` is the dashboard's, and the flag of the few commands that take one (keys add)
  const takesReadonly = findCommand(globals.rest)?.command.options["readonly"] !== undefined
  if (globals.readonly && !takesReadonly) return refuse({ _tag: "UsageError", message: "--readonly is for the dashboard (usher --readonly); commands are limited by your roles" }, 2)
  if (globals.rest[0] === "ssh-serve") return readSshServe(globals, refuse)
  if (globals.rest[0] === "serve") {
    if (globals.help) return { _tag: "Help", text: `usage: ${SERVE_USAGE}\n${SERVE_HELP.slice(1).map((l) => l.trim()).join(" ")}\n` }
    const flags = readServeFlags(globals.rest.slice(1))
    return typeof flags === "string" ? refuse({ _tag: "UsageError", message: flags }, 2, SERVE_USAGE) : { _tag: "Serve", globals, flags }
  }
  if (globals.rest[0] === "db" && globals.rest[1] === "copy") return readDbCopy(globals, refuse)
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
  const parsed = parseCommand(command, globals.readonly ? [...args, "--readonly"] : args)
  if (parsed instanceof UsageError) return refuse({ _tag: "UsageError", message: parsed.message }, 2, usageLine(command))
  const tooLong = checkLengths(command.usage, parsed)
  if (tooLong !== undefined) return refuse(formatError(tooLong), 1)
  return { _tag: "Run", globals, command, parsed }
}

const DB_COPY_USAGE = "usher db copy --from sqlite:PATH --to postgres://USER@HOST/DB"

const readDbCopy = (globals: Globals, refuse: (error: ShownError, code: 1 | 2, usage?: string) => Invocation): Invocation => {
  const usage = (message: string) => refuse({ _tag: "UsageError", message }, 2, DB_COPY_USAGE)
  if (globals.help) return { _tag: "Help", text: `usage: ${DB_COPY_USAGE}\nCopy an embedded directory into an empty PostgreSQL database, then verify both.\n` }
  let values: { from?: string | undefined; to?: string | undefined }
  try {
    values = parseArgs({ args: globals.rest.slice(2), options: { from: { type: "string" }, to: { type: "string" } }, allowPositionals: false, strict: true }).values
  } catch (error) {
    return usage(clip(error instanceof Error ? error.message.replace(/\. To specify .*$/s, "") : String(error)))
  }
  if (values.from === undefined || values.to === undefined) return usage("both --from and --to are required")
  for (const [flag, value] of [["from", values.from], ["to", values.to]] as const) {
    const tooLong = checkGlobal("db", value, `--${flag}`)
    if (tooLong !== undefined) return refuse(formatError(tooLong), 1)
  }
  return { _tag: "DbCopy", globals, from: values.from, to: values.to }
}

/** `usher db copy`: both directories opened from their URLs, the copy run as the system, the report shown. */
const runDbCopy = async (io: Io, invocation: Extract<Invocation, { readonly _tag: "DbCopy" }>): Promise<ExitCode> => {
  const { json } = invocation.globals
  if (io.remote !== undefined) return fail(io, json, { _tag: "UsageError", message: "usher db copy runs only from the usher binary, not over SSH" }, 2)
  const [from, to] = [await directorySettings(invocation.from, io.env), await directorySettings(invocation.to, io.env)]
  if (Exit.isFailure(from)) return fail(io, json, formatCause(from.cause), 2)
  if (Exit.isFailure(to)) return fail(io, json, formatCause(to.cause), 2)
  const exit = await Effect.runPromiseExit(
    Core.Jobs.copyDatabase(from.value.location, to.value.location, { from: from.value.config, to: to.value.config }).pipe(Core.Jobs.asSystem("cli"))
  )
  if (Exit.isFailure(exit)) return fail(io, json, formatCause(exit.cause), 1)
  const report = exit.value
  const ok = report.source.ok && report.target.ok
  if (json) io.stdout(`${JSON.stringify(report, null, 2)}\n`)
  else {
    const copied = Object.entries(report.rows).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${n}`).join(", ")
    const side = (name: string, v: Core.AuditVerification) =>
      v.ok ? `${name}: audit log verified, ${v.events} events, ${v.checkpoints.valid} valid checkpoints` : `${name}: AUDIT LOG NOT VERIFIED (${v.problems.length} problems; usher audit verify says which)`
    io.stdout(`Copied ${report.from} into ${report.to}: ${copied}.\n${side("source", report.source)}\n${side("copy", report.target)}\n`)
  }
  return ok ? 0 : 1
}

const SSH_SERVE_USAGE = "usher ssh-serve [--port 2222] [--host 127.0.0.1] [--max-sessions 64] [--idle-minutes 30]"

const readSshServe = (globals: Globals, refuse: (error: ShownError, code: 1 | 2, usage?: string) => Invocation): Invocation => {
  const usage = (message: string) => refuse({ _tag: "UsageError", message }, 2, SSH_SERVE_USAGE)
  if (globals.help) return { _tag: "Help", text: `usage: ${SSH_SERVE_USAGE}\nServe the dashboard over SSH to the registered keys (usher keys add).\n` }
  let values: { port?: string | undefined; host?: string | undefined; "max-sessions"?: string | undefined; "idle-minutes"?: string | undefined }
  try {
    const options = { port: { type: "string" }, host: { type: "string" }, "max-sessions": { type: "string" }, "idle-minutes": { type: "string" } } as const
    const parsed = parseArgs({ args: globals.rest.slice(1), options, allowPositionals: false, strict: true })
    values = parsed.values
  } catch (error) {
    return usage(clip(error instanceof Error ? error.message.replace(/\. To specify .*$/s, "") : String(error)))
  }
  const port = Core.Input.parseWholeNumber("--port", values.port ?? "2222", { min: 0, max: 65_535 })
  if (Either.isLeft(port)) return usage(port.left.message)
  const maxSessions = Core.Input.parseWholeNumber("--max-sessions", values["max-sessions"] ?? "64", { min: 1, max: 10_000 })
  if (Either.isLeft(maxSessions)) return usage(maxSessions.left.message)
  const idleMinutes = Core.Input.parseWholeNumber("--idle-minutes", values["idle-minutes"] ?? "30", { min: 0, max: 100_000 })
  if (Either.isLeft(idleMinutes)) return usage(idleMinutes.left.message)
  const host = values.host ?? "127.0.0.1"
  if (host.length > 255 || !/^[A-Za-z0-9.:_-]+$/.test(host)) return usage("--host must be a host name or an IP address")
  return { _tag: "SshServe", globals, host, port: port.right, maxSessions: maxSessions.right, idleMinutes: idleMinutes.right }
}

/** Over SSH: the commands a key may not run, with why (undefined: it may). */
const refusedRemotely = (remote: Remote, globals: Globals, command: Command, parsed: Parsed): string | undefined => {
  if (globals.as !== undefined || globals.db !== undefined) return "over SSH you act as your key's user in the server's directory: --as and --db are not available"
  if (command.actor === "system") return `usher ${command.name} is not available over SSH`
  // a key file may come from standard input (-); any other path would be the server's
  const files = placeholders(command.usage).some((word, i) => word === "FILE" || (word === "KEYFILE" && parsed.positionals[i] !== "-"))
  if (files || parsed.values["output"] !== undefined) return "over SSH usher reads and writes no files on the server; give a key as - (standard input), and export to standard output"
  if (remote.readonly && !READING_VERBS.has(command.name.split(" ").at(-1)!)) return "this SSH key is read-only: it runs only reading commands (list, show, links, verify, why, who-can)"
  return undefined
}

const READING_VERBS = new Set(["list", "show", "links", "verify", "why", "who-can"])

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
    case "DbCopy":
      return runDbCopy(io, invocation)
    case "Serve": {
      const { globals } = invocation
      const address = serveAddress(invocation.flags, io.env)
      if (typeof address === "string") return fail(io, globals.json, { _tag: "UsageError", message: address }, 2, SERVE_USAGE)
      if (io.remote !== undefined || io.serve === undefined) return fail(io, globals.json, { _tag: "UsageError", message: "usher serve runs only from the usher binary, not over SSH" }, 2)
      const setup = await directorySettings(globals.db, io.env)
      if (Exit.isFailure(setup)) return fail(io, globals.json, formatCause(setup.cause), 2)
      return io.serve({ ...setup.value, ...address })
    }
    case "SshServe": {
      const { globals } = invocation
      if (io.remote !== undefined || io.sshServe === undefined) return fail(io, globals.json, { _tag: "UsageError", message: "usher ssh-serve runs only from the usher binary, not over SSH" }, 2)
      const setup = await directorySettings(globals.db, io.env)
      if (Exit.isFailure(setup)) return fail(io, globals.json, formatCause(setup.cause), 2)
      const { host, port, maxSessions, idleMinutes } = invocation
      return io.sshServe({ ...setup.value, host, port, maxSessions, idleMinutes })
    }
  }
  const { globals, command, parsed } = invocation
  const { json } = globals
  if (io.remote !== undefined) {
    const refused = refusedRemotely(io.remote, globals, command, parsed)
    if (refused !== undefined) return fail(io, json, { _tag: "UsageError", message: refused }, 2)
    return runCommand(io, json, command, parsed, io.remote.runtime, Core.as(io.remote.userId, io.remote.via))
  }
  const actorEmail = globals.as ?? io.env["USHER_ACTOR"]
  const actorTooLong = actorEmail === undefined ? undefined : checkGlobal("as", actorEmail, globals.as === undefined ? "USHER_ACTOR" : "--as")
  if (actorTooLong !== undefined) return fail(io, json, formatError(actorTooLong), 1)
  const setup = await directorySettings(globals.db, io.env)
  if (Exit.isFailure(setup)) return fail(io, json, formatCause(setup.cause), 2)
  const runtime = Core.makeCoreRuntime(setup.value.location, setup.value.config)
  try {
    return await runCommand(io, json, command, parsed, runtime, command.actor === "system" ? Core.as("system", "cli") : Core.asUser(actorEmail, "cli"))
  } finally {
    await runtime.dispose()
  }
}

/** Runs a command's use case as the given actor and writes its result or error. */
const runCommand = async (
  io: Io,
  json: boolean,
  command: Command,
  parsed: Parsed,
  runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>,
  acting: <A, E>(effect: Effect.Effect<A, E, Core.CoreServices | Core.Actor>) => Effect.Effect<A, E | Core.ActorUnknown, Core.CoreServices>
): Promise<ExitCode> => {
  const stdin = command.readsStdin?.(parsed) === true ? await (io.stdin ?? (() => Promise.resolve("")))() : undefined
  const input = stdin === undefined ? parsed : { ...parsed, stdin }
  const progress = (line: string) => io.stderr(`${line}\n`)
  const exit = await runtime.runPromiseExit(acting(command.run(input, progress)))
  if (Exit.isSuccess(exit)) {
    if (json) jsonOut(io, exit.value)
    else io.stdout(`${command.text(exit.value)}\n`)
    return command.failed?.(exit.value) === true ? 1 : 0
  }
  const shown = formatCause(exit.cause)
  if (shown._tag === "UsageError") return fail(io, json, shown, 2, usageLine(command))
  if (shown._tag === "InternalError") io.stderr(`${Cause.pretty(exit.cause)}\n`)
  return fail(io, json, shown, 1)
}
