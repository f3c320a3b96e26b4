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

  it.live("a mail the embedded mailer writes is an .eml file 0600 in an outbox folder 0700, whatever the umask", () =>
    Effect.gen(function*() {
      const temp = makeTempDirectory()
      const previous = process.umask(0o022)
      try {
        const sent = yield* Effect.gen(function*() {
          yield* Core.init({ adminEmail: "admin@acme.test", firstName: "Ada", lastName: "Admin", org: "acme", orgName: "Acme" }).pipe(Core.as("system", "cli"))
          return yield* Core.inviteUser({ email: "bob@acme.test" }).pipe(Core.asUser("admin@acme.test", "cli"))
        }).pipe(Effect.provide(Layer.orDie(Core.CoreLive({ engine: "sqlite", path: temp.path }))))
        const file = sent.mail?.file ?? null
        assert.isNotNull(file, "the invitation was written to the outbox folder")
        assert.match(file!, /\.eml$/)
        assert.strictEqual(mode(file!), 0o600)
        assert.strictEqual(mode(join(temp.dir, "outbox")), 0o700)
      } finally {
        process.umask(previous)
        temp.cleanup()
      }
    }))
})
