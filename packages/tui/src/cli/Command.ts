import type { Actor, CoreServices } from "@usher/core"
import type { CliError } from "../present/formatError.js"
import { Data, type Effect } from "effect"
import type { ParseArgsConfig } from "node:util"

/** Bad command-line syntax: exit code 2. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string; readonly usage?: string }> {}

/** What a command receives after flag parsing. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | ReadonlyArray<string> | undefined>>
  readonly positionals: ReadonlyArray<string>
  /** standard input, read only for commands whose `readsStdin` says so */
  readonly stdin?: string
}

/** One `usher` subcommand: its syntax, the use case it calls, and how its result reads as text. */
export interface Command<A = unknown> {
  /** e.g. `users list` */
  readonly name: string
  /** the arguments after the name, e.g. `USER [--reason TEXT]` */
  readonly usage: string
  readonly summary: string
  readonly options: NonNullable<ParseArgsConfig["options"]>
  readonly positionals: { readonly min: number; readonly max: number }
  /** `system` for commands that run before any user exists (init) or for someone who is not signed in (invites accept) */
  readonly actor?: "system"
  /** whether this invocation reads standard input (e.g. `--password-stdin`) */
  readonly readsStdin?: (parsed: Parsed) => boolean
  /** `progress` writes a line to standard error while a long command works (never to the result on stdout) */
  readonly run: (parsed: Parsed, progress: (line: string) => void) => Effect.Effect<A, CliError, CoreServices | Actor>
  readonly text: (result: A) => string
  /** exit code 1 even though the command ran (e.g. `audit verify` finding a break) */
  readonly failed?: (result: A) => boolean
}

/**
 * Declares a command with its result type checked against its text renderer. The result type is
 * erased for the command table; the error type is not: every command fails only with `CliError`,
 * which `formatError` renders exhaustively.
 */
export const command = <A>(spec: Command<A>): Command => spec as unknown as Command

/** A string flag's value. */
export const str = (parsed: Parsed, name: string): string | undefined => {
  const v = parsed.values[name]
  return typeof v === "string" ? v : undefined
}

/** A repeatable flag's values. */
export const list = (parsed: Parsed, name: string): ReadonlyArray<string> => {
  const v = parsed.values[name]
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : []
}

/** Spreads only the flags that were given, so absent ones stay absent (exactOptionalPropertyTypes). */
export const given = <K extends string>(parsed: Parsed, map: Record<K, string>): Partial<Record<K, string>> => {
  const out: Partial<Record<K, string>> = {}
  for (const [key, flag] of Object.entries(map) as Array<[K, string]>) {
    const v = str(parsed, flag)
    if (v !== undefined) out[key] = v
  }
  return out
}

/** Whether a boolean flag was given. */
export const flag = (parsed: Parsed, name: string): boolean => parsed.values[name] === true
