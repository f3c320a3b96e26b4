import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { requireAt } from "./Actor.js"
import { record } from "./Audit.js"
import { ROLE_NAME } from "./Domain/Access.js"
import { SettingInvalid } from "./Domain/Errors.js"
import * as Scope from "./Domain/Scope.js"
import { transaction } from "./internal/tx.js"

/** Extra actions that configuration can put behind four-eyes approval (DESIGN §4). */
export const optionalGates = ["admin-grants", "bulk-suspend"] as const
export type OptionalGate = typeof optionalGates[number]

/** `off`: unknown people are refused; `pending`: an account waits for an admin's approval; `active`: an account at once. */
export const autoRegisterPolicies = ["off", "pending", "active"] as const
export type AutoRegister = typeof autoRegisterPolicies[number]

/** `suspend`: the account is suspended (nothing lost); `request`: a deletion request is filed; `delete`: deleted at once. */
export const scimDeletes = ["suspend", "request", "delete"] as const
export type ScimDelete = typeof scimDeletes[number]

/** Directory-wide rules kept in the database, so every process (CLI, dashboard, bot) applies the same. */
export interface DirectorySettings {
  readonly "invitation.ttl-hours": number
  readonly "reset.ttl-minutes": number
  readonly "approval.ttl-hours": number
  /** a request still pending this many hours after it was filed is brought up again to who may decide it (0: never) */
  readonly "approval.remind-hours": number
  readonly "session.ttl-hours": number
  /** a session nobody used for this long ends (the web pages' idle expiry) */
  readonly "session.idle-minutes": number
  readonly "approval.gates": ReadonlyArray<OptionalGate>
  /** the audit head is signed every this many events (and when a process that wrote events exits) */
  readonly "audit.checkpoint-every": number
  /** what the first sign-in of an unknown person through the identity provider does (`IdpSignIn`) */
  readonly "oidc.auto-register": AutoRegister
  /** the organization such a person joins (null: the directory's default organization) */
  readonly "oidc.default-org": string | null
  /** the role they get there (null: none) */
  readonly "oidc.default-role": string | null
  /** what the identity provider's SCIM DELETE of a user does (`Scim/Users.ts`) */
  readonly "scim.delete": ScimDelete
  /** an active account unused for this many days gets one notice (null: never; `Policies.ts`) */
  readonly "dormant.notify-days": number | null
  /** and is suspended after this many (null: never); more than `dormant.notify-days` when both are set */
  readonly "dormant.suspend-days": number | null
  /** accounts holding this role anywhere are never notified or suspended for dormancy (null: none) */
  readonly "dormant.exempt-role": string | null
}
export type SettingKey = keyof DirectorySettings

/** The values a fresh directory has. */
export const defaults: DirectorySettings = {
  "invitation.ttl-hours": 7 * 24,
  "reset.ttl-minutes": 60,
  "approval.ttl-hours": 72,
  "approval.remind-hours": 24,
  "session.ttl-hours": 12,
  "session.idle-minutes": 30,
  "approval.gates": [],
  "audit.checkpoint-every": 100,
  "oidc.auto-register": "off",
  "oidc.default-org": null,
  "oidc.default-role": null,
  "scim.delete": "suspend",
  "dormant.notify-days": null,
  "dormant.suspend-days": null,
  "dormant.exempt-role": null
}

const whole = (key: SettingKey, max: number) => (text: string) => {
  const n = Number(text.trim())
  return Number.isInteger(n) && n >= 1 && n <= max
    ? Effect.succeed(n)
    : Effect.fail(new SettingInvalid({ key, reason: `a whole number from 1 to ${max}` }))
}

/** A whole number of hours from 0 (off) to `max`. */
const hoursOrOff = (key: SettingKey, max: number) => (text: string) => {
  const value = text.trim()
  const n = Number(value)
  return /^\d+$/.test(value) && n <= max
    ? Effect.succeed(n)
    : Effect.fail(new SettingInvalid({ key, reason: `a whole number of hours from 0 (off) to ${max}` }))
}

/** A whole number of days from 1 to `max`, or `none` for no value. */
const daysOrNone = (key: SettingKey, max: number) => (text: string) => {
  const value = text.trim()
  if (value === "" || value === "none") return Effect.succeed(null)
  return Effect.map(whole(key, max)(value), (n): number | null => n).pipe(
    Effect.mapError(() => new SettingInvalid({ key, reason: `a whole number of days from 1 to ${max}, or none` }))
  )
}

/** A name checked by its rule, or `none` for no value. */
const nameOrNone = (key: SettingKey, rule: RegExp, described: string) => (text: string) => {
  const value = text.trim()
  if (value === "" || value === "none") return Effect.succeed(null)
  return rule.test(value) ? Effect.succeed(value) : Effect.fail(new SettingInvalid({ key, reason: `${described}, or none` }))
}

const parsers: { readonly [K in SettingKey]: (text: string) => Effect.Effect<DirectorySettings[K], SettingInvalid> } = {
  "invitation.ttl-hours": whole("invitation.ttl-hours", 90 * 24),
  "reset.ttl-minutes": whole("reset.ttl-minutes", 24 * 60),
  "approval.ttl-hours": whole("approval.ttl-hours", 90 * 24),
  "approval.remind-hours": hoursOrOff("approval.remind-hours", 90 * 24),
  "session.ttl-hours": whole("session.ttl-hours", 90 * 24),
  "session.idle-minutes": whole("session.idle-minutes", 90 * 24 * 60),
  "audit.checkpoint-every": whole("audit.checkpoint-every", 1_000_000),
  "approval.gates": (text) => {
    const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "" && s !== "none")
    const unknown = items.filter((s) => !(optionalGates as ReadonlyArray<string>).includes(s))
    return unknown.length > 0
      ? Effect.fail(new SettingInvalid({ key: "approval.gates", reason: `unknown gate ${unknown.join(", ")}; use ${optionalGates.join(", ")} or none` }))
      : Effect.succeed([...new Set(items)] as Array<OptionalGate>)
  },
  "oidc.auto-register": (text) => {
    const value = text.trim()
    return (autoRegisterPolicies as ReadonlyArray<string>).includes(value)
      ? Effect.succeed(value as AutoRegister)
      : Effect.fail(new SettingInvalid({ key: "oidc.auto-register", reason: `use ${autoRegisterPolicies.join(", ")}` }))
  },
  "oidc.default-org": nameOrNone("oidc.default-org", Scope.SLUG, "an organization's slug (lower-case letters, digits and inner dashes)"),
  "oidc.default-role": nameOrNone("oidc.default-role", ROLE_NAME, "a role's name"),
  "scim.delete": (text) => {
    const value = text.trim()
    return (scimDeletes as ReadonlyArray<string>).includes(value)
      ? Effect.succeed(value as ScimDelete)
      : Effect.fail(new SettingInvalid({ key: "scim.delete", reason: `use ${scimDeletes.join(", ")}` }))
  },
  "dormant.notify-days": daysOrNone("dormant.notify-days", 3650),
  "dormant.suspend-days": daysOrNone("dormant.suspend-days", 3650),
  "dormant.exempt-role": nameOrNone("dormant.exempt-role", ROLE_NAME, "a role's name")
}

/**
 * What one setting cannot be given the others: the dormant notice comes before the suspension,
 * and an exempt role must exist (a misspelt one would exempt nobody).
 */
const checkTogether = (key: SettingKey, value: unknown, current: DirectorySettings) =>
  Effect.gen(function*() {
    const next = { ...current, [key]: value } as DirectorySettings
    const notify = next["dormant.notify-days"]
    const suspend = next["dormant.suspend-days"]
    if ((key === "dormant.notify-days" || key === "dormant.suspend-days") && notify !== null && suspend !== null && notify >= suspend) {
      return yield* Effect.fail(new SettingInvalid({ key, reason: `dormant.notify-days (${notify}) must be fewer than dormant.suspend-days (${suspend})` }))
    }
    if (key === "dormant.exempt-role" && typeof value === "string") {
      const sql = yield* SqlClient.SqlClient
      const [role] = yield* sql<{ name: string }>`SELECT name FROM roles WHERE lower(name) = ${value.toLowerCase()}`.pipe(Effect.orDie)
      if (role === undefined) return yield* Effect.fail(new SettingInvalid({ key, reason: `there is no role ${value}` }))
      return role.name
    }
    return value
  })

const isKey = (key: string): key is SettingKey => Object.hasOwn(defaults, key)

/** The directory's settings, defaults filled in (no permission: use cases read their own rules). */
export const currentSettings = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ key: string; value: string }>`SELECT key, value FROM settings`
  const out: Record<string, unknown> = { ...defaults }
  for (const row of rows) if (isKey(row.key)) out[row.key] = JSON.parse(row.value)
  return out as unknown as DirectorySettings
}).pipe(Effect.orDie)

/** The settings as `usher settings list` shows them (needs `audit.read` at provider). */
export const listSettings = Effect.gen(function*() {
  yield* requireAt("audit.read", Scope.provider)
  return yield* currentSettings
})

/** Changes one setting (needs `settings.manage` at provider), audited with its old and new value. */
export const setSetting = (key: string, text: string) =>
  transaction(Effect.gen(function*() {
    yield* requireAt("settings.manage", Scope.provider)
    if (!isKey(key)) {
      return yield* Effect.fail(new SettingInvalid({ key, reason: `not a setting; use one of ${Object.keys(defaults).join(", ")}` }))
    }
    const current = yield* currentSettings
    const value = yield* checkTogether(key, yield* parsers[key](text), current)
    const before = current[key]
    const sql = yield* SqlClient.SqlClient
    yield* sql`INSERT INTO settings (key, value) VALUES (${key}, ${JSON.stringify(value)})
               ON CONFLICT (key) DO UPDATE SET value = excluded.value`.pipe(Effect.orDie)
    yield* record({ action: "settings.update", target: null, details: { key, from: before, to: value } })
    return yield* currentSettings
  }))
