import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, failsWithNothingWritten, initialized, system, withDatabase } from "./support.js"

describe("Reach", () => {
  it.live("item 6: a member of another organization cannot join an acme group", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta" }).pipe(system)
      yield* activeUser({ email: "carol@beta.test", org: "beta" })
      yield* Core.createGroup({ name: "helpers" }).pipe(system)
      const refused = yield* failsWithNothingWritten(Core.addGroupMembers("helpers", ["carol@beta.test"]).pipe(asUser(ADMIN)), "NotAMember")
      assert.deepStrictEqual([refused.user, refused.org], ["carol@beta.test", "acme"])
    })))
})
