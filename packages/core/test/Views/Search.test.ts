/**
 * The users view and `listUsers` over the search index of migration 0018 (SQLite's trigram
 * table, PostgreSQL's pg_trgm index): any window at any offset, read forwards or (far down the
 * list) from the end, is the slice of the whole list in order; a search word finds exactly the
 * accounts whose text contains it, short or long; and the index follows every change.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import fc from "fast-check"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Core from "../../src/index.js"
import { ADMIN, asUser, initialized, system, withDatabase } from "../support.js"

const USERS = 6_500

/** Every account in the list's order, read through listUsers' keyset pages. */
const everyone = Effect.gen(function*() {
  const all: Array<Core.User> = []
  for (;;) {
    const last = all.at(-1)
    const page = yield* Core.listUsers({ limit: 1000, ...(last === undefined ? {} : { after: Core.userListKey(last) }) }).pipe(asUser(ADMIN))
    all.push(...page)
    if (page.length < 1000) return all
  }
})

const textOf = (u: Core.User) => [u.firstName, u.lastName, u.email, u.phone].filter((v) => v != null && v !== "").join(" ").toLowerCase()
const ids = (rows: ReadonlyArray<{ readonly id: string }>) => rows.map((r) => r.id)

describe("the users view's search index", () => {
  it.live("windows at any offset, either direction, are slices of the whole list; words find exactly what contains them", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.seedUsers(USERS).pipe(system)
      const all = yield* everyone
      assert.strictEqual(all.length, USERS + 1)

      const windows = fc.sample(fc.record({ offset: fc.oneof(fc.integer({ min: 0, max: all.length + 50 }), fc.integer({ min: all.length - 120, max: all.length })), limit: fc.integer({ min: 1, max: 120 }), descending: fc.boolean() }), { seed: 3, numRuns: 60 })
      for (const w of [...windows, { offset: all.length - 40, limit: 40, descending: false }, { offset: 5_001, limit: 100, descending: false }]) {
        const page = yield* Core.userPage({ offset: w.offset, limit: w.limit, sort: { column: "name", descending: w.descending }, withTotal: true }).pipe(asUser(ADMIN))
        const ordered = w.descending ? [...all].reverse() : all
        assert.deepStrictEqual(ids(page.rows), ids(ordered.slice(w.offset, w.offset + w.limit)), JSON.stringify(w))
        assert.strictEqual(page.total, all.length, JSON.stringify(w))
      }

      // words: pieces of real names, e-mails and phone numbers (one to six characters), and some that match nothing
      const pieces = fc.sample(fc.record({ user: fc.integer({ min: 0, max: all.length - 1 }), at: fc.nat(), length: fc.integer({ min: 1, max: 6 }) }), { seed: 5, numRuns: 40 })
        .map(({ user, at, length }) => {
          const text = textOf(all[user]!).replace(/\s+/g, "")
          const from = at % Math.max(1, text.length - length)
          return text.slice(from, from + length)
        })
      for (const word of [...pieces, "zzq", "qqq", "é", "_", "%", "a_b"]) {
        if (word === "" || /[\s:"]/.test(word)) continue
        // as the filter reads it: a word that looks like a phone number is its digits
        const expected = all.filter((u) => textOf(u).includes(Core.normalizeSearch(word)))
        const page = yield* Core.userPage({ filter: word, limit: 1000, withTotal: true }).pipe(asUser(ADMIN))
        assert.strictEqual(page.total, expected.length, word)
        assert.deepStrictEqual(ids(page.rows), ids(expected.slice(0, 1000)), word)
        assert.strictEqual(yield* Core.userCount(word).pipe(asUser(ADMIN)), expected.length, word)
        const listed = yield* Core.listUsers({ search: word, limit: 1000 }).pipe(asUser(ADMIN))
        assert.deepStrictEqual(ids(listed), ids(expected.slice(0, 1000)), `listUsers ${word}`)
      }
    })), 120_000)

  it.live("the index follows changes: a new name is found and the old one not, a cancelled invitation is gone, imported accounts are in", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const found = (word: string) => Effect.map(Core.userPage({ filter: word }).pipe(asUser(ADMIN)), (p) => p.rows.map((r) => r.email))
      yield* Core.createUser({ email: "kim@acme.test", firstName: "Kimberly", lastName: "Quartz" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* found("quartz"), ["kim@acme.test"])
      yield* Core.updateUser("kim@acme.test", { lastName: "Zephyrine" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* found("quartz"), [])
      assert.deepStrictEqual(yield* found("zephyr"), ["kim@acme.test"])
      yield* Core.inviteUser({ email: "ivy@acme.test", firstName: "Ivy", lastName: "Vanishing", link: true }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* found("vanish"), ["ivy@acme.test"])
      yield* Core.cancelInvitation("ivy@acme.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* found("vanish"), [])
      const dir = mkdtempSync(join(tmpdir(), "usher-search-"))
      const csv = join(dir, "people.csv")
      writeFileSync(csv, "email,firstName,lastName\nlee@acme.test,Lee,Xylophonist\n")
      yield* Core.importUsers({ file: csv, mode: "create" }).pipe(asUser(ADMIN))
      rmSync(dir, { recursive: true, force: true })
      assert.deepStrictEqual(yield* found("xylophon"), ["lee@acme.test"])
    })))
})
