import { assert, describe, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Chunk, Effect, Layer, Stream } from "effect"
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Core from "../src/index.js"
import { count, fileFolder, importAs } from "./importSupport.js"
import { activeUser, ADMIN, asUser, failsWith, initialized, snapshot, system, TempDatabaseLive } from "./support.js"

const exported = (query: Core.ExportQuery = {}, format: Core.ExportFormat = "csv", as = ADMIN) =>
  Stream.runCollect(Core.exportUsers(query, format)).pipe(
    asUser(as),
    Effect.map((chunks) => Chunk.toReadonlyArray(chunks).map((c) => c.text).join(""))
  )

/** Organizations, groups, an app and a custom role, the same in every directory the tests build. */
const structure = Effect.gen(function*() {
  yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(system)
  yield* Core.createGroup({ name: "finance" }).pipe(system)
  yield* Core.createGroup({ name: "ops", org: "beta" }).pipe(system)
  yield* Core.createApp("acme/crm").pipe(system)
  yield* Core.createRole({ name: "crm-user", permissions: ["crm.use"] }).pipe(system)
  yield* Core.grantRole({ role: "auditor", to: { group: "finance" } }).pipe(system)
}).pipe(Effect.orDie)

/** A populated directory: profiles, direct, group and time-bound grants, two organizations. */
const populated = Effect.gen(function*() {
  yield* initialized
  yield* structure
  yield* activeUser({ email: "kim@acme.test", firstName: "Kim", lastName: "=HYPERLINK(\"x\")", phone: "+44 20 7946 0958", roles: ["user-manager"], groups: ["finance"] })
  yield* Core.updateUser("kim@acme.test", { orgUnit: "-Research, Labs", position: "Lead \"Quotes\"", birthday: "1990-01-02", gender: "female" }).pipe(system)
  yield* Core.grantRole({ role: "crm-user", to: { user: "kim@acme.test" }, scope: "app:acme/crm" }).pipe(system)
  yield* Core.grantRole({ role: "auditor", to: { user: "kim@acme.test" }, expiresAt: new Date(Date.now() + 864e5).toISOString() }).pipe(system)
  yield* activeUser({ email: "bob@beta.test", firstName: "Bob", lastName: "Beta", org: "beta", roles: ["auditor"], groups: ["ops"] })
  yield* Core.inviteUser({ email: "new@acme.test", link: true }).pipe(system)
}).pipe(Effect.orDie)

/** The header an export writes: the import file's columns, all of them. */
const HEADER = "email,firstName,lastName,phone,gender,birthday,orgUnit,position,orgs,roles,groups"

const fresh = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Effect.provide(effect, Layer.fresh(TempDatabaseLive))

describe("exportUsers", () => {
  it.live("writes the import file's columns: direct permanent grants as role@scope, groups as org/name, formula-like cells quoted", () =>
    fresh(Effect.gen(function*() {
      yield* populated
      const text = yield* exported()
      const lines = text.trimEnd().split("\n")
      assert.strictEqual(lines[0], HEADER)
      assert.deepStrictEqual(parse(text, { columns: true }), [
        { email: "admin@acme.test", firstName: "Ada", lastName: "Admin", phone: "", gender: "", birthday: "", orgUnit: "", position: "", orgs: "acme", roles: "provider-admin@provider", groups: "" },
        { email: "bob@beta.test", firstName: "Bob", lastName: "Beta", phone: "", gender: "", birthday: "", orgUnit: "", position: "", orgs: "beta", roles: "auditor@org:beta", groups: "beta/ops" },
        {
          email: "kim@acme.test", firstName: "Kim", lastName: "'=HYPERLINK(\"x\")", phone: "+442079460958", gender: "female", birthday: "1990-01-02",
          orgUnit: "'-Research, Labs", position: "Lead \"Quotes\"", orgs: "acme", roles: "crm-user@app:acme/crm;user-manager@org:acme", groups: "acme/finance"
        },
        { email: "new@acme.test", firstName: "", lastName: "", phone: "", gender: "", birthday: "", orgUnit: "", position: "", orgs: "acme", roles: "", groups: "" }
      ])
      const json = JSON.parse(yield* exported({}, "json")) as ReadonlyArray<Core.ExportRecord>
      assert.deepStrictEqual(json[2], {
        email: "kim@acme.test", firstName: "Kim", lastName: "=HYPERLINK(\"x\")", phone: "+442079460958", gender: "female", birthday: "1990-01-02",
        orgUnit: "-Research, Labs", position: "Lead \"Quotes\"", orgs: ["acme"], roles: ["crm-user@app:acme/crm", "user-manager@org:acme"], groups: ["acme/finance"]
      })
      assert.deepStrictEqual(json.map((r) => r.email), ["admin@acme.test", "bob@beta.test", "kim@acme.test", "new@acme.test"])
      assert.deepStrictEqual(yield* exported({ status: "invited" }, "json").pipe(Effect.map(JSON.parse)), [json[3]])
      assert.deepStrictEqual(yield* exported({ org: "beta" }, "json").pipe(Effect.map(JSON.parse)), [json[1]])
      assert.strictEqual(yield* exported({ status: "suspended" }, "json"), "[\n]\n")
      assert.strictEqual(yield* exported({ status: "suspended" }), `${HEADER}\n`)
    })))

  it.live("shows the users the actor may read, as listUsers does", () =>
    fresh(Effect.gen(function*() {
      yield* populated
      yield* activeUser({ email: "aud@beta.test", org: "beta", roles: ["auditor"] })
      yield* activeUser({ email: "nobody@acme.test" })
      const beta = JSON.parse(yield* exported({}, "json", "aud@beta.test")) as ReadonlyArray<Core.ExportRecord>
      assert.deepStrictEqual(beta.map((r) => r.email), ["aud@beta.test", "bob@beta.test"])
      const denied = yield* failsWith(exported({ org: "acme" }, "csv", "aud@beta.test"), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["users.read", "org:acme"])
      yield* failsWith(exported({}, "csv", "nobody@acme.test"), "PermissionDenied")
      yield* failsWith(exported({ org: "nowhere" }), "OrgNotFound")
    })))

  it.live("pages through a large directory in e-mail order", () =>
    fresh(Effect.gen(function*() {
      yield* initialized
      yield* Core.seedUsers(2_345).pipe(system)
      const pages = yield* Stream.runCollect(Core.exportPages()).pipe(asUser(ADMIN), Effect.map(Chunk.toReadonlyArray))
      assert.deepStrictEqual(pages.map((p) => p.length), [1000, 1000, 346])
      const emails = pages.flat().map((r) => r.email)
      assert.deepStrictEqual(emails, [...emails].sort())
      assert.strictEqual(new Set(emails).size, 2_346)
      const lines = (yield* exported()).trimEnd().split("\n")
      assert.strictEqual(lines.length, 2_347)
    })))

  it.live("export then import on the same directory changes nothing; on a fresh one it recreates the users", () =>
    Effect.gen(function*() {
      const dir = yield* fileFolder
      const file = join(dir, "users.csv")
      const original = yield* fresh(Effect.gen(function*() {
        yield* populated
        const written = yield* Core.exportUsersToFile(file).pipe(asUser(ADMIN))
        assert.deepStrictEqual(written, { file, format: "csv", users: 4 })
        const before = yield* snapshot
        const report = yield* importAs(ADMIN, { file })
        assert.deepInclude(report, { rows: 4, created: 0, updated: 0, skipped: 4, failed: 0 })
        assert.deepStrictEqual(yield* snapshot, before, "nothing changed")
        return yield* exported()
      }))
      // a fresh directory with the same organizations, groups and roles: one import puts everyone back where they were
      const recreated = yield* fresh(Effect.gen(function*() {
        yield* initialized
        yield* structure
        const report = yield* importAs(ADMIN, { file, deliver: false })
        assert.deepInclude(report, { created: 3, skipped: 1, failed: 0 })
        assert.strictEqual(yield* count("users", "status = 'invited'"), 3)
        const again = yield* importAs(ADMIN, { file, deliver: false })
        assert.deepInclude(again, { created: 0, updated: 0, skipped: 4, failed: 0 })
        return yield* exported()
      }))
      assert.strictEqual(recreated, original)
    }).pipe(Effect.scoped))

  it.live("someone in two organizations round-trips: the orgs column makes a new account a member of each, and an existing one joins those it lacks", () =>
    Effect.gen(function*() {
      const dir = yield* fileFolder
      const file = join(dir, "users.csv")
      yield* fresh(Effect.gen(function*() {
        yield* populated
        yield* Core.addOrgMembers("beta", ["kim@acme.test"]).pipe(system)
        yield* Core.grantRole({ role: "auditor", to: { user: "kim@acme.test" }, scope: "org:beta" }).pipe(system)
        yield* Core.exportUsersToFile(file).pipe(asUser(ADMIN))
      }))
      assert.include(readFileSync(file, "utf8"), "acme;beta,")
      yield* fresh(Effect.gen(function*() {
        yield* initialized
        yield* structure
        // kim exists already, in acme only: the import adds her to beta (with its audit row) and grants the beta role
        yield* activeUser({ email: "kim@acme.test", firstName: "Kim" })
        const dry = yield* importAs(ADMIN, { file, dryRun: true })
        assert.deepStrictEqual(dry.updates.find((u) => u.email === "kim@acme.test")?.orgs, ["beta"])
        const report = yield* importAs(ADMIN, { file, deliver: false })
        assert.deepInclude(report, { failed: 0 })
        const kim = yield* Core.showUser("kim@acme.test").pipe(asUser(ADMIN))
        assert.deepStrictEqual(kim.organizations.map((o) => o.slug).sort(), ["acme", "beta"])
        assert.isTrue((yield* Core.why("kim@acme.test", "audit.read", "org:beta").pipe(system)).allowed)
        const bob = yield* Core.showUser("bob@beta.test").pipe(asUser(ADMIN))
        assert.deepStrictEqual(bob.organizations.map((o) => o.slug), ["beta"], "made in beta alone, as exported")
        assert.strictEqual(yield* count("audit_events", "action = 'org.member.add'"), 1)
        // joining needs orgs.members.manage there
        yield* activeUser({ email: "um@acme.test", roles: ["user-manager"] })
        writeFileSync(file, "email,orgs\nkim@acme.test,acme;gamma\num@acme.test,beta\n")
        const refused = yield* importAs("um@acme.test", { file, dryRun: true })
        assert.deepStrictEqual(refused.problems.map((p) => [p.line, p.error._tag]), [[2, "OrgNotFound"], [3, "PermissionDenied"]])
      }))
    }).pipe(Effect.scoped))

  it.live("writes a file only its owner can read, or nothing at all", () =>
    fresh(Effect.gen(function*() {
      yield* populated
      const dir = yield* fileFolder
      const file = join(dir, "users.json")
      const written = yield* Core.exportUsersToFile(file, {}, "json").pipe(asUser(ADMIN))
      assert.strictEqual(written.users, 4)
      assert.strictEqual(statSync(file).mode & 0o777, 0o600)
      assert.strictEqual(readFileSync(file, "utf8"), yield* exported({}, "json"))
      const missing = join(dir, "no-such-folder", "users.csv")
      const error = yield* failsWith(Core.exportUsersToFile(missing).pipe(asUser(ADMIN)), "FileUnwritable")
      assert.include(error.message, "no such file or directory")
      yield* failsWith(Core.exportUsersToFile(join(dir, "denied.csv"), { org: "nowhere" }).pipe(asUser(ADMIN)), "OrgNotFound")
      assert.deepStrictEqual(readdirSync(dir), ["users.json"], "no partial or temporary file is left")
      assert.isFalse(existsSync(missing))
    }).pipe(Effect.scoped)))
})
