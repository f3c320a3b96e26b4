import type { Outcome } from "../runtime/Dashboard.js"
import type { Submitted } from "../state/ui.js"

/** A comma- or space-separated list as typed (`admin, auditor`), empty entries dropped. */
export const list = (text: string | undefined): ReadonlyArray<string> =>
  (text ?? "").split(/[,\s]+/).map((s) => s.trim()).filter((s) => s !== "")

/** A typed value, or nothing when the field was left empty (so core applies its default). */
export const optional = <K extends string>(key: K, text: string | undefined): { readonly [P in K]?: string } => {
  const value = (text ?? "").trim()
  return (value === "" ? {} : { [key]: value }) as { readonly [P in K]?: string }
}

/** A list field, or nothing when empty. */
export const optionalList = <K extends string>(key: K, text: string | undefined): { readonly [P in K]?: ReadonlyArray<string> } => {
  const items = list(text)
  return (items.length === 0 ? {} : { [key]: items }) as { readonly [P in K]?: ReadonlyArray<string> }
}

/** A use case's outcome as a form's: the success message (or notice), or core's refusal in words. */
export const settled = <A>(outcome: Outcome<A>, onSuccess: (value: A) => Submitted): Submitted =>
  outcome.ok ? onSuccess(outcome.value) : { ok: false, error: outcome.error.message, ...(outcome.error.field ? { field: outcome.error.field } : {}) }

/** The words of a mail delivery report. */
export const mailWords = (mail: { readonly status: string; readonly file: string | null; readonly error: string | null } | undefined): string =>
  mail === undefined ? "" :
  mail.status === "sent" ? mail.file === null ? "mail sent" : `mail written to ${mail.file}` :
  mail.status === "failed" ? `mail not sent (${mail.error ?? "unknown reason"}); it stays in the outbox` :
  "mail queued"
