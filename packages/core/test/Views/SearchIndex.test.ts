import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import fc from "fast-check"
import * as Core from "../../src/index.js"
import { searchWindow, type SearchIndex } from "../../src/Views/SearchIndex.js"
import { activeUser, ADMIN, asUser, initialized, makeTempDirectory, system } from "../support.js"

const statuses: ReadonlyArray<Core.UserStatus> = ["invited", "provisioned", "active", "suspended"]

describe("the users view's in-memory search index", () => {
  it("property: searchWindow is the filter-then-slice of the list it holds, in either order", () => {
    const entry = fc.record({ status: fc.constantFrom(...statuses), text: fc.string({ unit: fc.constantFrom("a", "b", "c", " ", "."), maxLength: 8 }) })
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 60 }),
        fc.array(fc.string({ unit: fc.constantFrom("a", "b", "c", "."), minLength: 1, maxLength: 2 }), { maxLength: 2 }),
        fc.option(fc.constantFrom(...statuses), { nil: undefined }),
        fc.nat(70),
        fc.nat(20),
        fc.boolean(),
        (entries, terms, status, offset, limit, descending) => {
          const index: SearchIndex = { marker: "", rowids: entries.map((_, i) => i + 1), statuses: entries.map((e) => e.status), texts: entries.map((e) => e.text) }
          const all = index.rowids.filter((_, i) => (status === undefined || index.statuses[i] === status) && terms.every((t) => index.texts[i]!.includes(t)))
          const ordered = descending ? [...all].reverse() : all
          assert.deepStrictEqual(searchWindow(index, { terms, status, offset, limit, descending }), { rowids: ordered.slice(offset, offset + limit), total: all.length })
        }
      ),
      { numRuns: 2_000 }
    )
  })

  it.live("answers exactly as the SQL query does on a seeded directory, and sees another connection's change at once", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.sync(makeTempDirectory), (t) => Effect.sync(t.cleanup))
      const open = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) =>
        Effect.provide(effect, Layer.fresh(Layer.orDie(Core.CoreLive({ engine: "sqlite", path: temp.path }))))
      yield* open(Effect.gen(function*() {
        yield* initialized
        yield* Core.seedUsers(1500).pipe(system)
        yield* activeUser({ email: "zoe.quinn@acme.test", firstName: "Zoë", lastName: "Quinn", phone: "+44 20 7946 0958" })
      })).pipe(Effect.orDie)
      yield* open(Effect.gen(function*() {
        for (const term of ["a", "ad", "ada.l", "hop", "zz", "4474", "zoë", "7946", ".example"]) {
          for (const status of [undefined, "active", "suspended", "invited"] as const) {
            // listUsers is the SQL query (LIKE over the same search text, the same name order)
            const expected = (yield* Core.listUsers({ search: term, ...(status === undefined ? {} : { status }) }).pipe(asUser(ADMIN))).map((u) => u.email)
            const filter = `${status === undefined ? "" : `status:${status} `}${term}`
            for (const [offset, limit, descending] of [[0, 1000, false], [3, 7, false], [0, 5, true]] as const) {
              const page = yield* Core.userPage({ filter, offset, limit, sort: { column: "name", descending } }).pipe(asUser(ADMIN))
              const ordered = descending ? [...expected].reverse() : expected
              assert.deepStrictEqual(page.rows.map((r) => r.email), ordered.slice(offset, offset + limit), `${filter} ${offset}/${limit}${descending ? " desc" : ""}`)
              assert.strictEqual(page.total, expected.length, filter)
            }
            assert.strictEqual(yield* Core.userCount(filter).pipe(asUser(ADMIN)), expected.length, filter)
          }
        }
        const before = (yield* Core.userPage({ filter: "status:suspended quinn" }).pipe(asUser(ADMIN))).rows
        assert.lengthOf(before, 0)
        // another process suspends her: the next keystroke's answer includes it
        yield* open(Core.suspendUser("zoe.quinn@acme.test").pipe(system)).pipe(Effect.orDie)
        const after = yield* Core.userPage({ filter: "status:suspended quinn" }).pipe(asUser(ADMIN))
        assert.deepStrictEqual(after.rows.map((r) => [r.email, r.status]), [["zoe.quinn@acme.test", "suspended"]])
      })).pipe(Effect.orDie)
    }).pipe(Effect.scoped))
})
