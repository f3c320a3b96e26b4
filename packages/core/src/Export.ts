import { SqlClient } from "@effect/sql"
import { stringify } from "csv-stringify/sync"
import { Chunk, Effect, Option, Schema, Stream } from "effect"
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs"
import { readableOrgs, requireAt, type Actor } from "./Actor.js"
import type { NotInitialized, OrgNotFound, PermissionDenied } from "./Domain/Errors.js"
import * as Scope from "./Domain/Scope.js"
import type { UserStatus } from "./Domain/User.js"
import { COLUMNS } from "./Import/Csv.js"
import { orgOrDefault } from "./internal/lookup.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"

/** What `exportUsers` writes. */
export type ExportFormat = "csv" | "json"

/** Filters of an export. */
export interface ExportQuery {
  readonly status?: UserStatus
  readonly org?: string
}

/**
 * One exported user: the import file's columns. Roles are the user's own permanent grants as
 * `role@scope` (not what groups give, and not time-bound grants, which an import would make
 * permanent); groups are `org/name`; orgs are the organizations the user belongs to.
 */
export interface ExportRecord {
  readonly email: string
  readonly firstName: string
  readonly lastName: string
  readonly phone: string | null
  readonly gender: string | null
  readonly birthday: string | null
  readonly orgUnit: string | null
  readonly position: string | null
  /** slugs of the user's organizations */
  readonly orgs: ReadonlyArray<string>
  readonly roles: ReadonlyArray<string>
  readonly groups: ReadonlyArray<string>
}

/** The export file could not be written; nothing was left behind. */
export class FileUnwritable extends Schema.TaggedError<FileUnwritable>()("FileUnwritable", { path: Schema.String, reason: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `Cannot write ${this.path}: ${this.reason}.`
  }
}

/** Why an export cannot start. */
export type ExportError = PermissionDenied | OrgNotFound | NotInitialized

const PAGE = 1000

/** Which users the actor may export: `listUsers`' visibility, narrowed to one organization when asked. */
const visibility = (query: ExportQuery) =>
  Effect.gen(function*() {
    const org = query.org === undefined ? undefined : yield* orgOrDefault(query.org)
    const visible = yield* readableOrgs
    if (org !== undefined && visible !== "everywhere") yield* requireAt("users.read", Scope.org(org.slug))
    return { org: org?.id, readable: visible === "everywhere" || org !== undefined ? undefined : visible }
  })

interface Visible {
  readonly org: string | undefined
  readonly readable: ReadonlyArray<string> | undefined
}

interface PageRow {
  readonly id: string
  readonly email: string
  readonly firstName: string
  readonly lastName: string
  readonly phone: string | null
  readonly gender: string | null
  readonly birthday: string | null
  readonly orgUnit: string | null
  readonly position: string | null
}

/** The next page of users after `after` (by e-mail), with their roles and groups. */
const readPage = (visible: Visible, status: UserStatus | undefined, after: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const conditions = [
      sql`status <> 'deleted'`,
      sql`email > ${after}`,
      status !== undefined ? sql`status = ${status}` : undefined,
      visible.org !== undefined ? sql`id IN (SELECT user_id FROM memberships WHERE org_id = ${visible.org})` : undefined,
      visible.readable !== undefined ? sql`id IN (SELECT user_id FROM memberships WHERE ${sql.in("org_id", visible.readable)})` : undefined
    ].filter((c) => c !== undefined)
    const users = yield* sql<PageRow>`
      SELECT id, email, first_name, last_name, phone, gender, birthday, org_unit, position FROM users
       WHERE ${sql.and(conditions)} ORDER BY email LIMIT ${PAGE}`
    if (users.length === 0) return []
    const ids = users.map((u) => u.id)
    const grants = yield* sql<{ userId: string; label: string }>`
      SELECT g.principal_id AS user_id, r.name || '@' || g.scope AS label FROM grants g JOIN roles r ON r.id = g.role_id
       WHERE g.principal_type = 'user' AND g.expires_at IS NULL AND ${sql.in("g.principal_id", ids)} ORDER BY 2`
    const groups = yield* sql<{ userId: string; label: string }>`
      SELECT m.user_id, o.slug || '/' || ug.name AS label FROM group_members m
        JOIN user_groups ug ON ug.id = m.group_id JOIN organizations o ON o.id = ug.org_id
       WHERE ${sql.in("m.user_id", ids)} ORDER BY 2`
    const memberships = yield* sql<{ userId: string; slug: string }>`
      SELECT m.user_id, o.slug FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE ${sql.in("m.user_id", ids)} ORDER BY 2`
    const orgsOf = new Map<string, Array<string>>()
    for (const m of memberships) orgsOf.set(m.userId, [...(orgsOf.get(m.userId) ?? []), m.slug])
    const rolesOf = new Map<string, Array<string>>()
    for (const g of grants) rolesOf.set(g.userId, [...(rolesOf.get(g.userId) ?? []), g.label])
    const groupsOf = new Map<string, Array<string>>()
    for (const g of groups) groupsOf.set(g.userId, [...(groupsOf.get(g.userId) ?? []), g.label])
    return users.map(({ id, ...user }): ExportRecord => ({ ...user, orgs: orgsOf.get(id) ?? [], roles: rolesOf.get(id) ?? [], groups: groupsOf.get(id) ?? [] }))
  }).pipe(Effect.orDie)

/**
 * The users the actor may read (`users.read`, as `listUsers`), a page of up to 1000 at a time
 * in e-mail order, so a large directory never sits in memory at once.
 */
export const exportPages = (query: ExportQuery = {}): Stream.Stream<ReadonlyArray<ExportRecord>, ExportError, SqlClient.SqlClient | Actor> =>
  Stream.unwrap(Effect.map(visibility(query), (visible) =>
    Stream.paginateChunkEffect("", (after) =>
      Effect.map(readPage(visible, query.status, after), (page): readonly [Chunk.Chunk<ReadonlyArray<ExportRecord>>, Option.Option<string>] => {
        const last = page.at(-1)
        return [page.length === 0 ? Chunk.empty() : Chunk.of(page), page.length < PAGE || last === undefined ? Option.none() : Option.some(last.email)]
      }))))

/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula: such cells get a
 * leading `'`, which an import takes off again. Phones (E.164, validated) are only digits after
 * their `+`, so they stay as they are.
 */
const FORMULA = /^[=+\-@\t\r]/
const cellText = (value: string | null) => (value === null ? "" : FORMULA.test(value) ? `'${value}` : value)

const toCells = (r: ExportRecord) => [
  cellText(r.email), cellText(r.firstName), cellText(r.lastName), r.phone ?? "", cellText(r.gender), cellText(r.birthday),
  cellText(r.orgUnit), cellText(r.position), cellText(r.orgs.join(";")), cellText(r.roles.join(";")), cellText(r.groups.join(";"))
]

/** A piece of the export's text, and how many users it holds. */
export interface ExportChunk {
  readonly text: string
  readonly users: number
}

/** The export as text: CSV with the import file's header, or a JSON array of `ExportRecord`s. */
export const exportUsers = (query: ExportQuery = {}, format: ExportFormat = "csv"): Stream.Stream<ExportChunk, ExportError, SqlClient.SqlClient | Actor> => {
  const pages = exportPages(query)
  if (format === "csv") {
    return Stream.concat(
      Stream.make({ text: stringify([[...COLUMNS]], { record_delimiter: "unix" }), users: 0 }),
      Stream.map(pages, (page) => ({ text: stringify(page.map(toCells), { record_delimiter: "unix" }), users: page.length }))
    )
  }
  const records = Stream.mapAccum(pages, true, (first, page) => [
    false,
    { text: page.map((r, i) => `${first && i === 0 ? "" : ","}\n  ${JSON.stringify(r)}`).join(""), users: page.length }
  ] as const)
  return Stream.make({ text: "[", users: 0 }).pipe(Stream.concat(records), Stream.concat(Stream.make({ text: "\n]\n", users: 0 })))
}

/** How an export to a file went. */
export interface ExportWritten {
  readonly file: string
  readonly format: ExportFormat
  readonly users: number
}

/**
 * Writes the export to a file only its owner may read (it holds personal data), all or
 * nothing: it is written beside the target and renamed into place once complete.
 */
export const exportUsersToFile = (path: string, query: ExportQuery = {}, format: ExportFormat = "csv") =>
  Effect.gen(function*() {
    const temp = `${path}.${process.pid}.tmp`
    const unwritable = (error: unknown) =>
      new FileUnwritable({ path, reason: error instanceof Error ? error.message.replace(/^[A-Z]+: /, "").replace(/, open '.*'$/, "") : String(error) })
    const fd = yield* Effect.try({ try: () => openSync(temp, "w", 0o600), catch: unwritable })
    const users = yield* Stream.runFoldEffect(exportUsers(query, format), 0, (count, chunk) =>
      Effect.try({ try: () => (writeSync(fd, chunk.text), count + chunk.users), catch: unwritable })).pipe(
        Effect.ensuring(Effect.sync(() => closeSync(fd))),
        Effect.zipLeft(Effect.try({ try: () => renameSync(temp, path), catch: unwritable })),
        Effect.tapErrorCause(() => Effect.sync(() => rmSync(temp, { force: true })))
      )
    return { file: path, format, users } satisfies ExportWritten
  })
