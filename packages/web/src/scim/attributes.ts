/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes of a
 * resource an answer carries. Paths are case-insensitive and may name a sub-attribute
 * (`name.givenName`, `emails.value`) or carry their schema's URN (`urn:…:enterprise:2.0:User:department`).
 * `schemas`, `id` and `meta` are always returned.
 */

const CORE_PREFIXES = ["urn:ietf:params:scim:schemas:core:2.0:user:", "urn:ietf:params:scim:schemas:core:2.0:group:"]
const ALWAYS = new Set(["schemas", "id", "meta"])

type Json = Record<string, unknown>

/** A path as [attribute, sub-attribute?], lower-case; an extension's URN is its attribute. */
export const pathOf = (text: string): readonly [string, string | undefined] => {
  let path = text.trim().toLowerCase()
  for (const prefix of CORE_PREFIXES) if (path.startsWith(prefix)) path = path.slice(prefix.length)
  if (path.startsWith("urn:")) {
    const colon = path.lastIndexOf(":")
    return [path.slice(0, colon), path.slice(colon + 1) || undefined]
  }
  const dot = path.indexOf(".")
  return dot < 0 ? [path, undefined] : [path.slice(0, dot), path.slice(dot + 1)]
}

const keyOf = (object: Json, lower: string) => Object.keys(object).find((k) => k.toLowerCase() === lower)

const pick = (value: unknown, sub: string): unknown => {
  if (Array.isArray(value)) return value.map((v) => pick(v, sub)).filter((v) => v !== undefined && (typeof v !== "object" || Object.keys(v as Json).length > 0))
  if (value === null || typeof value !== "object") return undefined
  const key = keyOf(value as Json, sub)
  return key === undefined ? {} : { [key]: (value as Json)[key] }
}

const merge = (into: unknown, from: unknown): unknown => {
  if (Array.isArray(into) && Array.isArray(from)) return into.map((v, i) => merge(v, from[i]))
  if (into !== null && typeof into === "object" && from !== null && typeof from === "object") return { ...(into as Json), ...(from as Json) }
  return from
}

const omit = (value: unknown, sub: string): unknown => {
  if (Array.isArray(value)) return value.map((v) => omit(v, sub))
  if (value === null || typeof value !== "object") return value
  const key = keyOf(value as Json, sub)
  if (key === undefined) return value
  const { [key]: _, ...rest } = value as Json
  return rest
}

const listOf = (text: string | undefined) => (text ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "").map(pathOf)

/** The resource with only the attributes asked for, or without the excluded ones. */
export const project = <R extends object>(resource: R, attributes?: string, excluded?: string): Json => {
  const source = resource as unknown as Json
  const wanted = listOf(attributes)
  if (wanted.length > 0) {
    const out: Json = {}
    for (const key of Object.keys(source)) if (ALWAYS.has(key.toLowerCase())) out[key] = source[key]
    for (const [attribute, sub] of wanted) {
      const key = keyOf(source, attribute)
      if (key === undefined || ALWAYS.has(attribute)) continue
      out[key] = sub === undefined ? source[key] : out[key] === undefined ? pick(source[key], sub) : merge(out[key], pick(source[key], sub))
    }
    return out
  }
  let out: Json = { ...source }
  for (const [attribute, sub] of listOf(excluded)) {
    const key = keyOf(out, attribute)
    if (key === undefined || ALWAYS.has(attribute)) continue
    if (sub === undefined) {
      const { [key]: _, ...rest } = out
      out = rest
    } else out = { ...out, [key]: omit(out[key], sub) }
  }
  return out
}
