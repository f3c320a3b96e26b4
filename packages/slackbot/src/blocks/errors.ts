import { Cause, Option } from "effect"
import type { ParseError } from "../parse/command.js"
import { context, escape, fallback, section, type Reply } from "./mrkdwn.js"

/** An error as a person sees it: its tag (for tests and logs) and its plain-words message. */
export interface ShownError {
  readonly _tag: string
  readonly message: string
}

const GENERIC = "Something went wrong inside usher and nothing was changed by this message; the error was logged for the admins."

/**
 * The one place the bot turns a failure into words: a typed error shows its own message, a
 * defect (a bug, a database that went away) a generic one — never a stack trace.
 */
export const shownError = (cause: Cause.Cause<unknown>): ShownError => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value as { readonly _tag?: unknown; readonly message?: unknown }
    if (typeof error._tag === "string" && typeof error.message === "string" && error.message !== "") return { _tag: error._tag, message: error.message }
  }
  return { _tag: "InternalError", message: GENERIC }
}

/** An ephemeral refusal: a warning sign and the message. */
export const errorReply = (error: ShownError): Reply => ({
  text: fallback(escape(error.message)),
  blocks: [section(`:warning: ${escape(error.message)}`)]
})

/** Bad command syntax: what was wrong, then the usage line(s). */
export const usageReply = (error: ParseError, command: string): Reply => ({
  text: fallback(escape(`${error.message} Usage: ${command} ${error.usage.split("\n")[0]}`)),
  blocks: [
    section(`:warning: ${escape(error.message)}`),
    section(error.usage.split("\n").map((u) => `\`${command} ${escape(u)}\``).join("\n")),
    context(`\`${command} help\` lists every command.`)
  ]
})
