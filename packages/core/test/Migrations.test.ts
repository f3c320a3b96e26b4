import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import { withDatabase } from "./support.js"

describe("migrations (usher db migrate)", () => {
  it.live("a new directory has run every migration once, in order, on the engine the tests run on", () =>
    withDatabase(Effect.gen(function*() {
      const applied = yield* Core.Jobs.appliedMigrations.pipe(Core.Jobs.asSystem("cli"))
      assert.deepStrictEqual(applied.map((m) => m.id), Array.from({ length: applied.length }, (_, i) => i + 1))
      assert.isAtLeast(applied.length, 10)
      assert.deepStrictEqual([applied[0]!.name, applied[8]!.name], ["directory", "engine_rowid"])
    })))
})
