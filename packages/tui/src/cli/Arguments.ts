import * as Core from "@usher/core"
import { Effect, Either } from "effect"
import { UsageError, type Parsed } from "./Command.js"

type Kind = Core.Input.LengthKind

// the kind of each flag's value; a flag not listed takes free text
const FLAG_KINDS: Readonly<Record<string, Kind>> = {
  as: "email", admin: "email", email: "email", user: "email",
  db: "path", output: "path",
  search: "search",
  reason: "reason", note: "reason", description: "reason",
  "first-name": "name", "last-name": "name", "org-name": "name", name: "name", group: "name", role: "name", org: "name",
  scope: "name", gender: "name", "org-unit": "name", position: "name", kind: "name", status: "name", format: "name",
  permission: "name", session: "name", phone: "name", birthday: "name", expires: "name", for: "name",
  limit: "name", "if-version": "name", "batch-size": "name", users: "name"
}

/** The kind of a positional argument, from its placeholder in the usage line (`USER`, `FILE` …). */
const positionalKind = (placeholder: string): Kind =>
  /^(USER|EMAIL)\b/.test(placeholder) ? "email" :
  placeholder === "FILE" || placeholder === "KEYFILE" ? "path" :
  placeholder === "VALUE" || placeholder.startsWith("TOKEN") ? "text" :
  "name"

/** The positional placeholders of a usage line: its words before the first option (`USER...` repeats). */
export const placeholders = (usage: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const word of usage.split(/\s+/)) {
    if (word === "" || word.startsWith("[") || word.startsWith("(") || word.startsWith("-")) break
    out.push(word)
  }
  return out
}

/** The first argument (flag value or positional) longer than its kind allows, as `InputTooLong`. */
export const checkLengths = (usage: string, parsed: Parsed): Core.InputTooLong | undefined => {
  for (const [name, value] of Object.entries(parsed.values)) {
    for (const text of typeof value === "string" ? [value] : Array.isArray(value) ? value : []) {
      const checked = Core.Input.checkKind(`--${name}`, FLAG_KINDS[name] ?? "text", text)
      if (Either.isLeft(checked)) return checked.left
    }
  }
  const names = placeholders(usage)
  for (const [i, text] of parsed.positionals.entries()) {
    const placeholder = (names[Math.min(i, names.length - 1)] ?? "ARGUMENT").replace(/\.\.\.$/, "")
    const checked = Core.Input.checkKind(placeholder, positionalKind(placeholder), text)
    if (Either.isLeft(checked)) return checked.left
  }
  return undefined
}

/** A global flag's value (`--as`, `--db`, or `USHER_ACTOR` standing for `--as`) longer than its kind allows, as `InputTooLong`. */
export const checkGlobal = (flag: "as" | "db", text: string, field = `--${flag}`): Core.InputTooLong | undefined => {
  const checked = Core.Input.checkKind(field, FLAG_KINDS[flag]!, text)
  return Either.isLeft(checked) ? checked.left : undefined
}

/**
 * A whole-number flag within bounds (absent stays absent), or a usage error naming them: digits
 * only, so `1e20`, `1.5`, `0x10` and `abc` are all refused rather than read as numbers.
 */
export const wholeNumber = (flag: string, text: string | undefined, bounds: Core.Input.Bounds) =>
  text === undefined ? Effect.succeed(undefined) : Either.match(Core.Input.parseWholeNumber(`--${flag}`, text, bounds), {
    onLeft: () => Effect.fail(new UsageError({ message: `--${flag} must be a whole number from ${bounds.min} to ${bounds.max}` })),
    onRight: (n) => Effect.succeed<number | undefined>(n)
  })

/** `--limit N`: how many results a list shows, 1 to 10,000. */
export const limitFlag = (parsed: Parsed) => {
  const v = parsed.values["limit"]
  return wholeNumber("limit", typeof v === "string" ? v : undefined, Core.Input.LIST_LIMIT)
}
