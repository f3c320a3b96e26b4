/**
 * The check API's index against core's own `check`: for random questions — accounts by e-mail,
 * id, in odd case or unknown; permissions of the catalog, of apps, malformed; every kind of scope,
 * missing, malformed or unknown — asked through tokens with and without an organization, by
 * owners of different rights, between random changes to the directory (grants, revocations,
 * suspensions, groups, expiring grants passing their time), `checkMany` answers exactly what
 * `check` answers: the same verdict and paths, or the same refusal in the same words.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Runtime, TestClock } from "effect"
import fc from "fast-check"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, system, twoOrganizations, withDatabase } from "./support.js"

const USERS = [ADMIN, "olga@acme.test", "bob@acme.test", "una@other.test", "cat@acme.test"] as const
const PERMISSIONS = ["users.read", "users.delete", "audit.read", "roles.assign", "crm.edit", "crm.view", "not a permission", "users.nope"] as const
const SCOPES = [undefined, "provider", "org:acme", "org:other", "app:acme/crm", "app:acme/none", "org:nowhere", "not a scope", " org:acme "] as const

const question = fc.record({
  user: fc.oneof(fc.constantFrom<string>(...USERS), fc.constantFrom("OLGA@ACME.TEST", " bob@acme.test ", "ghost@acme.test", "00000000-0000-7000-8000-000000000000")),
  permission: fc.constantFrom<string>(...PERMISSIONS),
  scope: fc.constantFrom(...SCOPES)
})

/** A change between batches: what moves the marker and what the index must see. */
const change = fc.oneof(
  fc.record({ grant: fc.constantFrom("auditor", "approver", "crm-viewer"), to: fc.constantFrom("bob@acme.test", "cat@acme.test"), scope: fc.constantFrom("org:acme", "app:acme/crm") }),
  fc.record({ revoke: fc.constantFrom("auditor", "approver", "crm-viewer"), from: fc.constantFrom("bob@acme.test", "cat@acme.test"), scope: fc.constantFrom("org:acme", "app:acme/crm") }),
  fc.record({ suspend: fc.constantFrom("bob@acme.test", "cat@acme.test") }),
  fc.record({ reactivate: fc.constantFrom("bob@acme.test", "cat@acme.test") }),
  fc.record({ join: fc.constantFrom("bob@acme.test", "cat@acme.test") }),
  fc.record({ later: fc.constantFrom(30, 120) })
)

const outcome = (either: Either.Either<Core.WhyAnswer, { readonly _tag: string; readonly message: string }>) =>
  Either.match(either, {
    onRight: (why) => ({ ...why, paths: [...why.paths].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }),
    onLeft: (error) => ({ error: error._tag, message: error.message })
  })

/** Carries out a change; one the directory refuses (revoking what is not held, suspending twice) changes nothing. */
const apply = (step: typeof change extends fc.Arbitrary<infer C> ? C : never): Effect.Effect<unknown, unknown, Core.CoreServices> => {
  if ("grant" in step) return Core.grantRole({ role: step.grant, to: { user: step.to }, scope: step.scope }).pipe(asUser(ADMIN))
  if ("revoke" in step) return Core.revokeRole({ role: step.revoke, from: { user: step.from }, scope: step.scope }).pipe(asUser(ADMIN))
  if ("suspend" in step) return Core.suspendUser(step.suspend).pipe(asUser(ADMIN))
  if ("reactivate" in step) return Core.reactivateUser(step.reactivate).pipe(asUser(ADMIN))
  if ("join" in step) return Core.addGroupMembers("crm-team", [step.join]).pipe(asUser(ADMIN))
  return TestClock.adjust(`${step.later} minutes`)
}

describe("the check index", () => {
  it.effect("answers every question as core's check does, before and after every change", () =>
    withDatabase(Effect.gen(function*() {
      yield* twoOrganizations
      yield* activeUser({ email: "cat@acme.test" })
      yield* Core.createApp("acme/crm").pipe(system)
      yield* Core.createRole({ name: "crm-viewer", permissions: ["crm.view"] }).pipe(system)
      yield* Core.createRole({ name: "crm-editor", permissions: ["crm.edit", "crm.view"] }).pipe(system)
      yield* Core.createGroup({ name: "crm-team" }).pipe(system)
      yield* Core.grantRole({ role: "crm-editor", to: { group: "crm-team" }, scope: "app:acme/crm" }).pipe(system)
      const inAnHour = new Date((yield* TestClock.currentTimeMillis) + 60 * 60_000).toISOString()
      yield* Core.grantRole({ role: "crm-viewer", to: { user: "bob@acme.test" }, scope: "app:acme/crm", expiresAt: inAnHour }).pipe(system)
      const tokens: Array<Core.ApiToken> = []
      for (const [owner, org] of [[ADMIN, undefined], ["olga@acme.test", "acme"], ["bob@acme.test", undefined], ["una@other.test", "other"]] as const) {
        const { secret } = yield* Core.createApiToken({ name: `${owner} checks`, only: "check", ...(org === undefined ? {} : { org }) }).pipe(asUser(owner))
        tokens.push(yield* Core.Jobs.authenticateApiToken(secret, "check").pipe(Core.Jobs.asSystem("api")))
      }
      const runtime = yield* Effect.runtime<Core.CoreServices>()
      const seen = new Set<string>()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.array(fc.tuple(fc.array(question, { minLength: 1, maxLength: 8 }), change), { minLength: 1, maxLength: 4 }), fc.nat({ max: tokens.length - 1 }), (rounds, t) =>
            Runtime.runPromise(runtime)(Effect.gen(function*() {
              for (const [questions, step] of rounds) {
                const token = tokens[t]!
                const fast = yield* Core.checkMany(questions).pipe(Core.asToken(token, "api"))
                for (const [i, q] of questions.entries()) {
                  const slow = yield* Effect.either(Core.check(q.user, q.permission, q.scope).pipe(Core.asToken(token, "api")))
                  assert.deepStrictEqual(outcome(fast[i]!), outcome(slow), JSON.stringify({ question: q, token: token.name }))
                  seen.add(Either.match(slow, { onRight: (why) => `allowed:${why.allowed}`, onLeft: (error) => error._tag }))
                }
                yield* Effect.either(apply(step))
              }
            }))
          ),
          { numRuns: 60 }
        ))
      // the questions reached every kind of answer
      assert.deepStrictEqual([...seen].sort(), ["ApiTokenNotForThis", "InvalidPermission", "InvalidScope", "ScopeNotFound", "UserNotFound", "allowed:false", "allowed:true"])
    })))

  it.effect("the request path remembers a token only while nothing changes: a revocation, the owner's suspension, an expiry stop it on the next call", () =>
    withDatabase(Effect.gen(function*() {
      yield* twoOrganizations
      const ask = (secret: string) => Core.Jobs.checkWithSecret(secret, [{ user: "bob@acme.test", permission: "audit.read", scope: "org:acme" }]).pipe(Core.Jobs.asSystem("api"), Effect.either)
      const tag = (e: Either.Either<unknown, { readonly _tag: string }>) => Either.match(e, { onLeft: (error) => error._tag, onRight: () => "answered" })
      const made = (input: Core.CreateApiTokenInput, owner = "olga@acme.test") => Core.createApiToken(input).pipe(asUser(owner), Effect.map((t) => t.secret))

      const revoked = yield* made({ name: "revoked", only: "check" })
      assert.strictEqual(tag(yield* ask(revoked)), "answered")
      const [listed] = yield* Core.listApiTokens().pipe(asUser("olga@acme.test"))
      yield* Core.revokeApiToken(listed!.id).pipe(asUser("olga@acme.test"))
      assert.strictEqual(tag(yield* ask(revoked)), "ApiTokenRejected")

      const expiring = yield* made({ name: "expiring", only: "check", expires: new Date((yield* TestClock.currentTimeMillis) + 30_000).toISOString() })
      assert.strictEqual(tag(yield* ask(expiring)), "answered")
      yield* TestClock.adjust("31 seconds")
      assert.strictEqual(tag(yield* ask(expiring)), "ApiTokenRejected")

      const owners = yield* made({ name: "owner's", only: "check" })
      assert.strictEqual(tag(yield* ask(owners)), "answered")
      yield* Core.suspendUser("olga@acme.test").pipe(asUser(ADMIN))
      assert.strictEqual(tag(yield* ask(owners)), "ApiTokenRejected")
      yield* Core.reactivateUser("olga@acme.test").pipe(asUser(ADMIN))

      // only for the check API; a wrong secret is refused the same way whether or not one was remembered
      assert.strictEqual(tag(yield* ask(yield* made({ name: "scim", only: "scim" }))), "ApiTokenNotForThis")
      assert.strictEqual(tag(yield* ask(`${owners}x`)), "ApiTokenRejected")
      // the time of use is still written, once a minute
      const used = () => Core.listApiTokens().pipe(asUser("olga@acme.test"), Effect.map((ts) => ts.find((t) => t.name === "owner's")!.lastUsedAt))
      const first = yield* used()
      yield* TestClock.adjust("2 minutes")
      assert.strictEqual(tag(yield* ask(owners)), "answered")
      assert.notStrictEqual(yield* used(), first)
    })))
})
