/**
 * API tokens for programs: created by a person for themselves, shown once, kept only as a SHA-256
 * hash. A token acts as its owner and never more: whatever it is used for goes through the same
 * permission, delegation and reach checks as its owner's own actions, and a suspended or deleted
 * owner's tokens stop at once. `only` limits a token to one surface (`check`, `scim`, `admin`),
 * `org` to one organization's scope.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { randomBytes } from "node:crypto"
import { Actor, now, requireForAccount, requireReadable } from "./Actor.js"
import { record } from "./Audit.js"
import { hashToken } from "./Domain/Credentials.js"
import { ActorUnknown, InvalidInput } from "./Domain/Errors.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"
import { newId, type UserId } from "./Domain/Ids.js"
import { checkKind, parseIsoInstant } from "./Domain/Input.js"
import * as Scope from "./Domain/Scope.js"
import { why } from "./Directory.js"
import { findUser, orgOrDefault, scopeOrDefault } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"

/** What a token may be limited to: the permission-check API, SCIM, or the REST admin API. */
export const TOKEN_SURFACES = ["check", "scim", "admin"] as const
export type TokenSurface = (typeof TOKEN_SURFACES)[number]

/** The prefix of every token's secret, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = "usher_pat_"

/** No token with that id (or none the actor may see). */
export class ApiTokenNotFound extends Schema.TaggedError<ApiTokenNotFound>()("ApiTokenNotFound", { id: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No API token ${this.id}.`
  }
}

/** A presented secret that acts as nobody: unknown, revoked, expired, or its owner not active. */
export class ApiTokenRejected extends Schema.TaggedError<ApiTokenRejected>()("ApiTokenRejected", {}) {
  static readonly httpStatus = 401 satisfies HttpStatus
  override get message() {
    return "The API token is not valid: it is unknown, revoked or expired, or its owner may not sign in."
  }
}

/** A valid token used for what it is not for: another surface than its `only`, or a scope outside its organization. */
export class ApiTokenNotForThis extends Schema.TaggedError<ApiTokenNotForThis>()("ApiTokenNotForThis", { reason: Schema.String }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `This API token may not be used here: ${this.reason}.`
  }
}

/** A token as its owner and admins see it (never its secret). */
export interface ApiToken {
  readonly id: string
  readonly name: string
  readonly userId: UserId
  readonly user: string
  readonly only: TokenSurface | null
  readonly org: string | null
  readonly createdAt: string
  readonly expiresAt: string | null
  readonly lastUsedAt: string | null
  readonly revokedAt: string | null
  /** `active`, `expired` or `revoked`, as of the read */
  readonly state: "active" | "expired" | "revoked"
}

/** What `createApiToken` takes. */
export interface CreateApiTokenInput {
  readonly name: string
  /** ISO 8601; none: the token does not expire */
  readonly expires?: string
  readonly only?: string
  /** an organization's slug: the token counts only at that organization's scope */
  readonly org?: string
}

interface TokenRow {
  readonly id: string
  readonly name: string
  readonly userId: UserId
  readonly user: string
  readonly status: string
  readonly onlyFor: string | null
  readonly org: string | null
  readonly createdAt: string
  readonly expiresAt: string | null
  readonly lastUsedAt: string | null
  readonly revokedAt: string | null
}

const SELECT = `SELECT t.id, t.name, t.user_id, u.email AS "user", u.status, t.only_for, o.slug AS org,
  t.created_at, t.expires_at, t.last_used_at, t.revoked_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organizations o ON o.id = t.org_id`

const toToken = (row: TokenRow, at: Date): ApiToken => ({
  id: row.id,
  name: row.name,
  userId: row.userId,
  user: row.user,
  only: row.onlyFor as TokenSurface | null,
  org: row.org,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
  state: row.revokedAt !== null ? "revoked" : row.expiresAt !== null && Date.parse(row.expiresAt) <= at.getTime() ? "expired" : "active"
})

const tokenById = (id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<TokenRow>`${sql.literal(SELECT)} WHERE t.id = ${id}`.pipe(Effect.orDie)
    return row === undefined ? undefined : toToken(row, yield* now)
  })

/** The acting person's own id; the system has no tokens. */
const owner = Effect.flatMap(Actor, (actor) =>
  actor.id === "system" ? Effect.fail(new ActorUnknown({ reason: "Only a user can own API tokens." })) : Effect.succeed(actor.id))

const decode = <A, E>(either: Either.Either<A, E>) => Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/**
 * Creates a token for the acting user. The secret is returned once (`usher_pat_…`, 256 random
 * bits) and only its hash is stored; the audit row names the token, never the secret.
 */
export const createApiToken = (input: CreateApiTokenInput) =>
  transaction(Effect.gen(function*() {
    const userId = yield* owner
    const at = yield* now
    const name = (yield* decode(checkKind("name", "name", input.name))).trim()
    if (name === "") return yield* Effect.fail(new InvalidInput({ field: "name", reason: "give the token a name saying what uses it" }))
    const only = input.only === undefined ? null : input.only.trim()
    if (only !== null && !(TOKEN_SURFACES as ReadonlyArray<string>).includes(only)) {
      return yield* Effect.fail(new InvalidInput({ field: "only", reason: `one of ${TOKEN_SURFACES.join(", ")}` }))
    }
    const expires = input.expires === undefined ? null : yield* decode(parseIsoInstant("expires", input.expires))
    if (expires !== null && expires.getTime() <= at.getTime()) return yield* Effect.fail(new InvalidInput({ field: "expires", reason: "a time in the future" }))
    const org = input.org === undefined ? null : yield* orgOrDefault(input.org)
    const user = yield* findUser(userId)
    const secret = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`
    const id = newId()
    const sql = yield* SqlClient.SqlClient
    yield* sql`INSERT INTO api_tokens ${
      sql.insert({
        id,
        userId,
        name,
        tokenHash: hashToken(secret),
        onlyFor: only,
        orgId: org?.id ?? null,
        createdBy: userId,
        createdAt: at.toISOString(),
        expiresAt: expires?.toISOString() ?? null
      })
    }`.pipe(Effect.orDie)
    yield* record({
      action: "token.create",
      target: userId,
      details: { email: user.email, token: id, name, only, org: org?.slug ?? null, expires: expires?.toISOString() ?? null }
    })
    return { token: (yield* tokenById(id))!, secret }
  }))

/** The acting user's tokens, or (with `users.read` over them) another user's, newest first. */
export const listApiTokens = (ref?: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const userId = ref === undefined ? yield* owner : (yield* findUser(ref)).id
    if (ref !== undefined) yield* requireReadable(userId)
    const rows = yield* sql<TokenRow>`${sql.literal(SELECT)} WHERE t.user_id = ${userId} ORDER BY t.created_at DESC, t.id`.pipe(Effect.orDie)
    return rows.map((row) => toToken(row, at))
  })

/**
 * Revokes a token at once: one's own, or another user's with `users.sessions.revoke` over them
 * (and them within reach), as ending their sessions needs. A revoked token stays listed.
 */
export const revokeApiToken = (id: string) =>
  transaction(Effect.gen(function*() {
    const actor = yield* Actor
    const wanted = id.trim()
    const token = yield* tokenById(wanted)
    if (token === undefined) return yield* Effect.fail(new ApiTokenNotFound({ id: wanted }))
    if (token.userId !== actor.id) {
      // someone else's token the actor may not see answers as a missing one
      yield* requireReadable(token.userId).pipe(Effect.mapError(() => new ApiTokenNotFound({ id: wanted })))
      yield* requireForAccount("users.sessions.revoke", token.userId)
    }
    if (token.revokedAt !== null) return token
    const at = (yield* now).toISOString()
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE api_tokens SET revoked_at = ${at} WHERE id = ${token.id}`.pipe(Effect.orDie)
    yield* record({ action: "token.revoke", target: token.userId, details: { email: token.user, token: token.id, name: token.name } })
    return (yield* tokenById(token.id))!
  }))

/** A token is marked used at most once a minute: every API call would otherwise be a write. */
export const USED_EVERY_MS = 60_000

/**
 * Who a presented secret acts as: an active, unexpired, unrevoked token of an active user, else
 * `ApiTokenRejected` (the same answer whatever was wrong); and `ApiTokenNotForThis` when it is
 * limited to another surface than the one it is presented to. For front-ends before they act.
 */
export const authenticateApiToken = (secret: string, surface: TokenSurface) =>
  Effect.flatMap(authenticate(secret), (token) =>
    token.only === null || token.only === surface
      ? Effect.succeed(token)
      : Effect.fail(new ApiTokenNotForThis({ reason: `it is limited to the ${token.only} API` })))

const authenticate = (secret: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const presented = secret.trim()
    if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 200) return yield* Effect.fail(new ApiTokenRejected())
    const [row] = yield* sql<TokenRow>`${sql.literal(SELECT)} WHERE t.token_hash = ${hashToken(presented)}`.pipe(Effect.orDie)
    if (row === undefined || row.status !== "active") return yield* Effect.fail(new ApiTokenRejected())
    const token = toToken(row, at)
    if (token.state !== "active") return yield* Effect.fail(new ApiTokenRejected())
    if (token.lastUsedAt === null || Date.parse(token.lastUsedAt) < at.getTime() - USED_EVERY_MS) {
      yield* transaction(sql`UPDATE api_tokens SET last_used_at = ${at.toISOString()} WHERE id = ${token.id}`).pipe(Effect.orDie)
      return { ...token, lastUsedAt: at.toISOString() }
    }
    return token
  })

/**
 * Runs a use case as a token's owner through a program's front-end (`api` or `scim`): the audit
 * rows name the token, and a token limited to an organization reaches only that organization.
 */
export const asToken = (token: ApiToken, via: "api" | "scim") =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, Actor>> =>
  Effect.provideService(effect, Actor, { id: token.userId, via, token: { id: token.id, name: token.name, org: token.org } })

/** Fails unless the acting token (if any) may reach `scope`: a token limited to an organization reaches its scope and its apps'. */
export const requireTokenReach = (scope: Scope.Scope) =>
  Effect.flatMap(Actor, (actor) => {
    const org = actor.token?.org ?? null
    return org === null || Scope.contains(Scope.org(org), scope)
      ? Effect.void
      : Effect.fail(new ApiTokenNotForThis({ reason: `it reaches only org:${org} and its apps` }))
  })

/** One question of the check API: `why`'s answer, at the token's organization when no scope is named. */
export const check = (userRef: string, permission: string, scopeText?: string) =>
  Effect.gen(function*() {
    const actor = yield* Actor
    const org = actor.token?.org ?? null
    const named = scopeText ?? (org === null ? undefined : `org:${org}`)
    // reach before existence: a token limited to one organization learns nothing of another's apps
    if (named !== undefined) yield* requireTokenReach(yield* decode(Scope.parse(named.trim())))
    return yield* why(userRef, permission, yield* scopeOrDefault(named))
  })
