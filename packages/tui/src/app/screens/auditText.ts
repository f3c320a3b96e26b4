import type * as Core from "@usher/core"

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const text = (details: unknown, key: string): string | undefined => {
  if (typeof details !== "object" || details === null) return undefined
  const value = (details as Record<string, unknown>)[key]
  return typeof value === "string" && value !== "" ? value : undefined
}

/** Who did it: the actor's e-mail, `system`, or "deleted user" for an account erased since (its row keeps no e-mail). */
export const actorName = (event: Core.AuditLine): string =>
  event.actorEmail ?? (ID.test(event.actor) ? "deleted user" : event.actor)

/** Whether the event's target is an account erased since (its row keeps no e-mail). */
export const targetGone = (event: Core.AuditLine): boolean => event.target !== null && event.targetEmail === null

/**
 * What an event is about: the target account's e-mail (for an erased account the one the event
 * recorded, else "deleted user"); for events about no account, the role, group, app, organization
 * or setting its details name; "-" when there is none.
 */
export const targetName = (event: Core.AuditLine): string => {
  const d = event.details
  if (event.targetEmail !== null) return event.targetEmail
  if (event.target !== null) return text(d, "email") ?? (text(d, "principalType") === "user" ? text(d, "principal") : undefined) ?? "deleted user"
  if (text(d, "principalType") === "group" && text(d, "principal") !== undefined) return `group ${text(d, "principal")}`
  for (const [key, word] of [["group", "group"], ["app", "app"], ["role", "role"], ["org", "org"], ["key", "setting"]] as const) {
    const name = text(d, key)
    if (name !== undefined) return `${word} ${name}`
  }
  return "-"
}
