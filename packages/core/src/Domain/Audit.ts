import { hash } from "node:crypto"
import { Schema } from "effect"
import * as Scope from "./Scope.js"

/** Which front-end a change came through. */
export const Via = Schema.Literal("cli", "tui", "slack", "api", "scim", "ssh", "web", "system")
export type Via = typeof Via.Type

/** One entry of the hash-chained audit log (DESIGN §6). */
export const AuditEvent = Schema.Struct({
  seq: Schema.Number,
  at: Schema.String,
  actor: Schema.String,
  via: Via,
  action: Schema.String,
  target: Schema.NullOr(Schema.String),
  details: Schema.Unknown,
  reason: Schema.NullOr(Schema.String),
  approvalId: Schema.NullOr(Schema.String),
  /** the scopes the event concerns (`provider`, `org:<slug>`); absent on events older than scoping */
  scopes: Schema.optional(Schema.Array(Schema.String)),
  prevHash: Schema.String,
  hash: Schema.String
})
export type AuditEvent = typeof AuditEvent.Type

/** The hash before the first event. */
export const GENESIS = "0".repeat(64)

/** JSON with object keys sorted at every depth, so equal events hash equally. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const record = value as Record<string, unknown>
  let out = "{"
  for (const key of Object.keys(record).sort()) {
    const v = record[key]
    if (v === undefined) continue
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(v)}`
  }
  return `${out}}`
}

/** The hashed fields of an event, in canonical (sorted) order. */
const HASHED = ["action", "actor", "approvalId", "at", "details", "reason", "scopes", "seq", "target", "via"] as const

/**
 * `sha256(prevHash + canonical JSON of the event without its hashes)` (an event without
 * `scopes`, written before events were scoped, hashes as it always did); `detailsJson` and
 * `scopesJson`, when given, are the canonical JSON of `details` and `scopes` already at hand
 * (the stored text: what was hashed when the event was written).
 */
export const hashEvent = (event: Omit<AuditEvent, "hash">, detailsJson?: string, scopesJson?: string): string => {
  let json = "{"
  for (const key of HASHED) {
    const v = event[key]
    if (v === undefined && !(key === "scopes" && scopesJson !== undefined)) continue
    const text = key === "details" && detailsJson !== undefined
      ? detailsJson
      : key === "scopes" && scopesJson !== undefined
      ? scopesJson
      : canonicalJson(v)
    json += `${json.length === 1 ? "" : ","}"${key}":${text}`
  }
  return hash("sha256", `${event.prevHash}${json}}`)
}

/** The first place a chain breaks, if any. */
export type ChainBreak =
  | { readonly kind: "gap"; readonly expectedSeq: number; readonly foundSeq: number }
  | { readonly kind: "link"; readonly seq: number }
  | { readonly kind: "hash"; readonly seq: number }

/** Verifies a chain read in `seq` order, starting from the genesis hash and seq 1. */
export const verifyChain = (events: Iterable<AuditEvent>): ChainBreak | undefined => {
  let prev = GENESIS
  let expected = 1
  for (const event of events) {
    if (event.seq !== expected) return { kind: "gap", expectedSeq: expected, foundSeq: event.seq }
    if (event.prevHash !== prev) return { kind: "link", seq: event.seq }
    if (hashEvent(event) !== event.hash) return { kind: "hash", seq: event.seq }
    prev = event.hash
    expected++
  }
  return undefined
}

const orgOfQualified = (value: unknown): string | undefined =>
  typeof value === "string" && value.includes("/") ? value.slice(0, value.indexOf("/")) : undefined

/**
 * The scopes an event concerns, from what its details name: an organization (`org`), a grant's
 * or request's scope (`scope`, `scopes`), a group or app (`ORG/NAME`). Undefined when they name
 * none: then the target account's organizations count (or provider).
 */
export const scopesFromDetails = (details: unknown): ReadonlyArray<string> | undefined => {
  if (details === null || typeof details !== "object") return undefined
  const d = details as Readonly<Record<string, unknown>>
  const out = new Set<string>()
  const addScope = (value: unknown) => {
    if (typeof value !== "string") return
    const org = Scope.orgSlugOf(value as Scope.Scope)
    if (org !== undefined) out.add(Scope.org(org))
    else if (value === Scope.provider) out.add(Scope.provider)
  }
  if (typeof d["org"] === "string") out.add(Scope.org(d["org"]))
  addScope(d["scope"])
  if (Array.isArray(d["scopes"])) d["scopes"].forEach(addScope)
  for (const key of ["group", "app"]) {
    const org = orgOfQualified(d[key])
    if (org !== undefined) out.add(Scope.org(org))
  }
  return out.size === 0 ? undefined : [...out].sort()
}
