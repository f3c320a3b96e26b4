import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import { ADMIN, asUser, failsWith, system, twoOrganizations, withDatabase } from "./support.js"

const directory = Effect.gen(function*() {
  yield* twoOrganizations
  yield* Core.createApp("acme/wiki").pipe(system)
  yield* Core.createGroup({ name: "ops" }).pipe(system)
  yield* Core.addGroupMembers("ops", ["bob@acme.test"]).pipe(system)
  yield* Core.grantRole({ role: "approver", to: { group: "acme/ops" }, scope: "org:acme" }).pipe(system)
})

const holders = (answer: Core.WhoCanAnswer) => answer.holders.map((h) => h.user)

describe("who can", () => {
  it.live("lists everyone holding a permission at a scope with each path, direct and through a group, an organization's grant counting at its apps", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const answer = yield* Core.whoCan("audit.read", "app:acme/wiki").pipe(asUser(ADMIN))
      assert.deepStrictEqual([answer.permission, answer.scope], ["audit.read", "app:acme/wiki"])
      assert.includeMembers(holders(answer), [ADMIN, "bob@acme.test", "olga@acme.test"])
      assert.notInclude(holders(answer), "una@other.test")
      const bob = answer.holders.find((h) => h.user === "bob@acme.test")!
      assert.sameDeepMembers(bob.paths.map((p) => `${p.role}@${p.scope}${p.group === null ? "" : ` via ${p.group}`}`), [
        "auditor@org:acme",
        "approver@org:acme via acme/ops"
      ])
      // the answer agrees with why, holder by holder
      for (const holder of answer.holders) {
        const why = yield* Core.why(holder.user, "audit.read", "app:acme/wiki").pipe(asUser(ADMIN))
        assert.isTrue(why.allowed)
        assert.sameDeepMembers([...why.paths], [...holder.paths])
      }
      // at another organization's scope, acme's grants give nothing
      assert.deepStrictEqual(holders(yield* Core.whoCan("approvals.decide", "org:other").pipe(asUser(ADMIN))), [ADMIN])
    })))

  it.live("a suspended account holds nothing; the answer covers only the accounts the actor may read; without users.read it is refused", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.suspendUser("bob@acme.test").pipe(asUser(ADMIN))
      assert.notInclude(holders(yield* Core.whoCan("audit.read", "org:acme").pipe(asUser(ADMIN))), "bob@acme.test")
      yield* Core.reactivateUser("bob@acme.test").pipe(asUser(ADMIN))
      // olga reads acme's members only: the provider admin is one of them, una is not
      const olgas = holders(yield* Core.whoCan("users.read", "provider").pipe(asUser("olga@acme.test")))
      assert.include(olgas, ADMIN)
      assert.notInclude(olgas, "una@other.test")
      yield* failsWith(Core.whoCan("audit.read").pipe(asUser("una@other.test")), "PermissionDenied")
      yield* failsWith(Core.whoCan("no such permission").pipe(asUser(ADMIN)), "InvalidPermission")
      yield* failsWith(Core.whoCan("audit.read", "org:nowhere").pipe(asUser(ADMIN)), "ScopeNotFound")
    })))
})
