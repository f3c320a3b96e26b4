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
import { ApiTokenNotForThis } from "./ApiTokens.js"
import { loadDirectoryGraph, whyAnswer } from "./Directory.js"
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
      defaultOrg: fallback?.slug ?? null
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

const fromEither = <A, E>(either: Either.Either<A, E>) => Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/** One question against a snapshot, as `ApiTokens.check` answers it. */
const answer = (s: Snapshot, actor: { readonly id: string; readonly token?: { readonly org: string | null } }, at: Date, question: CheckQuestion) =>
  Effect.gen(function*() {
    const org = actor.token?.org ?? null
    const named = question.scope ?? (org === null ? undefined : `org:${org}`)
    if (named !== undefined) {
      const scope = yield* fromEither(Scope.parse(named.trim()))
      if (org !== null && !Scope.contains(Scope.org(org), scope)) return yield* Effect.fail(new ApiTokenNotForThis({ reason: `it reaches only org:${org} and its apps` }))
    }
    let scope: Scope.Scope
    if (named === undefined) {
      if (s.defaultOrg === null) return yield* Effect.fail(new NotInitialized())
      scope = Scope.org(s.defaultOrg)
    } else {
      scope = yield* fromEither(Scope.parse(named))
      if (scope !== Scope.provider && !s.scopes.has(scope)) return yield* Effect.fail(new Scope.ScopeNotFound({ scope }))
    }
    const permission = yield* fromEither(Permissions.parsePermission(question.permission))
    const ref = question.user.trim()
    const id = looksLikeId(ref) ? ref.toLowerCase() : s.byEmail.get(Either.getOrElse(normalizeEmail(ref), () => ref.toLowerCase()))
    const user = id === undefined ? undefined : s.users.get(id)
    if (id === undefined || user === undefined) return yield* Effect.fail(new UserNotFound({ user: question.user }))
    // the owner reads the account (`users.read` at provider or one of its organizations), else it is not there
    const reader = actor.id === "system" ? undefined : s.index.subject(actor.id)
    if (reader !== undefined && ![Scope.provider, ...user.scopes].some((at2) => Permissions.has(reader, "users.read", at2, at))) {
      return yield* Effect.fail(new UserNotFound({ user: user.email === "" ? id : user.email }))
    }
    return whyAnswer(user, permission, scope, Permissions.why(s.index.subject(id), permission, scope, at))
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
    const at = yield* now
    return yield* Effect.forEach(questions, (question) => Effect.either(answer(s, actor, at, question)))
  })

/** One question (`checkMany` of one). */
export const checkOne = (question: CheckQuestion) =>
  Effect.flatMap(Actor, (actor) => Effect.flatMap(snapshot, (s) => Effect.flatMap(now, (at) => answer(s, actor, at, question))))
