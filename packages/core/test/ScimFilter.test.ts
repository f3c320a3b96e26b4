import { SqlClient } from "@effect/sql"
import { assert, layer } from "@effect/vitest"
import { Effect, Either, Layer, Runtime, Schema } from "effect"
import fc from "fast-check"
import * as Filter from "../src/Scim/Filter.js"
import * as Resources from "../src/Scim/Resources.js"
import { TempDatabaseLive } from "./support.js"

/**
 * SCIM filters on the engine the tests run on (`USHER_TEST_ENGINE=pg` for PostgreSQL): random
 * filters over the User and Group catalogues select, in SQL, exactly the rows whose resources the
 * evaluator accepts; and named users and groups answer the filters IdPs send as RFC 7644 says.
 */

const BASE = "https://usher.test"
const DEPARTMENT = `${Resources.ENTERPRISE_USER_SCHEMA}:department`
const DAY = 86_400_000
const T0 = Date.parse("2024-06-01T00:00:00.000Z")

type UserRow = Omit<Resources.ScimUserRow, "id"> & { readonly id: string }

/** Users the examples name; every other user is generated, with values from the same awkward pool. */
const named = (id: string, row: Partial<UserRow>): UserRow => ({
  id, email: null, firstName: "", lastName: "", phone: null, orgUnit: null, position: null, status: "active",
  createdAt: "2024-01-01T00:00:00.000Z", updatedAt: null, version: 1, scimUserName: null, scimExternalId: null, ...row
})
const NAMED: ReadonlyArray<UserRow> = [
  named("ada", {
    email: "ada@acme.test", scimUserName: "Ada.Lovelace@Acme.Test", firstName: "Ada", lastName: "Lovelace", phone: "+441234567890",
    orgUnit: "Engineering", position: "CTO", createdAt: "2024-01-15T10:00:00.000Z", scimExternalId: "00uAda1"
  }),
  named("grace", {
    email: "grace@acme.test", firstName: "Grace", lastName: "Hopper", orgUnit: "engineering", position: "Rear_Admiral",
    status: "suspended", createdAt: "2024-03-01T00:00:00.000Z", updatedAt: "2024-09-09T09:09:09.009Z", scimExternalId: "EXT-42", version: 3
  }),
  named("percent", {
    email: "100%_sure@acme.test", firstName: "100%", lastName: "O'Brien", orgUnit: "R&D", position: "back\\slash",
    status: "invited", createdAt: "2023-07-01T12:30:00.000Z"
  }),
  named("emile", { email: "emile@acme.test", firstName: "Émile", lastName: "😀Zola", position: "écrivain", status: "provisioned", createdAt: "2024-02-01T00:00:00.000Z" }),
  named("noemail", { firstName: "No", lastName: "Mail", status: "provisioned", createdAt: "2022-05-05T05:05:05.005Z" }),
  named("gone", { email: "gone@acme.test", firstName: "Gone", lastName: "Away", status: "deleted" })
]
const NAMED_IDS = new Set(NAMED.map((u) => u.id))

const AWKWARD = ["Ada", "ADA", "Émile", "émile", "Zoë", "O'Brien", "100%", "snake_case", "back\\slash", "quote\"d", "ß", "İlker", "日本", "😀x", "\uE000z", "", "x%_y", "de la Cruz", "a\\b"]

const generatedUser = fc.record({
  firstName: fc.constantFrom(...AWKWARD),
  lastName: fc.constantFrom(...AWKWARD),
  email: fc.option(fc.constantFrom("ada", "o'brien", "100%_sure", "snake_case", "x"), { nil: null, freq: 4 }),
  phone: fc.boolean(),
  orgUnit: fc.constantFrom(null, "", "Engineering", "engineering", "R&D", "Sales_EU", "50%", "Été"),
  position: fc.constantFrom(null, "", "CTO", "cto", "Lead_Dev", "écrivain", "\uE000", "😀", "Z"),
  status: fc.constantFrom(...["invited", "provisioned", "active", "active", "suspended", "deleted"] as const),
  created: fc.oneof(fc.constantFrom(0, DAY), fc.integer({ min: 0, max: 400 * DAY })),
  modifiedAfter: fc.option(fc.integer({ min: 0, max: 30 * DAY }), { nil: null }),
  version: fc.integer({ min: 1, max: 9 }),
  userName: fc.option(fc.constantFrom("Ada.Lovelace", "BOB", "o'brien", "100%"), { nil: null, freq: 2 }),
  externalId: fc.option(fc.constantFrom("ext-", "EXT-", "00u%_", "a\"b"), { nil: null, freq: 2 })
})
const GENERATED: ReadonlyArray<UserRow> = fc.sample(generatedUser, { seed: 7, numRuns: 40 }).map((u, i) => ({
  id: `gen-${String(i).padStart(2, "0")}${i % 2 === 0 ? "a" : "B"}`,
  email: u.email === null ? null : `${u.email}.${i}@gen.test`,
  firstName: u.firstName,
  lastName: u.lastName,
  phone: u.phone ? `+1555${1_000_000 + i}` : null,
  orgUnit: u.orgUnit,
  position: u.position,
  status: u.status,
  createdAt: new Date(T0 + u.created).toISOString(),
  updatedAt: u.modifiedAfter === null ? null : new Date(T0 + u.created + u.modifiedAfter).toISOString(),
  version: u.version,
  scimUserName: u.userName === null ? null : `${u.userName}.${i}@Gen.Test`,
  scimExternalId: u.externalId === null ? null : `${u.externalId}${i}`
}))
const USERS = [...NAMED, ...GENERATED]

interface GroupRow {
  readonly id: string
  readonly name: string
  readonly createdAt: string
  readonly updatedAt: string | null
  readonly scimExternalId: string | null
  readonly members: ReadonlyArray<string>
}
const NAMED_GROUPS: ReadonlyArray<GroupRow> = [
  { id: "admins", name: "Admins", createdAt: "2024-01-01T00:00:00.000Z", updatedAt: "2024-04-04T00:00:00.000Z", scimExternalId: "grp-1", members: ["ada", "grace"] },
  { id: "empty", name: "Empty_Group", createdAt: "2024-02-01T00:00:00.000Z", updatedAt: null, scimExternalId: null, members: [] },
  { id: "ghosts", name: "100% Ghosts", createdAt: "2024-03-01T00:00:00.000Z", updatedAt: null, scimExternalId: "GRP-1", members: ["gone"] }
]
const GROUPS: ReadonlyArray<GroupRow> = [
  ...NAMED_GROUPS,
  ...fc.sample(fc.record({ name: fc.constantFrom(...AWKWARD), members: fc.subarray(USERS.map((u) => u.id), { maxLength: 6 }), created: fc.nat({ max: 100 * DAY }) }), {
    seed: 11,
    numRuns: 8
  }).map((g, i) => ({ id: `grp-${i}${i % 2 === 0 ? "x" : "Y"}`, name: `${g.name}${i}`, createdAt: new Date(T0 + g.created).toISOString(), updatedAt: i % 2 === 0 ? null : new Date(T0 + g.created + DAY).toISOString(), scimExternalId: i % 3 === 0 ? null : `g-${i}`, members: g.members }))
]

/** The rows above, written directly (no use case: only the columns SCIM reads matter here). */
const seed = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`INSERT INTO users ${sql.insert(USERS.map((u) => ({ ...u, kind: "member" })))}`
  yield* sql`INSERT INTO organizations (id, slug, name, created_at) VALUES ('scim-org', 'scim', 'SCIM', '2024-01-01T00:00:00.000Z')`
  yield* sql`INSERT INTO user_groups ${sql.insert(GROUPS.map(({ members: _, ...g }) => ({ ...g, orgId: "scim-org" })))}`
  const members = GROUPS.flatMap((g) => g.members.map((userId) => ({ groupId: g.id, userId, addedAt: g.createdAt })))
  yield* sql`INSERT INTO group_members ${sql.insert(members)}`
}).pipe(Effect.orDie)

const decodeUsers = Schema.decodeUnknown(Schema.Array(Resources.ScimUserRow))
const decodeGroups = Schema.decodeUnknown(Schema.Array(Resources.ScimGroupRow))

/** Every SCIM user and group, as the endpoints would build them from the database. */
const resources = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* decodeUsers(yield* sql`SELECT ${sql.literal(Resources.USER_COLUMNS)} FROM users WHERE users.status <> 'deleted'`)
  const groups = yield* decodeGroups(yield* sql`SELECT ${sql.literal(Resources.GROUP_COLUMNS)} FROM user_groups`)
  const members = yield* sql<{ groupId: string; userId: string; firstName: string; lastName: string }>`
    SELECT m.group_id, m.user_id, u.first_name, u.last_name FROM group_members m JOIN users u ON u.id = m.user_id WHERE u.status <> 'deleted'`
  return {
    users: users.map((row) => Resources.toScimUser(row, BASE)),
    groups: groups.map((row) =>
      Resources.toScimGroup(
        row,
        members.filter((m) => m.groupId === row.id).map((m) => ({ value: m.userId, display: Resources.displayNameOf(m.firstName, m.lastName) ?? m.userId })),
        BASE
      )
    )
  }
}).pipe(Effect.orDie)

const sorted = (ids: Iterable<string>) => [...ids].sort()

/** The ids the SQL selects for a filter's text. */
const selected = (text: string, catalogue: Filter.ScimCatalogue) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const condition = yield* Filter.scimFilterToSql(yield* Filter.parseScimFilter(text), catalogue)
    const rows = catalogue.resourceType === "User"
      ? yield* sql<{ id: string }>`SELECT users.id FROM users WHERE users.status <> 'deleted' AND ${condition}`.pipe(Effect.orDie)
      : yield* sql<{ id: string }>`SELECT user_groups.id FROM user_groups WHERE ${condition}`.pipe(Effect.orDie)
    return sorted(rows.map((r) => r.id))
  })

/** The ids of the resources the evaluator accepts for a filter's text. */
const accepted = (text: string, all: ReadonlyArray<Resources.ScimUser | Resources.ScimGroup>) =>
  Effect.gen(function*() {
    const filter = yield* Filter.parseScimFilter(text)
    const ids: Array<string> = []
    for (const resource of all) if (yield* Filter.evaluateScimFilter(filter, resource)) ids.push(resource.id)
    return sorted(ids)
  })

// ---------------------------------------------------------------------------------------------
// Random filters, as text (so that the parser and its string escapes are part of the property)

const userStrings = USERS.flatMap((u) => [u.id, u.email, u.firstName, u.lastName, u.phone, u.orgUnit, u.position, u.scimUserName, u.scimExternalId, "work"])
const groupStrings = GROUPS.flatMap((g) => [g.id, g.name, g.scimExternalId, ...g.members])
const swapCase = (c: string) => c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()

/** A value from the data (as it is, with its case changed, or a piece of it) or made of awkward characters. */
const stringValue = (pool: ReadonlyArray<string | null>) => {
  const from = fc.constantFrom(...pool.filter((s): s is string => s !== null && s !== ""))
  return fc.oneof(
    from,
    fc.tuple(from, fc.array(fc.boolean(), { minLength: 1, maxLength: 6 })).map(([s, flips]) => [...s].map((c, i) => flips[i % flips.length] ? swapCase(c) : c).join("")),
    fc.tuple(from, fc.nat(), fc.nat()).map(([s, a, b]) => {
      const points = [...s]
      const start = a % (points.length + 1)
      return points.slice(start, start + (b % (points.length + 1 - start) + 1)).join("")
    }),
    fc.string({ unit: fc.constantFrom("a", "A", "z", "%", "_", "\\", "'", "\"", "é", "É", "😀", "\uE000", "-", "."), maxLength: 5 })
  ).filter((s) => !s.endsWith("\\")) // the parser cannot read a string that ends in a backslash
}

const instants = [...USERS, ...GROUPS].map((r) => Date.parse(r.createdAt))
/** A dateTime in one of the forms RFC 3339 allows, near the data's instants. */
const dateValue = fc.tuple(
  fc.oneof(fc.constantFrom(...instants), fc.constantFrom(...instants).map((t) => t + 1), fc.integer({ min: T0 - 600 * DAY, max: T0 + 500 * DAY })),
  fc.constantFrom("ms", "seconds", "offset", "noZone", "lower")
).map(([t, form]) => {
  const iso = new Date(t).toISOString()
  switch (form) {
    case "seconds":
      return `${iso.slice(0, 19)}Z`
    case "offset":
      return `${new Date(t + 2 * 3_600_000).toISOString().slice(0, 23)}+02:00`
    case "noZone":
      return iso.slice(0, 23)
    case "lower":
      return iso.toLowerCase()
    default:
      return iso
  }
})

type Kind = "string" | "boolean" | "dateTime"
const STRING_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const
const json = (v: unknown) => JSON.stringify(v)
/** Attribute names are case-insensitive: a path with some of its letters' case changed. */
const anyCase = (path: string) => fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }).map((flips) => [...path].map((c, i) => flips[i % flips.length] && i % 3 === 0 ? swapCase(c) : c).join(""))

const comparison = (path: fc.Arbitrary<string>, kind: Kind, strings: fc.Arbitrary<string>): fc.Arbitrary<string> => {
  switch (kind) {
    case "boolean":
      return fc.oneof(fc.tuple(path, fc.constantFrom("eq", "ne"), fc.boolean()).map(([p, op, v]) => `${p} ${op} ${v}`), path.map((p) => `${p} pr`))
    case "dateTime":
      return fc.oneof(
        { weight: 4, arbitrary: fc.tuple(path, fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"), dateValue).map(([p, op, v]) => `${p} ${op} ${json(v)}`) },
        { weight: 1, arbitrary: path.map((p) => `${p} pr`) }
      )
    case "string":
      return fc.oneof(
        { weight: 8, arbitrary: fc.tuple(path, fc.constantFrom(...STRING_OPS), fc.constantFrom("", "", "", "x"), strings).map(([p, op, upper, v]) => `${p} ${upper === "x" ? op.toUpperCase() : op} ${json(v)}`) },
        { weight: 1, arbitrary: path.map((p) => `${p} pr`) },
        { weight: 1, arbitrary: fc.tuple(path, fc.constantFrom("eq", "ne")).map(([p, op]) => `${p} ${op} null`) }
      )
  }
}

interface Shape {
  readonly schema: string
  readonly attributes: ReadonlyArray<readonly [string, Kind]>
  readonly multiValued: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, Kind]>]>
  readonly strings: fc.Arbitrary<string>
}
const USER_SHAPE: Shape = {
  schema: Resources.USER_SCHEMA,
  attributes: [
    ["id", "string"], ["userName", "string"], ["externalId", "string"], ["name.givenName", "string"], ["name.familyName", "string"], ["name.formatted", "string"],
    ["displayName", "string"], ["title", "string"], [DEPARTMENT, "string"], ["active", "boolean"], ["meta.created", "dateTime"], ["meta.lastModified", "dateTime"]
  ],
  multiValued: [["emails", [["value", "string"], ["type", "string"], ["primary", "boolean"]]], ["phoneNumbers", [["value", "string"], ["type", "string"]]]],
  strings: stringValue(userStrings)
}
const GROUP_SHAPE: Shape = {
  schema: Resources.GROUP_SCHEMA,
  attributes: [["id", "string"], ["displayName", "string"], ["externalId", "string"], ["meta.created", "dateTime"], ["meta.lastModified", "dateTime"]],
  multiValued: [["members", [["value", "string"]]]],
  strings: stringValue(groupStrings)
}

const logical = (leaf: fc.Arbitrary<string>, depth: number): fc.Arbitrary<string> =>
  depth === 0 ? leaf : fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("and", "or", "AND", "Or"), fc.array(logical(leaf, depth - 1), { minLength: 2, maxLength: 3 })).map(([op, parts]) => parts.map((p) => `(${p})`).join(` ${op} `)) },
    { weight: 1, arbitrary: logical(leaf, depth - 1).map((p) => `not (${p})`) }
  )

/** A random filter's text over a resource type's attributes: comparisons, value paths, and/or/not. */
const filterText = (shape: Shape): fc.Arbitrary<string> => {
  const plain = fc.constantFrom(...shape.attributes).chain(([path, kind]) => {
    const prefixed = path.startsWith("urn:") ? fc.constant(path) : fc.constantFrom(path, path, `${shape.schema}:${path}`)
    return comparison(prefixed.chain(anyCase), kind, shape.strings)
  })
  const multi = fc.constantFrom(...shape.multiValued).chain(([name, subs]) => {
    const sub = fc.constantFrom(...subs).chain(([path, kind]) => comparison(anyCase(path), kind, shape.strings))
    return fc.oneof(
      fc.constantFrom(...subs).chain(([path, kind]) => comparison(anyCase(`${name}.${path}`), kind, shape.strings)),
      logical(sub, 1).map((f) => `${name}[${f}]`),
      fc.tuple(sub, fc.constantFrom(...subs)).chain(([f, [path, kind]]) => comparison(fc.constant(path), kind, shape.strings).map((c) => `${name}[${f}].${c}`)),
      fc.constant(`${name} pr`)
    )
  })
  return logical(fc.oneof({ weight: 3, arbitrary: plain }, { weight: 1, arbitrary: multi }), 3)
}

// ---------------------------------------------------------------------------------------------

/** Runs a property over random filter texts against the test's database; a refused filter fails it too. */
const forAll = (texts: fc.Arbitrary<string>, numRuns: number, property: (text: string) => Effect.Effect<void, Filter.InvalidScimFilter, SqlClient.SqlClient>) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<SqlClient.SqlClient>()
    const run = Runtime.runPromise(runtime)
    yield* Effect.promise(() =>
      fc.assert(fc.asyncProperty(texts, (text) => run(Effect.catchTag(property(text), "InvalidScimFilter", (e) => Effect.dieMessage(`${text}: ${e.reason}`)))), { numRuns })
    )
  })

const Fixture = Layer.effectDiscard(seed).pipe(Layer.provideMerge(TempDatabaseLive))

layer(Fixture, { timeout: "60 seconds" })("SCIM filters", (it) => {
  it.effect("random User filters: the SQL selects exactly the users the evaluator accepts", () =>
    forAll(filterText(USER_SHAPE), 200, (text) =>
      Effect.gen(function*() {
        const { users } = yield* resources
        assert.deepStrictEqual(yield* selected(text, Filter.USER_ATTRIBUTES), yield* accepted(text, users), text)
      })))

  it.effect("random Group filters: the SQL selects exactly the groups the evaluator accepts", () =>
    forAll(filterText(GROUP_SHAPE), 100, (text) =>
      Effect.gen(function*() {
        const { groups } = yield* resources
        assert.deepStrictEqual(yield* selected(text, Filter.GROUP_ATTRIBUTES), yield* accepted(text, groups), text)
      })))

  /** What the filter selects among the named users, in SQL and in the evaluator alike. */
  const namedUsers = (text: string) =>
    Effect.gen(function*() {
      const { users } = yield* resources
      const fromSql = (yield* selected(text, Filter.USER_ATTRIBUTES)).filter((id) => NAMED_IDS.has(id))
      assert.deepStrictEqual(fromSql, yield* accepted(text, users.filter((u) => NAMED_IDS.has(u.id))), `evaluator: ${text}`)
      return fromSql
    })

  const USER_EXAMPLES: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    // Okta and Entra look users up by userName: case-insensitive, the attribute's name too
    ["userName eq \"ada.lovelace@acme.test\"", ["ada"]],
    ["userName eq \"ADA.LOVELACE@acme.TEST\"", ["ada"]],
    ["USERNAME eq \"grace@ACME.test\"", ["grace"]],
    [`${Resources.USER_SCHEMA}:userName eq "grace@acme.test"`, ["grace"]],
    ["userName eq \"ada@acme.test\"", []],
    ["userName eq \"gone@acme.test\"", []],
    // Entra: externalId, exact case
    ["externalId eq \"00uAda1\"", ["ada"]],
    ["externalId eq \"00uada1\"", []],
    ["id eq \"ada\"", ["ada"]],
    ["id eq \"ADA\"", []],
    ["name.givenName ne \"ada\"", ["emile", "grace", "noemail", "percent"]],
    ["title co \"_\"", ["grace"]],
    ["userName co \"%_\"", ["percent"]],
    ["name.givenName sw \"100%\"", ["percent"]],
    ["name.familyName ew \"'BRIEN\"", ["percent"]],
    ["title eq \"back\\\\slash\"", ["percent"]],
    ["name.familyName eq \"O\\u0027Brien\"", ["percent"]],
    ["title gt \"cto\"", ["emile", "grace"]],
    ["title ge \"cto\"", ["ada", "emile", "grace"]],
    ["title lt \"d\"", ["ada", "percent"]],
    ["title le \"cto\"", ["ada", "percent"]],
    ["title pr", ["ada", "emile", "grace", "percent"]],
    ["not (title pr)", ["noemail"]],
    ["displayName eq \"ada lovelace\"", ["ada"]],
    // only ASCII letters fold, on both engines
    ["name.givenName eq \"ÉMILE\"", ["emile"]],
    ["name.givenName eq \"émile\"", []],
    // code-point order (UTF-8 bytes), not UTF-16's, in which U+E000 comes after an emoji's surrogates
    ["name.familyName gt \"\\uE000\"", ["emile"]],
    ["name.familyName lt \"\\uE000\"", ["ada", "grace", "noemail", "percent"]],
    ["emails[type eq \"work\"].value eq \"GRACE@acme.test\"", ["grace"]],
    ["emails[type eq \"work\" and value co \"100%\"]", ["percent"]],
    ["emails pr", ["ada", "emile", "grace", "percent"]],
    ["emails.value ne \"ada@acme.test\"", ["emile", "grace", "noemail", "percent"]],
    ["emails.primary eq true", ["ada", "emile", "grace", "percent"]],
    ["phoneNumbers[type eq \"work\"]", ["ada"]],
    [`${DEPARTMENT} eq "ENGINEERING"`, ["ada", "grace"]],
    [`${DEPARTMENT.toLowerCase()} co "&"`, ["percent"]],
    ["active eq true", ["ada", "emile", "noemail", "percent"]],
    ["active eq false", ["grace"]],
    ["active ne true", ["grace"]],
    ["meta.created gt \"2024-01-15T10:00:00Z\"", ["emile", "grace"]],
    ["meta.created ge \"2024-01-15T10:00:00Z\"", ["ada", "emile", "grace"]],
    ["meta.created lt \"2024-01-15T11:00:00+01:00\"", ["noemail", "percent"]],
    ["meta.lastModified eq \"2022-05-05T05:05:05.005Z\"", ["noemail"]],
    ["meta.lastModified gt \"2024-09-01T00:00:00Z\" and meta.created lt \"2024-03-02T00:00:00Z\"", ["grace"]],
    ["userName eq null", ["noemail"]],
    ["userName ne null", ["ada", "emile", "grace", "percent"]],
    ["name.givenName eq \"Ada\" or (active eq false and not (title eq \"cto\"))", ["ada", "grace"]]
  ]
  it.effect.each(USER_EXAMPLES)("users: %s", ([text, expected]) =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* namedUsers(text), sorted(expected))
    }))

  const GROUP_EXAMPLES: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["members[value eq \"ada\"]", ["admins"]],
    ["members[value eq \"ADA\"]", []],
    ["members.value eq \"grace\"", ["admins"]],
    // a deleted user is no member as far as SCIM is concerned
    ["members.value eq \"gone\"", []],
    ["members pr", ["admins"]],
    ["not (members pr)", ["empty", "ghosts"]],
    ["members.value ne \"ada\"", ["empty", "ghosts"]],
    // Entra checks a membership this way; a multi-valued attribute compared as a whole compares its value
    ["id eq \"admins\" and members[value eq \"grace\"]", ["admins"]],
    ["id eq \"admins\" and members eq \"grace\"", ["admins"]],
    ["members eq \"gone\"", []],
    ["displayName eq \"ADMINS\"", ["admins"]],
    ["displayName co \"%\"", ["ghosts"]],
    ["displayName co \"_\"", ["empty"]],
    ["externalId eq \"grp-1\"", ["admins"]],
    ["meta.created ge \"2024-02-01T00:00:00Z\" and meta.created lt \"2024-03-01T00:00:00Z\"", ["empty"]],
    ["meta.lastModified gt \"2024-03-15T00:00:00Z\" and meta.created lt \"2024-05-01T00:00:00Z\"", ["admins"]]
  ]
  it.effect.each(GROUP_EXAMPLES)("groups: %s", ([text, expected]) =>
    Effect.gen(function*() {
      const { groups } = yield* resources
      const names = new Set(NAMED_GROUPS.map((g) => g.id))
      const fromSql = (yield* selected(text, Filter.GROUP_ATTRIBUTES)).filter((id) => names.has(id))
      assert.deepStrictEqual(fromSql, sorted(expected))
      assert.deepStrictEqual(yield* accepted(text, groups.filter((g) => names.has(g.id))), sorted(expected))
    }))

  const INVALID: ReadonlyArray<readonly [string, Filter.ScimCatalogue, RegExp]> = [
    ["userName eq", Filter.USER_ATTRIBUTES, /not a SCIM filter/],
    ["userName eq \"x\" and", Filter.USER_ATTRIBUTES, /not a SCIM filter/],
    ["(userName eq \"x\"", Filter.USER_ATTRIBUTES, /not a SCIM filter/],
    ["userName equals \"x\"", Filter.USER_ATTRIBUTES, /not a SCIM filter/],
    ["   ", Filter.USER_ATTRIBUTES, /empty/],
    ["nickName eq \"x\"", Filter.USER_ATTRIBUTES, /nickName is no filterable attribute/],
    ["emails.display eq \"x\"", Filter.USER_ATTRIBUTES, /emails.display/],
    ["emails.display eq \"x\" or emails.type eq \"work\"", Filter.USER_ATTRIBUTES, /emails.display/],
    ["emails[display eq \"x\"]", Filter.USER_ATTRIBUTES, /display is no filterable attribute of emails/],
    ["emails[type eq \"work\" and phoneNumbers[type eq \"work\"]]", Filter.USER_ATTRIBUTES, /inside emails/],
    ["name[givenName eq \"x\"]", Filter.USER_ATTRIBUTES, /no multi-valued attribute/],
    ["members.value eq \"x\"", Filter.USER_ATTRIBUTES, /members.value is no filterable attribute/],
    ["active gt true", Filter.USER_ATTRIBUTES, /boolean/],
    ["active co \"t\"", Filter.USER_ATTRIBUTES, /boolean/],
    ["active eq \"true\"", Filter.USER_ATTRIBUTES, /true or false/],
    ["userName gt 5", Filter.USER_ATTRIBUTES, /string in quotes/],
    ["userName eq true", Filter.USER_ATTRIBUTES, /string in quotes/],
    ["userName lt null", Filter.USER_ATTRIBUTES, /only eq and ne/],
    ["meta.created gt \"yesterday\"", Filter.USER_ATTRIBUTES, /not a dateTime/],
    ["meta.created gt \"2024-02-30T00:00:00Z\"", Filter.USER_ATTRIBUTES, /not a dateTime/],
    ["meta.created gt \"2024-01-01T00:00:00.0001Z\"", Filter.USER_ATTRIBUTES, /millisecond/],
    ["meta.created co \"2024\"", Filter.USER_ATTRIBUTES, /dateTime/],
    ["userName eq \"a\\u0000b\"", Filter.USER_ATTRIBUTES, /NUL/],
    ["userName eq \"a\\qb\"", Filter.USER_ATTRIBUTES, /JSON string/],
    [`userName eq "${"a".repeat(Filter.MAX_FILTER_LENGTH)}"`, Filter.USER_ATTRIBUTES, /longer than/],
    [`${"(".repeat(Filter.MAX_FILTER_DEPTH + 1)}userName pr${")".repeat(Filter.MAX_FILTER_DEPTH + 1)}`, Filter.USER_ATTRIBUTES, /deeper/],
    [`${"not ".repeat(Filter.MAX_FILTER_DEPTH + 1)}userName pr`, Filter.USER_ATTRIBUTES, /deeper/],
    ["userName eq \"x\"", Filter.GROUP_ATTRIBUTES, /userName is no filterable attribute of a Group/],
    ["members.display eq \"x\"", Filter.GROUP_ATTRIBUTES, /members.display/]
  ]
  it.effect.each(INVALID)("refused: %s", ([text, catalogue, reason]) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(selected(text, catalogue))
      assert.strictEqual(error._tag, "InvalidScimFilter")
      assert.match(error.reason, reason)
      assert.strictEqual(Filter.InvalidScimFilter.httpStatus, 400)
      // the evaluator refuses exactly the same filters
      const { users, groups } = yield* resources
      const parsed = Filter.parseScimFilter(text)
      if (Either.isRight(parsed)) assert.isTrue(Either.isLeft(Filter.evaluateScimFilter(parsed.right, catalogue === Filter.USER_ATTRIBUTES ? users[0]! : groups[0]!)))
    }))

  it.effect("filters up to the limits are answered", () =>
    Effect.gen(function*() {
      const deep = Filter.MAX_FILTER_DEPTH
      const texts = [
        `${"not ".repeat(deep)}userName pr`,
        `${"(".repeat(deep)}userName pr${")".repeat(deep)}`,
        `userName eq "${"a".repeat(Filter.MAX_FILTER_LENGTH - 14)}"`
      ]
      assert.strictEqual(texts[2]!.length, Filter.MAX_FILTER_LENGTH)
      for (const text of texts) yield* selected(text, Filter.USER_ATTRIBUTES)
    }))

  it.effect("userName eq looks the account up through the index of migration 0014", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const condition = yield* Filter.scimFilterToSql(yield* Filter.parseScimFilter("userName eq \"Ada.Lovelace@acme.test\""), Filter.USER_ATTRIBUTES)
      const plan = yield* sql.onDialectOrElse({
        // a few dozen rows: PostgreSQL would rather scan them, unless told not to
        pg: () => sql.withTransaction(Effect.zipRight(sql`SET LOCAL enable_seqscan = off`, sql`EXPLAIN SELECT users.id FROM users WHERE ${condition}`)),
        orElse: () => sql`EXPLAIN QUERY PLAN SELECT users.id FROM users WHERE ${condition}`
      }).pipe(Effect.orDie)
      assert.match(JSON.stringify(plan), /users_user_name/)
    }))

  it.effect("a resource reads as RFC 7643 writes it", () =>
    Effect.gen(function*() {
      const { users, groups } = yield* resources
      assert.deepStrictEqual(users.find((u) => u.id === "ada"), {
        schemas: [Resources.USER_SCHEMA, Resources.ENTERPRISE_USER_SCHEMA],
        id: "ada",
        externalId: "00uAda1",
        userName: "Ada.Lovelace@Acme.Test",
        name: { givenName: "Ada", familyName: "Lovelace", formatted: "Ada Lovelace" },
        displayName: "Ada Lovelace",
        emails: [{ value: "ada@acme.test", type: "work", primary: true }],
        phoneNumbers: [{ value: "+441234567890", type: "work" }],
        title: "CTO",
        active: true,
        [Resources.ENTERPRISE_USER_SCHEMA]: { department: "Engineering" },
        meta: {
          resourceType: "User",
          created: "2024-01-15T10:00:00.000Z",
          lastModified: "2024-01-15T10:00:00.000Z",
          location: "https://usher.test/scim/v2/Users/ada",
          version: "W/\"1\""
        }
      })
      const noemail = users.find((u) => u.id === "noemail")!
      assert.deepStrictEqual([noemail.userName, noemail.emails, noemail.schemas], [undefined, undefined, [Resources.USER_SCHEMA]])
      assert.isFalse(users.find((u) => u.id === "grace")!.active)
      assert.isUndefined(users.find((u) => u.id === "gone"))
      const admins = groups.find((g) => g.id === "admins")!
      assert.deepStrictEqual(sorted(admins.members.map((m) => m.$ref)), ["https://usher.test/scim/v2/Users/ada", "https://usher.test/scim/v2/Users/grace"])
      assert.deepStrictEqual([admins.displayName, admins.externalId, admins.meta.location], ["Admins", "grp-1", "https://usher.test/scim/v2/Groups/admins"])
      assert.deepStrictEqual(groups.find((g) => g.id === "ghosts")!.members, [])
    }))
})
