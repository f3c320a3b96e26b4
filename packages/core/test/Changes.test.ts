import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Stream } from "effect"
import * as Core from "../src/index.js"
import { ENGINE, initialized, system, withDatabase } from "./support.js"

const jobs = Core.Jobs.asSystem("tui")

describe("live refresh: another process's commit reaches a listening front-end", () => {
  it.live(`on ${ENGINE}: ${ENGINE === "pg" ? "LISTEN/NOTIFY signals the commit at once, and not a rolled-back one" : "no channel (front-ends poll the change marker, tested in Views)"}`, () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const location = yield* Core.Database
      const config = yield* Core.CoreConfig
      const other = yield* Effect.acquireRelease(Effect.sync(() => Core.makeCoreRuntime(location, config)), (r) => Effect.promise(() => r.dispose()))
      const listening = yield* Effect.fork(Stream.runHead(Core.Jobs.changes.pipe(Stream.take(1))).pipe(jobs))
      yield* Effect.sleep(Duration.millis(300)) // the LISTEN is in place
      // a failed use case commits nothing, and says nothing
      yield* Effect.promise(() => other.runPromiseExit(Core.createGroup({ name: "no such org", org: "nowhere" }).pipe(system)))
      yield* Effect.sleep(Duration.millis(300))
      assert.isTrue(Option.isNone(yield* Fiber.poll(listening)), "a refused change is not signalled")
      const started = Date.now()
      yield* Effect.promise(() => other.runPromise(Core.createGroup({ name: "elsewhere" }).pipe(system)))
      const signal = yield* Fiber.join(listening).pipe(Effect.timeout(Duration.seconds(1)), Effect.option)
      if (ENGINE === "pg") {
        assert.isTrue(Option.isSome(signal), "the commit was signalled within a second")
        assert.isBelow(Date.now() - started, 1000)
      } else {
        assert.isTrue(Option.isNone(signal), "SQLite has no channel: the change marker is polled instead")
      }
    }).pipe(Effect.scoped)))
})
