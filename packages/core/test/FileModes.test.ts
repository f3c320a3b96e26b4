import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { existsSync, statSync } from "node:fs"
import { join } from "node:path"
import * as Core from "../src/index.js"
import { makeTempDirectory } from "./support.js"

const mode = (path: string) => statSync(path).mode & 0o777

describe("File modes (item 12)", () => {
  it.live("a data directory usher makes is 0700 and the database file and its WAL are 0600, whatever the umask", () =>
    Effect.gen(function*() {
      const temp = makeTempDirectory()
      const previous = process.umask(0o022)
      try {
        const path = join(temp.dir, "data", "usher.db")
        yield* Effect.scoped(Layer.build(Layer.orDie(Core.CoreLive({ engine: "sqlite", path }))))
        assert.strictEqual(mode(join(temp.dir, "data")), 0o700)
        assert.strictEqual(mode(path), 0o600)
        for (const side of [`${path}-wal`, `${path}-shm`]) if (existsSync(side)) assert.strictEqual(mode(side), 0o600)
      } finally {
        process.umask(previous)
        temp.cleanup()
      }
    }))
})
