import { Cause, Option } from "effect"

/** An error as front-ends show it: its tag and a sentence a user understands. */
export interface ShownError {
  readonly _tag: string
  readonly message: string
}

/**
 * The one place a failure becomes words. Typed errors carry their own message (core writes them
 * for users); a defect is shown as a generic message, never a stack trace.
 */
export const formatCause = (cause: Cause.Cause<unknown>): ShownError => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return formatError(failure.value)
  if (Cause.isInterruptedOnly(cause)) return { _tag: "Interrupted", message: "Interrupted." }
  return { _tag: "InternalError", message: "Something went wrong inside usher; nothing was changed. Details were logged." }
}

/** A typed error (anything with `_tag` and `message`) as shown to the user. */
export const formatError = (error: unknown): ShownError => {
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tagged = error as { _tag: string; message?: unknown }
    return { _tag: tagged._tag, message: typeof tagged.message === "string" && tagged.message !== "" ? tagged.message : tagged._tag }
  }
  return { _tag: "InternalError", message: String(error) }
}
