/**
 * SCIM 2.0 filters (RFC 7644 §3.4.2.2): parsed by `scim2-parse-filter`, checked against a
 * resource type's attribute catalogue, and then either translated to an SQL condition that runs
 * on SQLite and PostgreSQL alike or evaluated over a resource's JSON, with the same answer.
 *
 * Semantics, on both sides: an absent attribute (NULL, or an empty text) makes every comparison
 * false and `pr` false; `ne` is `not eq` (so it holds for an absent attribute, and for a
 * multi-valued one when no value equals); `eq null` is `not pr`, `ne null` is `pr`. Text that is
 * not `caseExact` is compared after ASCII-only lower-casing, as SQLite's `lower()` does and as
 * PostgreSQL's does under `COLLATE "C"`; ordering is by code point (UTF-8 bytes), never by a
 * locale. Every SQL condition is two-valued (never NULL), so `not` is the complement.
 */
import { SqlClient, type Statement } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { parse } from "scim2-parse-filter"
import type { HttpStatus } from "../Domain/HttpStatus.js"
import { GROUP_ATTRIBUTES, type ScimAttribute, type ScimCatalogue, type ScimMultiValued, USER_ATTRIBUTES } from "./Attributes.js"
import { type ScimGroup, type ScimUser } from "./Resources.js"

export { GROUP_ATTRIBUTES, type ScimAttribute, type ScimCatalogue, type ScimMultiValued, USER_ATTRIBUTES }

/** A filter's text is refused beyond this length: IdPs send a few dozen characters (`userName eq "…"`). */
export const MAX_FILTER_LENGTH = 4_000
/**
 * Filters nest at most this deep (and, or, not, value paths): IdPs nest two or three levels; the
 * bound keeps the parser's recursion and SQLite's expression depth (1,000) far away.
 */
export const MAX_FILTER_DEPTH = 16

/** A filter the directory cannot answer: bad syntax, an unknown attribute, or an operator or value that does not fit it. */
export class InvalidScimFilter extends Schema.TaggedError<InvalidScimFilter>()("InvalidScimFilter", { reason: Schema.String }) {
  static readonly httpStatus = 400 satisfies HttpStatus
  override get message() {
    return `Invalid SCIM filter: ${this.reason}`
  }
}

/** The comparison operators of RFC 7644. */
export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "lt" | "ge" | "le"

/** A parsed filter: `scim2-parse-filter`'s tree, with string values decoded as the JSON strings they are. */
export type Filter =
  | { readonly op: CompareOp; readonly attrPath: string; readonly compValue: string | number | boolean | null }
  | { readonly op: "pr"; readonly attrPath: string }
  | { readonly op: "and" | "or"; readonly filters: ReadonlyArray<Filter> }
  | { readonly op: "not"; readonly filter: Filter }
  | { readonly op: "[]"; readonly attrPath: string; readonly valFilter: Filter }

// ---------------------------------------------------------------------------------------------
// Parsing

/** How deeply brackets nest in a filter's text (outside its strings), before the parser recurses into them. */
const bracketDepth = (filter: string): number => {
  let depth = 0
  let deepest = 0
  let quoted = false
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i]
    if (quoted) {
      if (c === "\\") i++
      else if (c === "\"") quoted = false
    } else if (c === "\"") quoted = true
    else if (c === "(" || c === "[") deepest = Math.max(deepest, ++depth)
    else if (c === ")" || c === "]") depth--
  }
  return deepest
}

const invalid = (reason: string) => Either.left(new InvalidScimFilter({ reason }))

/**
 * The parser decodes only `\"` in a string and keeps every other backslash as it is (`"a\\b"`
 * comes out as `a\\b`); what it returns is therefore the string's raw JSON text with its quotes
 * unescaped, which this turns back and decodes as JSON. (It refuses a string ending in `\`.)
 */
const decodeString = (raw: string): Either.Either<string, InvalidScimFilter> => {
  try {
    return Either.right(JSON.parse(`"${raw.replace(/"/g, "\\\"")}"`) as string)
  } catch {
    return invalid(`"${raw}" is not a valid JSON string`)
  }
}

type ParsedFilter = ReturnType<typeof parse>

/** The tree with its strings decoded; `level` counts the and, or, not and value paths around the node. */
const normalize = (node: ParsedFilter, level: number): Either.Either<Filter, InvalidScimFilter> => {
  const depth = level + 1
  if (node.op !== "pr" && !("compValue" in node) && depth > MAX_FILTER_DEPTH) return invalid(`it nests deeper than ${MAX_FILTER_DEPTH} levels`)
  switch (node.op) {
    case "and":
    case "or":
      return Either.map(Either.all(node.filters.map((f) => normalize(f, depth))), (filters) => ({ op: node.op, filters }))
    case "not":
      return Either.map(normalize(node.filter, depth), (filter) => ({ op: "not", filter }))
    case "[]":
      return Either.map(normalize(node.valFilter, depth), (valFilter) => ({ op: "[]", attrPath: node.attrPath, valFilter }))
    case "pr":
      return Either.right({ op: "pr", attrPath: node.attrPath })
    default:
      return typeof node.compValue === "string"
        ? Either.map(decodeString(node.compValue), (compValue) => ({ op: node.op, attrPath: node.attrPath, compValue }))
        : Either.right({ op: node.op, attrPath: node.attrPath, compValue: node.compValue })
  }
}

/** Parses a filter's text (`userName eq "ada@acme.test"`), within `MAX_FILTER_LENGTH` and `MAX_FILTER_DEPTH`. */
export const parseScimFilter = (filter: string): Either.Either<Filter, InvalidScimFilter> => {
  if (filter.length > MAX_FILTER_LENGTH) return invalid(`it is longer than ${MAX_FILTER_LENGTH} characters`)
  if (filter.trim() === "") return invalid("it is empty")
  if (bracketDepth(filter) > MAX_FILTER_DEPTH) return invalid(`it nests deeper than ${MAX_FILTER_DEPTH} levels`)
  let tree: ParsedFilter
  try {
    tree = parse(filter)
  } catch (error) {
    return invalid(`it is not a SCIM filter (${String(error instanceof Error ? error.message : error).slice(0, 200)})`)
  }
  return normalize(tree, 0)
}

// ---------------------------------------------------------------------------------------------
// Checking against a catalogue: the one tree both the SQL and the evaluator answer

/** A test of one value: its presence, a comparison with a (folded, normalized) text, or a boolean. */
type Test =
  | { readonly op: "pr" }
  | { readonly op: "eq" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le"; readonly value: string }
  | { readonly op: "is"; readonly value: boolean }

type Checked =
  | { readonly kind: "and" | "or"; readonly items: ReadonlyArray<Checked> }
  | { readonly kind: "not"; readonly item: Checked }
  | { readonly kind: "test"; readonly attribute: ScimAttribute; readonly test: Test }
  | { readonly kind: "any"; readonly multi: ScimMultiValued; readonly where: Checked }

/** `A`–`Z` to `a`–`z` and nothing else: what SQLite's `lower()` does, and PostgreSQL's under `COLLATE "C"`; how text that is not `caseExact` compares. */
export const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase())

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** An xsd:dateTime; without a zone it is UTC. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))?$/i

/** A dateTime value as `toISOString()` writes `created_at`, so that text order is time order. */
const normalizeDateTime = (value: string): Either.Either<string, InvalidScimFilter> => {
  const m = DATE_TIME.exec(value)
  const [y, mo, d, h, mi, s] = (m?.slice(1, 7) ?? []).map(Number) as Array<number>
  const fraction = m?.[7] ?? ""
  const leap = y! % 4 === 0 && (y! % 100 !== 0 || y! % 400 === 0)
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo! - 1] ?? 0
  const zoneOk = m?.[9] === undefined || (Number(m[10]) <= 23 && Number(m[11]) <= 59)
  if (m === null || mo! < 1 || mo! > 12 || d! < 1 || d! > days || h! > 23 || mi! > 59 || s! > 59 || !zoneOk) {
    return invalid(`"${value}" is not a dateTime (2024-05-13T04:42:34Z)`)
  }
  if (/[1-9]/.test(fraction.slice(3))) return invalid(`"${value}" is finer than a millisecond`)
  const iso = new Date(`${value.slice(0, 19)}.${fraction.slice(0, 3).padEnd(3, "0")}${m[8] ?? "Z"}`.toUpperCase()).toISOString()
  return /^\d{4}-/.test(iso) ? Either.right(iso) : invalid(`"${value}" lies outside the years 0000–9999`)
}

/** The test an operator and value make on an attribute, and whether the result is negated (`ne`, `eq null`). */
const testOf = (attribute: ScimAttribute, op: CompareOp | "pr", value: string | number | boolean | null) =>
  Either.gen(function*() {
    const where = `${attribute.path} ${op}`
    if (op === "pr") return { negate: false, test: { op: "pr" } as Test }
    if (value === null) {
      if (op !== "eq" && op !== "ne") return yield* invalid(`${where} null: only eq and ne compare with null`)
      return { negate: op === "eq", test: { op: "pr" } as Test }
    }
    const positive = op === "ne" ? "eq" : op
    if (attribute.type === "boolean") {
      if (positive !== "eq") return yield* invalid(`${where}: ${attribute.path} is a boolean (eq, ne, pr)`)
      if (typeof value !== "boolean") return yield* invalid(`${where}: ${attribute.path} is a boolean (true or false)`)
      return { negate: op === "ne", test: { op: "is", value } as Test }
    }
    if (typeof value !== "string") return yield* invalid(`${where} ${String(value)}: ${attribute.path} takes a string in quotes`)
    if (value.includes("\u0000") || LONE_SURROGATE.test(value)) return yield* invalid(`${where}: the value holds a NUL or an unpaired surrogate`)
    if (attribute.type === "dateTime") {
      if (positive === "co" || positive === "sw" || positive === "ew") return yield* invalid(`${where}: ${attribute.path} is a dateTime (eq, ne, gt, ge, lt, le, pr)`)
      return { negate: op === "ne", test: { op: positive, value: yield* normalizeDateTime(value) } as Test }
    }
    return { negate: op === "ne", test: { op: positive, value: attribute.caseExact ? value : asciiLower(value) } as Test }
  })

const lower = (s: string) => s.toLowerCase()

/** A path without the core schema's URN prefix, lower-cased: attribute names are case-insensitive. */
const localPath = (catalogue: ScimCatalogue, path: string) => {
  const p = lower(path)
  const prefix = `${lower(catalogue.schema)}:`
  return p.startsWith(prefix) ? p.slice(prefix.length) : p
}

const check = (filter: Filter, catalogue: ScimCatalogue, within: ScimMultiValued | undefined): Either.Either<Checked, InvalidScimFilter> => {
  switch (filter.op) {
    case "and":
    case "or":
      return Either.map(Either.all(filter.filters.map((f) => check(f, catalogue, within))), (items) => ({ kind: filter.op, items }))
    case "not":
      return Either.map(check(filter.filter, catalogue, within), (item) => ({ kind: "not", item }))
    case "[]": {
      if (within !== undefined) return invalid(`${filter.attrPath}[…] inside ${within.path}[…]`)
      const multi = catalogue.multiValued.find((m) => lower(m.path) === localPath(catalogue, filter.attrPath))
      if (multi === undefined) return invalid(`${filter.attrPath} is no multi-valued attribute of a ${catalogue.resourceType}`)
      return Either.map(check(filter.valFilter, catalogue, multi), (where) => ({ kind: "any", multi, where }))
    }
    default: {
      const path = within === undefined ? localPath(catalogue, filter.attrPath) : lower(filter.attrPath)
      const value = filter.op === "pr" ? null : filter.compValue
      const scalar = (within?.subAttributes ?? catalogue.attributes).find((a) => lower(a.path) === path)
      const multi = within === undefined ? catalogue.multiValued.find((m) => path === lower(m.path) || path.startsWith(`${lower(m.path)}.`)) : undefined
      // a multi-valued attribute compared as a whole compares its `value` (Entra's `members eq "…"`)
      const sub = multi?.subAttributes.find((a) => path === `${lower(multi.path)}.${lower(a.path)}` || (path === lower(multi.path) && filter.op !== "pr" && lower(a.path) === "value"))
      if (scalar === undefined && sub === undefined && multi !== undefined && path === lower(multi.path) && filter.op === "pr") {
        return Either.right({ kind: "any", multi, where: { kind: "and", items: [] } })
      }
      const attribute = scalar ?? sub
      if (attribute === undefined) {
        const of = within === undefined ? `a ${catalogue.resourceType}` : within.path
        return invalid(`${filter.attrPath} is no filterable attribute of ${of}${multi !== undefined ? ` (compare one of its sub-attributes)` : ""}`)
      }
      return Either.map(testOf(attribute, filter.op, value), ({ negate, test }): Checked => {
        const node: Checked = { kind: "test", attribute, test }
        const whole: Checked = sub !== undefined && multi !== undefined ? { kind: "any", multi, where: node } : node
        return negate ? { kind: "not", item: whole } : whole
      })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SQL

const SYMBOL = { eq: "=", gt: ">", ge: ">=", lt: "<", le: "<=" } as const

const testSql = (sql: SqlClient.SqlClient, attribute: ScimAttribute, test: Test): Statement.Fragment => {
  if (attribute.type === "boolean") {
    const present = sql.literal(`(${attribute.present})`)
    const holds = sql.literal(`(${attribute.holds})`)
    if (test.op === "pr") return present
    return test.op === "is" && test.value ? sql`(${present} AND ${holds})` : sql`(${present} AND NOT ${holds})`
  }
  const value = sql.literal(`(${attribute.sql})`)
  if (test.op === "pr") return sql`(${value} IS NOT NULL)`
  if (test.op === "is") return sql`(1 = 0)`
  // binary order on both engines: PostgreSQL would otherwise compare by the database's locale
  const collated = sql.onDialectOrElse({ pg: () => sql`${value} COLLATE "C"`, orElse: () => sql`${value} COLLATE BINARY` })
  const hay = attribute.caseExact ? collated : sql`lower(${collated})`
  const v = test.value
  const length = sql`length(CAST(${v} AS TEXT))`
  const compared = test.op === "co"
    ? sql.onDialectOrElse({ pg: () => sql`strpos(${hay}, ${v}) > 0`, orElse: () => sql`instr(${hay}, ${v}) > 0` })
    : test.op === "sw"
    ? sql`substr(${hay}, 1, ${length}) = ${v}`
    : test.op === "ew"
    ? sql`length(${hay}) >= ${length} AND substr(${hay}, length(${hay}) - ${length} + 1) = ${v}`
    : sql`${hay} ${sql.literal(SYMBOL[test.op])} ${v}`
  const condition = sql`(${value} IS NOT NULL AND ${compared})`
  // implied by the condition (the index's lower() folds at least the ASCII letters), so it only narrows the search
  const indexed = attribute.type === "string" ? attribute.indexed : undefined
  const key = attribute.type === "string" && attribute.caseExact ? v : sql`lower(${v})`
  return test.op === "eq" && indexed !== undefined ? sql`(${sql.literal(indexed)} = ${key} AND ${condition})` : condition
}

const toSql = (sql: SqlClient.SqlClient, node: Checked): Statement.Fragment => {
  switch (node.kind) {
    case "and":
      return sql.join(" AND ", true, "(1 = 1)")(node.items.map((item) => toSql(sql, item)))
    case "or":
      return sql.join(" OR ", true, "(1 = 0)")(node.items.map((item) => toSql(sql, item)))
    case "not":
      return sql`(NOT ${toSql(sql, node.item)})`
    case "any":
      return "inline" in node.multi.elements
        ? sql`(${sql.literal(`(${node.multi.elements.inline})`)} AND ${toSql(sql, node.where)})`
        : sql`EXISTS (SELECT 1 ${sql.literal(node.multi.elements.from)} AND ${toSql(sql, node.where)})`
    case "test":
      return testSql(sql, node.attribute, node.test)
  }
}

/**
 * A filter as an SQL condition over the catalogue's table, values bound as parameters:
 * `SELECT … FROM users WHERE users.status <> 'deleted' AND ${condition}`.
 */
export const scimFilterToSql = (filter: Filter, catalogue: ScimCatalogue): Effect.Effect<Statement.Fragment, InvalidScimFilter, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Either.map(check(filter, catalogue, undefined), (node) => toSql(sql, node)))

// ---------------------------------------------------------------------------------------------
// Evaluation over a resource

/** The JSON keys of a path: `name.givenName`, or an extension's `urn:…:User:department`. */
const keysOf = (path: string): ReadonlyArray<string> => {
  if (!path.startsWith("urn:")) return path.split(".")
  const colon = path.lastIndexOf(":")
  return [path.slice(0, colon), ...path.slice(colon + 1).split(".")]
}

const read = (json: unknown, path: string): unknown =>
  keysOf(path).reduce<unknown>((at, key) => at !== null && typeof at === "object" && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined, json)

/** Code-point order (UTF-8 byte order, as both engines compare under a binary collation), not UTF-16's. */
const compareText = (a: string, b: string): number => {
  const fix = (c: number) => c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return fix(a.charCodeAt(i)) - fix(b.charCodeAt(i))
  }
  return a.length - b.length
}

const testValue = (attribute: ScimAttribute, test: Test, value: unknown): boolean => {
  if (attribute.type === "boolean") {
    if (typeof value !== "boolean") return false
    return test.op === "pr" || (test.op === "is" && value === test.value)
  }
  if (typeof value !== "string" || value === "") return false
  if (test.op === "pr") return true
  if (test.op === "is") return false
  const hay = attribute.caseExact ? value : asciiLower(value)
  switch (test.op) {
    case "co":
      return hay.includes(test.value)
    case "sw":
      return hay.startsWith(test.value)
    case "ew":
      return hay.endsWith(test.value)
    case "eq":
      return hay === test.value
    case "gt":
      return compareText(hay, test.value) > 0
    case "ge":
      return compareText(hay, test.value) >= 0
    case "lt":
      return compareText(hay, test.value) < 0
    case "le":
      return compareText(hay, test.value) <= 0
  }
}

const holds = (node: Checked, json: unknown): boolean => {
  switch (node.kind) {
    case "and":
      return node.items.every((item) => holds(item, json))
    case "or":
      return node.items.some((item) => holds(item, json))
    case "not":
      return !holds(node.item, json)
    case "any": {
      const elements = read(json, node.multi.path)
      return Array.isArray(elements) && elements.some((element) => holds(node.where, element))
    }
    case "test":
      return testValue(node.attribute, node.test, read(json, node.attribute.path))
  }
}

/** Whether a resource matches a filter, as `scimFilterToSql` would answer over its row; the same filters are refused. */
export const evaluateScimFilter = (filter: Filter, resource: ScimUser | ScimGroup): Either.Either<boolean, InvalidScimFilter> =>
  Either.map(
    check(filter, resource.meta.resourceType === "User" ? USER_ATTRIBUTES : GROUP_ATTRIBUTES, undefined),
    (node) => holds(node, resource)
  )
