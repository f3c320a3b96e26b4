/**
 * The check API's questions answered from memory: the directory's grant graph indexed
 * (`Domain/PermissionIndex.ts`) with the accounts, organizations and apps a question names, kept
 * per database while the change marker stays where it was. Any commit, by any process, moves the
 * marker, so the next question sees it; the index is rebuilt once, by one fiber, however many
 * questions arrive meanwhile. The answers and refusals are those of `ApiTokens.check` — the same
 * checks in the same order, on the same pure resolver — which a property test holds it to.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { Actor, now } from "./Actor.js"
import { type ApiToken, ApiTokenNotForThis, authenticateApiToken, USED_EVERY_MS } from "./ApiTokens.js"
import { loadDirectoryGraph, type WhyAnswer, whyAnswer } from "./Directory.js"
import { hashToken } from "./Domain/Credentials.js"
import { NotInitialized, UserNotFound } from "./Domain/Errors.js"
import { looksLikeId } from "./Domain/Ids.js"
import * as PermissionIndex from "./Domain/PermissionIndex.js"
import * as Permissions from "./Domain/Permissions.js"
import * as Scope from "./Domain/Scope.js"
import { normalizeEmail } from "./Domain/User.js"
import { changeMarker } from "./Views/Activity.js"

/** What a question is answered from. */
interface Snapshot {
  readonly marker: string
  readonly index: PermissionIndex.PermissionIndex
  readonly users: ReadonlyMap<string, { readonly email: string; readonly status: string; readonly scopes: ReadonlyArray<Scope.Scope> }>
  readonly byEmail: ReadonlyMap<string, string>
  /** the scopes that exist: every organization's and app's */
  readonly scopes: ReadonlySet<string>
  readonly defaultOrg: string | null
  /** the check tokens presented since the snapshot was made, by the hash of their secret (a valid one only) */
  readonly tokens: Map<string, ApiToken>
}

const load = (marker: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const graph = yield* loadDirectoryGraph
    const rows = yield* sql<{ id: string; email: string | null; status: string }>`SELECT id, email, status FROM users WHERE status <> 'deleted'`
    const members = yield* sql<{ userId: string; slug: string }>`SELECT m.user_id, o.slug FROM memberships m JOIN organizations o ON o.id = m.org_id ORDER BY o.slug`
    const orgs = yield* sql<{ slug: string }>`SELECT slug FROM organizations`
    const apps = yield* sql<{ slug: string }>`SELECT o.slug || '/' || a.slug AS slug FROM apps a JOIN organizations o ON o.id = a.org_id`
    const [fallback] = yield* sql<{ slug: string }>`SELECT o.slug FROM settings s JOIN organizations o ON o.id = s.value WHERE s.key = 'default_org'`
    const scopesOf = new Map<string, Array<Scope.Scope>>()
    for (const m of members) {
      const list = scopesOf.get(m.userId)
      if (list === undefined) scopesOf.set(m.userId, [Scope.org(m.slug)])
      else list.push(Scope.org(m.slug))
    }
    const users = new Map<string, { email: string; status: string; scopes: ReadonlyArray<Scope.Scope> }>()
    const byEmail = new Map<string, string>()
    for (const row of rows) {
      users.set(row.id, { email: row.email ?? "", status: row.status, scopes: scopesOf.get(row.id) ?? [Scope.provider] })
      if (row.email !== null) byEmail.set(row.email, row.id)
    }
    return {
      marker,
      index: PermissionIndex.build(graph),
      users,
      byEmail,
      scopes: new Set([...orgs.map((o) => `org:${o.slug}`), ...apps.map((a) => `app:${a.slug}`)]),
      defaultOrg: fallback?.slug ?? null,
      tokens: new Map()
    } satisfies Snapshot
  }).pipe(Effect.orDie)

/** Per database (its client), the snapshot last built and the one fiber allowed to build the next. */
const snapshots = new WeakMap<SqlClient.SqlClient, { current: Snapshot | undefined; readonly building: Effect.Semaphore }>()

const snapshot = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  let slot = snapshots.get(sql)
  if (slot === undefined) {
    slot = { current: undefined, building: yield* Effect.makeSemaphore(1) }
    snapshots.set(sql, slot)
  }
  const kept = slot
  const marker = yield* changeMarker
  if (kept.current?.marker === marker) return kept.current
  return yield* kept.building.withPermits(1)(Effect.gen(function*() {
    // another fiber may have built it while this one waited
    if (kept.current?.marker === marker) return kept.current
    kept.current = yield* load(marker)
    return kept.current
  }))
})

type Refusal = ApiTokenNotForThis | Scope.InvalidScope | Scope.ScopeNotFound | NotInitialized | Permissions.InvalidPermission | UserNotFound

/** Who asks: the token's owner (its subject from the index), and the organization the token is limited to. */
interface Asker {
  readonly reader: Permissions.Subject | undefined
  readonly org: string | null
}

/** One question against a snapshot, as `ApiTokens.check` answers it: the same checks in the same order. */
const answer = (s: Snapshot, asker: Asker, at: Date, question: CheckQuestion): Either.Either<WhyAnswer, Refusal> => {
  const org = asker.org
  const named = question.scope ?? (org === null ? undefined : `org:${org}`)
  if (named !== undefined) {
    const reached = Scope.parse(named.trim())
    if (Either.isLeft(reached)) return Either.left(reached.left)
    if (org !== null && !Scope.contains(Scope.org(org), reached.right)) return Either.left(new ApiTokenNotForThis({ reason: `it reaches only org:${org} and its apps` }))
  }
  let scope: Scope.Scope
  if (named === undefined) {
    if (s.defaultOrg === null) return Either.left(new NotInitialized())
    scope = Scope.org(s.defaultOrg)
  } else {
    const parsed = Scope.parse(named)
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    scope = parsed.right
    if (scope !== Scope.provider && !s.scopes.has(scope)) return Either.left(new Scope.ScopeNotFound({ scope }))
  }
  const permission = Permissions.parsePermission(question.permission)
  if (Either.isLeft(permission)) return Either.left(permission.left)
  const ref = question.user.trim()
  const id = looksLikeId(ref) ? ref.toLowerCase() : s.byEmail.get(Either.getOrElse(normalizeEmail(ref), () => ref.toLowerCase()))
  const user = id === undefined ? undefined : s.users.get(id)
  if (id === undefined || user === undefined) return Either.left(new UserNotFound({ user: question.user }))
  // the owner reads the account (`users.read` at provider or one of its organizations), else it is not there
  const reader = asker.reader
  if (reader !== undefined && !Permissions.has(reader, "users.read", Scope.provider, at) && !user.scopes.some((at2) => Permissions.has(reader, "users.read", at2, at))) {
    return Either.left(new UserNotFound({ user: user.email === "" ? id : user.email }))
  }
  return Either.right(whyAnswer(user, permission.right, scope, Permissions.why(s.index.subject(id), permission.right, scope, at)))
}

const askerOf = (s: Snapshot, actor: { readonly id: string; readonly token?: { readonly org: string | null } }): Asker => ({
  reader: actor.id === "system" ? undefined : s.index.subject(actor.id),
  org: actor.token?.org ?? null
})

/** A question of the check API. */
export interface CheckQuestion {
  readonly user: string
  readonly permission: string
  readonly scope?: string | undefined
}

/**
 * Answers the check API's questions as the acting token's owner, each on its own (an answer or
 * its typed refusal), from the snapshot of the directory as it is now.
 */
export const checkMany = (questions: ReadonlyArray<CheckQuestion>) =>
  Effect.gen(function*() {
    const actor = yield* Actor
    const s = yield* snapshot
    const asker = askerOf(s, actor)
    const at = yield* now
    return questions.map((question) => answer(s, asker, at, question))
  })

/** One question (`checkMany` of one). */
export const checkOne = (question: CheckQuestion) => Effect.flatMap(checkMany([question]), ([answered]) => Either.match(answered!, { onLeft: Effect.fail, onRight: Effect.succeed }))

/**
 * The check API's whole request in one pass: the presented secret authenticated for `check` —
 * from the snapshot's memory of it while the change marker stays (a revocation, an expiry, the
 * owner's suspension is audited and moves it; the time of use is still written once a minute) —
 * then the questions answered as its owner. For the front-end before anyone acts.
 */
export const checkWithSecret = (secret: string, questions: ReadonlyArray<CheckQuestion>) =>
  Effect.gen(function*() {
    const s = yield* snapshot
    const at = yield* now
    const hash = hashToken(secret.trim())
    let token = s.tokens.get(hash)
    const expired = token?.expiresAt != null && Date.parse(token.expiresAt) <= at.getTime()
    const stale = token !== undefined && (token.lastUsedAt === null || Date.parse(token.lastUsedAt) < at.getTime() - USED_EVERY_MS)
    if (token === undefined || expired || stale) {
      s.tokens.delete(hash)
      token = yield* authenticateApiToken(secret, "check")
      s.tokens.set(hash, token)
    }
    const asker = askerOf(s, { id: token.userId, token })
    return questions.map((question) => answer(s, asker, at, question))
  })
