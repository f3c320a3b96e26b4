/**
 * Sign-in failures must not tell which accounts exist: an unknown e-mail costs the same scrypt
 * work as a wrong password. Measures both on one directory (medians of alternating attempts).
 */
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Core from "../src/index.js"
import { median } from "./seed.js"

const ATTEMPTS = 9


/** Median milliseconds of a failed sign-in for an unknown e-mail and for a wrong password. */
export const benchSignIn = async (log: (line: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), "usher-bench-signin-"))
  try {
    const layer = Layer.orDie(Core.CoreLive({ engine: "sqlite", path: join(dir, "usher.db") }))
    return await Effect.runPromise(Effect.gen(function*() {
      const system = Core.as("system", "api")
      yield* Core.init({ adminEmail: "admin@bench.test", org: "bench" }).pipe(system)
      const hash = yield* Core.hashPassword("the right password, long")
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET password_hash = ${hash}`
      const attempt = (email: string, password: string) =>
        Effect.gen(function*() {
          const started = performance.now()
          yield* Effect.either(Core.signIn({ email, password }).pipe(system))
          return performance.now() - started
        })
      const unknown: Array<number> = []
      const wrong: Array<number> = []
      // failures lock an account at the tenth: unlock between rounds so every attempt is a plain miss
      for (let i = 0; i < ATTEMPTS; i++) {
        unknown.push(yield* attempt(`nobody${i}@bench.test`, "whatever password"))
        wrong.push(yield* attempt("admin@bench.test", `wrong password ${i}`))
        yield* sql`UPDATE users SET failed_sign_ins = 0, locks = 0, locked_at = NULL, locked_until = NULL`
      }
      const result = { unknownMs: median(unknown), wrongMs: median(wrong) }
      log(`failed sign-in, median of ${ATTEMPTS}: unknown e-mail ${result.unknownMs.toFixed(0)} ms, wrong password ${result.wrongMs.toFixed(0)} ms`)
      return result
    }).pipe(Effect.provide(layer)))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
