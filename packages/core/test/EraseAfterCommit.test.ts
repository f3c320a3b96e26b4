import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import * as Core from "../src/index.js"
import { findUser } from "../src/internal/lookup.js"
import { transaction } from "../src/internal/tx.js"
import { changeStatus } from "../src/Users/Lifecycle.js"
import { activeUser, ADMIN, asUser, failsWith, initialized, system, withDatabase } from "./support.js"

describe("Erasing an account's mail (L)", () => {
  it.live("a deletion that rolls back at its version check keeps the person's .eml files; one that commits removes them", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const bob = yield* activeUser({ email: "bob@acme.test" })
      yield* Core.requestPasswordReset("bob@acme.test").pipe(asUser(ADMIN))
      const sql = yield* SqlClient.SqlClient
      const [mail] = yield* sql<{ file: string | null }>`SELECT file FROM outbox WHERE user_id = ${bob.id}`
      assert.isTrue(mail?.file != null && existsSync(mail.file))
      const stale = yield* findUser("bob@acme.test")
      yield* Core.updateUser("bob@acme.test", { position: "Lead" }).pipe(asUser(ADMIN))
      yield* failsWith(transaction(changeStatus(stale, "delete")).pipe(system), "ConcurrentModification")
      assert.isTrue(existsSync(mail!.file!), "the deletion rolled back, so its mail is still there")
      yield* transaction(Effect.flatMap(findUser("bob@acme.test"), (fresh) => changeStatus(fresh, "delete"))).pipe(system)
      assert.isFalse(existsSync(mail!.file!), "the committed deletion took the mail with it")
    })))
})
