import * as Core from "@usher/core"
import { Either } from "effect"
import { Ids } from "../ids.js"
import { invitationRoles } from "./command.js"

/** An input's state as a view submission carries it. */
export interface InputState {
  readonly value?: string | null
  readonly selected_options?: ReadonlyArray<{ readonly value: string }>
}

/** A view's `state.values`: block id → action id → input state. */
export type ViewValues = Readonly<Record<string, Readonly<Record<string, InputState>>>>

/** What the invite modal asks core for. */
export interface InviteForm {
  readonly email: string
  readonly firstName: string | undefined
  readonly lastName: string | undefined
  readonly roles: ReadonlyArray<string>
  readonly scope: string | undefined
  readonly groups: ReadonlyArray<string>
  readonly link: boolean
}

const text = (values: ViewValues, id: string): string => (values[id]?.[id]?.value ?? "").trim()

const words = (value: string): ReadonlyArray<string> => value.split(/[\s,]+/).filter((w) => w !== "")

/**
 * Reads the invite modal's fields; what cannot be read is reported per field (block id →
 * message), which Slack shows under the field. Total: never throws.
 */
export const readInviteForm = (values: ViewValues): Either.Either<InviteForm, Readonly<Record<string, string>>> => {
  const errors: Record<string, string> = {}
  const email = Core.normalizeEmail(text(values, Ids.input.email))
  if (Either.isLeft(email)) errors[Ids.input.email] = email.left.message
  // a field longer than its kind allows is refused before it is split into words
  const fields = [
    [Ids.input.firstName, "the first name", "name"], [Ids.input.lastName, "the last name", "name"],
    [Ids.input.roles, "the roles", "text"], [Ids.input.groups, "the groups", "text"]
  ] as const
  for (const [id, field, kind] of fields) {
    const checked = Core.Input.checkKind(field, kind, text(values, id))
    if (Either.isLeft(checked)) errors[id] = checked.left.message
  }
  const roles = errors[Ids.input.roles] === undefined ? invitationRoles(words(text(values, Ids.input.roles))) : Either.left(errors[Ids.input.roles]!)
  if (Either.isLeft(roles)) errors[Ids.input.roles] = roles.left
  const groups = words(text(values, Ids.input.groups)).map((g) => g.replace(/^group:/i, "")).filter((g) => g !== "")
  if (Object.keys(errors).length > 0 || Either.isLeft(email) || Either.isLeft(roles)) return Either.left(errors)
  const firstName = text(values, Ids.input.firstName)
  const lastName = text(values, Ids.input.lastName)
  return Either.right({
    email: email.right,
    firstName: firstName === "" ? undefined : firstName,
    lastName: lastName === "" ? undefined : lastName,
    roles: roles.right.roles,
    scope: roles.right.scope,
    groups,
    link: (values[Ids.input.link]?.[Ids.input.link]?.selected_options ?? []).some((o) => o.value === "link")
  })
}

/** Reads the deny modal's reason; a blank one, or one longer than a reason may be, is reported under its field. Total. */
export const readDenyForm = (values: ViewValues): Either.Either<string, Readonly<Record<string, string>>> => {
  const reason = values[Ids.input.reason]?.[Ids.input.reason]?.value ?? ""
  // answered in the acknowledgement, under the field: the modal stays open for the reason
  if (reason.trim() === "") return Either.left({ [Ids.input.reason]: "Say why you deny it; the requester sees this." })
  const checked = Core.Input.checkKind("the reason", "reason", reason)
  return Either.isLeft(checked) ? Either.left({ [Ids.input.reason]: checked.left.message }) : Either.right(reason)
}

/** Reads the approve modal's note: optional (blank is none), but no longer than a reason may be, reported under its field. Total. */
export const readApproveForm = (values: ViewValues): Either.Either<string | undefined, Readonly<Record<string, string>>> => {
  const note = values[Ids.input.note]?.[Ids.input.note]?.value ?? ""
  if (note.trim() === "") return Either.right(undefined)
  const checked = Core.Input.checkKind("the note", "reason", note)
  return Either.isLeft(checked) ? Either.left({ [Ids.input.note]: checked.left.message }) : Either.right(note)
}
