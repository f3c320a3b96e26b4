/**
 * SCIM 2.0 Users (RFC 7644) as core use cases: the company's identity provider provisions the
 * accounts of the API token's organization, acting as the token's owner and never more. Each
 * operation goes through the same rules as a person's — permission and reach, the lifecycle
 * (`active:false` suspends with reason "SCIM", `active:true` reactivates), e-mail uniqueness —
 * and is one transaction with its audit rows (via `scim`, naming the token). Accounts the IdP
 * creates have no password: their people sign in through the IdP.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { scimPatch, type ScimPatchOperation } from "scim-patch"
import { Actor, now, requireAt, requireForAccount, requireReadable } from "../Actor.js"
import { record } from "../Audit.js"
import { CoreConfig } from "../CoreConfig.js"
import { ConcurrentModification, UserNotFound } from "../Domain/Errors.js"
import * as Scope from "../Domain/Scope.js"
import type { User } from "../Domain/User.js"
import { deleteUser } from "../Approvals.js"
import { findUser, orgOrDefault } from "../internal/lookup.js"
import { limitOffset } from "../internal/sqlText.js"
import { transaction } from "../internal/tx.js"
import { currentSettings } from "../Settings.js"
import { assertEmailFree, requireProfile, updateUser } from "../Users.js"
import { changeStatus, deleteNow, reactivateUser, suspendUser } from "../Users/Lifecycle.js"
import { insertUser, writeUser } from "../Users/UsersRepo.js"
import { asciiLower, parseScimFilter, scimFilterToSql, USER_ATTRIBUTES } from "./Filter.js"
import { decodeScimUser, ScimInvalidValue, type ScimUserFields, ScimUserNameTaken } from "./Input.js"
import { ScimUserRow, toScimUser, USER_COLUMNS, type ScimUser } from "./Resources.js"

/** The largest page a list answers (RFC 7644 lets the server cap `count`). */
export const MAX_SCIM_PAGE = 1_000
/** The page size when none is asked. */
export const DEFAULT_SCIM_PAGE = 100

/** The organization SCIM provisions: the token's, else the directory's default. */
export const scimOrganization = Effect.gen(function*() {
  const actor = yield* Actor
  return yield* orgOrDefault(actor.token?.org ?? undefined)
})

/** Where resources are addressed (`meta.location`). */
export const scimBaseUrl = Effect.map(Effect.serviceOption(CoreConfig), (config) => config._tag === "Some" ? config.value.publicUrl : "")

const decodeRow = Schema.decodeUnknownSync(ScimUserRow)

/** A user of the organization as SCIM shows it, or `UserNotFound` (an account elsewhere is not there for this IdP). */
const userRowIn = (orgId: string, id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql`SELECT ${sql.literal(USER_COLUMNS)} FROM users
      WHERE users.id = ${id.trim().toLowerCase()} AND users.status <> 'deleted'
        AND users.id IN (SELECT user_id FROM memberships WHERE org_id = ${orgId})`.pipe(Effect.orDie)
    return row === undefined ? yield* Effect.fail(new UserNotFound({ user: id })) : decodeRow(row)
  })

const resourceOf = (row: ScimUserRow) => Effect.map(scimBaseUrl, (base) => toScimUser(row, base))

const fromEither = <A, E>(either: Either.Either<A, E>) => Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/** Fails with `ScimUserNameTaken` when another account's `userName` (its SCIM name, else its e-mail) is this one, in any case. */
const assertUserNameFree = (userName: string, exceptId?: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: string }>`SELECT id FROM users
      WHERE lower(COALESCE(scim_user_name, email)) = ${asciiLower(userName)} AND status <> 'deleted'`.pipe(Effect.orDie)
    if (rows.some((r) => r.id !== exceptId)) return yield* Effect.fail(new ScimUserNameTaken({ userName }))
  })

/** A `W/"7"` or `"7"` ETag's version; anything else is a typed refusal. */
export const versionOfEtag = (etag: string) => {
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(etag)
  return match === null ? Effect.fail(new ScimInvalidValue({ reason: `If-Match ${etag.slice(0, 40)} is not an ETag usher gave` })) : Effect.succeed(Number(match[1]))
}

/** Fails with `ConcurrentModification` when `If-Match` names another version than the row's (`*`, or none: any). */
export const checkVersion = (entity: "user" | "group", row: { readonly id: string; readonly version: number }, ifMatch: string | undefined) =>
  Effect.gen(function*() {
    if (ifMatch === undefined || ifMatch.trim() === "*") return
    if ((yield* versionOfEtag(ifMatch)) !== row.version) return yield* Effect.fail(new ConcurrentModification({ entity, id: row.id }))
  })

/** Creates an account from a User resource, in the token's organization (needs `users.create` there). */
export const scimCreateUser = (resource: unknown) =>
  transaction(Effect.gen(function*() {
    const fields = yield* fromEither(decodeScimUser(resource))
    const org = yield* scimOrganization
    yield* requireAt("users.create", Scope.org(org.slug))
    const at = yield* now
    const profile = yield* requireProfile({ kind: "member", email: fields.email, firstName: fields.firstName, lastName: fields.lastName, phone: fields.phone, position: fields.position, orgUnit: fields.orgUnit }, at)
    yield* assertEmailFree(profile.email!)
    yield* assertUserNameFree(fields.userName)
    const id = yield* insertUser({ profile: { ...profile, email: profile.email! }, status: "provisioned", passwordHash: null, createdAt: at.toISOString() }, org.id)
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE users SET scim_user_name = ${fields.userName}, scim_external_id = ${fields.externalId} WHERE id = ${id}`.pipe(Effect.orDie)
    yield* record({
      action: "user.create",
      target: id,
      details: { email: profile.email, firstName: profile.firstName, lastName: profile.lastName, org: org.slug, status: "provisioned", userName: fields.userName, externalId: fields.externalId }
    })
    if (!fields.active) yield* changeStatus(yield* findUser(id), "suspend", { reason: "SCIM" })
    return yield* resourceOf(yield* userRowIn(org.id, id))
  }))

/** One user of the token's organization (needs `users.read` over them). */
export const scimGetUser = (id: string) =>
  Effect.gen(function*() {
    const org = yield* scimOrganization
    const row = yield* userRowIn(org.id, id)
    yield* requireReadable(row.id).pipe(Effect.mapError(() => new UserNotFound({ user: id })))
    return yield* resourceOf(row)
  })

/** A page of a list (RFC 7644 §3.4.2). */
export interface ScimPage<R> {
  readonly totalResults: number
  readonly startIndex: number
  readonly itemsPerPage: number
  readonly Resources: ReadonlyArray<R>
}

/** What a list asks: a filter's text, the 1-based index of the first result, how many. */
export interface ScimListQuery {
  readonly filter?: string
  readonly startIndex?: number
  readonly count?: number
}

/** A list's window, as RFC 7644 reads `startIndex` (below 1 is 1) and `count` (negative is 0), capped at `MAX_SCIM_PAGE`. */
export const pageOf = (query: ScimListQuery) => ({
  start: Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, Math.floor(query.startIndex ?? 1))),
  count: Math.min(MAX_SCIM_PAGE, Math.max(0, Math.floor(query.count ?? DEFAULT_SCIM_PAGE)))
})

/**
 * Where the next page of a list starts, remembered per (organization, filter, startIndex) as the
 * last row's number and the total, valid while the audit head stays where it was: every change to
 * who is listed or how is audited, so an unchanged head means the same list. An IdP reading
 * page after page (Okta's import) then pays one page per request, not the offset's whole prefix.
 */
const continuations = new Map<string, { readonly head: number; readonly after: number; readonly total: number }>()
const MAX_CONTINUATIONS = 1_000

const remember = (key: string, value: { readonly head: number; readonly after: number; readonly total: number }) => {
  continuations.delete(key)
  continuations.set(key, value)
  if (continuations.size > MAX_CONTINUATIONS) continuations.delete(continuations.keys().next().value!)
}

/**
 * The organization's users matching a filter, in a stable order (creation: the row number), a
 * page at a time; needs `users.read` at the organization.
 */
export const scimListUsers = (query: ScimListQuery = {}) =>
  Effect.gen(function*() {
    const org = yield* scimOrganization
    yield* requireAt("users.read", Scope.org(org.slug))
    const sql = yield* SqlClient.SqlClient
    const text = query.filter?.trim() ?? ""
    const filter = text === "" ? sql`1 = 1` : yield* scimFilterToSql(yield* fromEither(parseScimFilter(text)), USER_ATTRIBUTES)
    const { start, count } = pageOf(query)
    const where = sql`users.status <> 'deleted' AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = ${org.id}) AND ${filter}`
    const select = (after: number | undefined) =>
      after !== undefined
        ? sql<{ rowNumber: number }>`SELECT users.rowid AS row_number, ${sql.literal(USER_COLUMNS)} FROM users WHERE ${where} AND users.rowid > ${after}
            ORDER BY users.rowid ${limitOffset(sql, count)}`.pipe(Effect.orDie)
        : sql<{ rowNumber: number }>`SELECT users.rowid AS row_number, ${sql.literal(USER_COLUMNS)} FROM users WHERE ${where}
            ORDER BY users.rowid ${limitOffset(sql, count, start - 1)}`.pipe(Effect.orDie)
    // a first page that is not full is the whole answer: no count, no continuation (an IdP's `userName eq` lookup)
    const first = start === 1 && count > 0 ? yield* select(undefined) : undefined
    if (first !== undefined && first.length < count) return yield* userPage(first, first.length, start)
    const [head] = yield* sql<{ seq: number }>`SELECT seq FROM audit_head WHERE id = 1`.pipe(Effect.orDie)
    const headSeq = Number(head?.seq ?? 0)
    const key = `${org.id}\n${text}\n`
    const known = continuations.get(key + start)
    const usable = known !== undefined && known.head === headSeq ? known : undefined
    const total = usable?.total ?? Number((yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM users WHERE ${where}`.pipe(Effect.orDie))[0]?.n ?? 0)
    const rows = first ?? (count === 0 ? [] : yield* select(usable?.after))
    if (rows.length > 0) remember(key + (start + rows.length), { head: headSeq, after: Number(rows[rows.length - 1]!.rowNumber), total })
    return yield* userPage(rows, total, start)
  })

/** A page of users as SCIM lists them. */
const userPage = (rows: ReadonlyArray<unknown>, total: number, start: number) =>
  Effect.gen(function*() {
    const base = yield* scimBaseUrl
    const resources = rows.map((row) => toScimUser(decodeRow(row), base))
    return { totalResults: total, startIndex: start, itemsPerPage: resources.length, Resources: resources } satisfies ScimPage<ScimUser>
  })

/**
 * Makes a user what the resource says, through core's own use cases in one transaction: the
 * profile by `updateUser` (its permission, reach and e-mail rules), the SCIM names kept, then
 * the lifecycle when `active` changed.
 */
const applyFields = (row: ScimUserRow, fields: ScimUserFields) =>
  Effect.gen(function*() {
    const before = yield* findUser(row.id)
    yield* requireForAccount("users.update", before.id)
    if (asciiLower(fields.userName) !== asciiLower(row.scimUserName ?? row.email ?? "")) yield* assertUserNameFree(fields.userName, row.id)
    yield* updateUser(row.id, { email: fields.email, firstName: fields.firstName, lastName: fields.lastName, phone: fields.phone, position: fields.position, orgUnit: fields.orgUnit })
    if (fields.userName !== row.scimUserName || fields.externalId !== row.scimExternalId) {
      const current = yield* findUser(row.id)
      yield* writeUser(current, { scimUserName: fields.userName, scimExternalId: fields.externalId }, current.version)
      yield* record({
        action: "user.update",
        target: row.id,
        details: {
          ...(fields.userName === row.scimUserName ? {} : { userName: { from: row.scimUserName, to: fields.userName } }),
          ...(fields.externalId === row.scimExternalId ? {} : { externalId: { from: row.scimExternalId, to: fields.externalId } })
        }
      })
    }
    const wasActive = before.status !== "suspended"
    if (wasActive !== fields.active) yield* (fields.active ? reactivateUser : suspendUser)(row.id, { reason: "SCIM" })
  })

/** Replaces a user with a whole resource (PUT); `ifMatch`: the version the IdP saw. */
export const scimReplaceUser = (id: string, resource: unknown, ifMatch?: string) =>
  transaction(Effect.gen(function*() {
    const org = yield* scimOrganization
    const row = yield* userRowIn(org.id, id)
    yield* requireReadable(row.id).pipe(Effect.mapError(() => new UserNotFound({ user: id })))
    yield* checkVersion("user", row, ifMatch)
    yield* applyFields(row, yield* fromEither(decodeScimUser(resource)))
    return yield* resourceOf(yield* userRowIn(org.id, row.id))
  }))

/** A PATCH body's operations (RFC 7644 §3.5.2), checked for shape before they are applied. */
const PatchBody = Schema.Struct({
  Operations: Schema.Array(Schema.Struct({ op: Schema.String, path: Schema.optional(Schema.String), value: Schema.optional(Schema.Unknown) })).pipe(Schema.minItems(1), Schema.maxItems(1_000))
})

/** The operations, their `op` in the case scim-patch reads (Entra capitalises, Okta does not). */
export const patchOperations = (body: unknown) =>
  Effect.gen(function*() {
    const decoded = yield* Schema.decodeUnknown(PatchBody)(body).pipe(Effect.mapError(() => new ScimInvalidValue({ reason: "a PATCH needs Operations: [{op, path?, value?}]" })))
    const ops: Array<ScimPatchOperation> = []
    for (const operation of decoded.Operations) {
      const op = operation.op.toLowerCase()
      if (op !== "add" && op !== "replace" && op !== "remove") return yield* Effect.fail(new ScimInvalidValue({ reason: `unknown op ${operation.op.slice(0, 20)}; use add, replace or remove` }))
      if (op === "remove" && operation.path === undefined) return yield* Effect.fail(new ScimInvalidValue({ reason: "a remove needs a path" }))
      ops.push({ ...operation, op } as ScimPatchOperation)
    }
    return ops
  })

/**
 * A `remove` of values from a multi-valued attribute (Entra's `{op: "Remove", path: "members",
 * value: [{value: "…"}]}`): the elements whose `value` is one of them go. scim-patch compares
 * whole elements, which never match a member listed with its `display` and `$ref`.
 */
const removeByValue = (resource: Record<string, unknown>, op: ScimPatchOperation): boolean => {
  if (op.op !== "remove" || !Array.isArray(op.value) || op.path === undefined || !/^[A-Za-z$][\w$-]*$/.test(op.path)) return false
  const key = Object.keys(resource).find((k) => k.toLowerCase() === op.path!.toLowerCase())
  const values = new Set(op.value.map((v: unknown) => (v as { value?: unknown } | null)?.value).filter((v) => typeof v === "string"))
  if (key !== undefined && Array.isArray(resource[key])) {
    resource[key] = (resource[key] as Array<{ value?: unknown }>).filter((element) => !values.has(element?.value as string))
  }
  return true
}

/** Applies operations to a resource one by one with scim-patch; what it refuses is `ScimInvalidValue` with its words. */
export const applyPatch = <R extends { readonly meta: unknown; readonly schemas: ReadonlyArray<string> }>(resource: R, ops: ReadonlyArray<ScimPatchOperation>) =>
  Effect.try({
    try: () => {
      let current = structuredClone(resource) as unknown as Record<string, unknown>
      for (const op of ops) {
        if (!removeByValue(current, op)) current = scimPatch(current as never, [op], { mutateDocument: true, treatMissingAsAdd: true }) as unknown as Record<string, unknown>
      }
      return current as unknown as R
    },
    catch: (error) => new ScimInvalidValue({ reason: error instanceof Error ? error.message.slice(0, 200) : "the operations do not apply" })
  })

/**
 * Patches a user (PATCH): the operations are applied to the resource as the IdP sees it, and the
 * result is read and applied as a replacement would be, so Okta's and Entra's shapes (no-path
 * replaces, dotted keys, `"False"`) all end in the same checked fields.
 */
export const scimPatchUser = (id: string, body: unknown, ifMatch?: string) =>
  transaction(Effect.gen(function*() {
    const ops = yield* patchOperations(body)
    const org = yield* scimOrganization
    const row = yield* userRowIn(org.id, id)
    yield* requireReadable(row.id).pipe(Effect.mapError(() => new UserNotFound({ user: id })))
    yield* checkVersion("user", row, ifMatch)
    const patched = yield* applyPatch(yield* resourceOf(row), ops)
    yield* applyFields(row, yield* fromEither(decodeScimUser(patched)))
    return yield* resourceOf(yield* userRowIn(org.id, row.id))
  }))

/** What a SCIM DELETE did, by the setting `scim.delete`. */
export type ScimDeletion =
  | { readonly _tag: "Suspended" }
  | { readonly _tag: "Requested"; readonly approval: string }
  | { readonly _tag: "Deleted" }

/**
 * Deletes a user as the setting `scim.delete` says: `suspend` (the default: nothing is lost, an
 * admin deletes later), `request` (a deletion request someone else decides, as for a person), or
 * `delete` (at once: the admin who chose the setting is the second pair of eyes).
 */
export const scimDeleteUser = (id: string, ifMatch?: string) =>
  transaction(Effect.gen(function*() {
    const org = yield* scimOrganization
    const row = yield* userRowIn(org.id, id)
    yield* requireReadable(row.id).pipe(Effect.mapError(() => new UserNotFound({ user: id })))
    yield* checkVersion("user", row, ifMatch)
    const user: User = yield* findUser(row.id)
    const mode = (yield* currentSettings)["scim.delete"]
    if (mode === "suspend") {
      // already suspended: nothing to do, but only for someone who could have done it
      if (user.status === "suspended") yield* requireForAccount("users.suspend", user.id)
      else yield* suspendUser(user.id, { reason: "SCIM" })
      return { _tag: "Suspended" } satisfies ScimDeletion
    }
    if (mode === "request") {
      const requested = yield* deleteUser(user.id, { reason: "SCIM" })
      return { _tag: "Requested", approval: requested.approval.id } satisfies ScimDeletion
    }
    yield* deleteNow(user.id, "SCIM")
    return { _tag: "Deleted" } satisfies ScimDeletion
  }))
