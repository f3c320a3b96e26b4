import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, failsWith, initialized, system, withDatabase } from "./support.js"

const emails = (page: { readonly rows: ReadonlyArray<{ readonly email: string }> }) => page.rows.map((r) => r.email)

/** A handful of people across two organizations, groups and roles. */
const directory = Effect.gen(function*() {
  yield* initialized
  yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(system)
  yield* Core.createGroup({ name: "ops" }).pipe(system)
  yield* Core.createGroup({ name: "night shift" }).pipe(system)
  yield* Core.grantRole({ role: "auditor", to: { group: "ops" } }).pipe(system)
  yield* activeUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper", phone: "+14155552671", groups: ["ops"] })
  yield* activeUser({ email: "alan@acme.test", firstName: "Alan", lastName: "Turing", roles: ["user-manager"] })
  yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace", groups: ["night shift"] })
  yield* activeUser({ email: "barbara@beta.test", firstName: "Barbara", lastName: "Liskov", org: "beta", roles: ["org-admin"] })
  yield* Core.suspendUser("alan@acme.test", { reason: "left" }).pipe(system)
})

describe("Views", () => {
  it.live("userPage sorts by every column, pages, counts, and lists each row's roles", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const byName = yield* Core.userPage({ limit: 10 }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(emails(byName), ["admin@acme.test", "grace@acme.test", "barbara@beta.test", "ada@acme.test", "alan@acme.test"])
      assert.strictEqual(byName.total, 5)
      assert.deepStrictEqual(byName.rows.find((r) => r.email === "grace@acme.test")?.roles, ["auditor"])
      assert.deepStrictEqual(byName.rows.find((r) => r.email === ADMIN)?.roles, ["provider-admin"])
      const byEmail = yield* Core.userPage({ sort: { column: "email", descending: true } }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(emails(byEmail), ["grace@acme.test", "barbara@beta.test", "alan@acme.test", "admin@acme.test", "ada@acme.test"])
      const byStatus = yield* Core.userPage({ sort: { column: "status" } }).pipe(asUser(ADMIN))
      assert.strictEqual(byStatus.rows.at(-1)?.email, "alan@acme.test")
      for (const column of Core.userSortColumns) {
        const page = yield* Core.userPage({ sort: { column } }).pipe(asUser(ADMIN))
        assert.strictEqual(page.rows.length, 5, column)
      }
      const second = yield* Core.userPage({ offset: 2, limit: 2 }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(emails(second), ["barbara@beta.test", "ada@acme.test"])
      assert.strictEqual(second.total, 5)
      const uncounted = yield* Core.userPage({ offset: 0, limit: 2, withTotal: false }).pipe(asUser(ADMIN))
      assert.isNull(uncounted.total)
      const last = yield* Core.userPage({ offset: 4, limit: 2, withTotal: false }).pipe(asUser(ADMIN))
      assert.strictEqual(last.total, 5, "a window that ends the list gives the count for free")
    })))

  it.live("the filter matches words in name, e-mail and phone, and status:, org:, group:, role: tokens", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const page = (filter: string) => Core.userPage({ filter }).pipe(asUser(ADMIN), Effect.map(emails))
      assert.deepStrictEqual(yield* page("hopper"), ["grace@acme.test"])
      assert.deepStrictEqual(yield* page("GRACE acme"), ["grace@acme.test"])
      assert.deepStrictEqual(yield* page("+1 415 555"), ["grace@acme.test"])
      assert.deepStrictEqual(yield* page("status:suspended"), ["alan@acme.test"])
      assert.deepStrictEqual(yield* page("status:sus"), ["alan@acme.test"], "an unambiguous prefix while typing")
      assert.deepStrictEqual(yield* page("org:beta"), ["barbara@beta.test"])
      assert.deepStrictEqual(yield* page("group:ops"), ["grace@acme.test"])
      assert.deepStrictEqual(yield* page(`group:"night shift"`), ["ada@acme.test"])
      assert.deepStrictEqual(yield* page("role:auditor"), ["grace@acme.test"], "a role held through a group")
      assert.deepStrictEqual(yield* page("role:user-manager status:suspended"), ["alan@acme.test"])
      assert.deepStrictEqual(yield* page("100%_"), [], "LIKE wildcards are matched literally")
      assert.deepStrictEqual(yield* page("org:"), yield* page(""), "a token without its value yet is ignored")
      assert.strictEqual((yield* failsWith(Core.userPage({ filter: "org:nowhere" }).pipe(asUser(ADMIN)), "OrgNotFound")).org, "nowhere")
      assert.strictEqual((yield* failsWith(Core.userPage({ filter: "group:nope" }).pipe(asUser(ADMIN)), "GroupNotFound")).group, "nope")
      assert.strictEqual((yield* failsWith(Core.userPage({ filter: "role:nope" }).pipe(asUser(ADMIN)), "RoleNotFound")).role, "nope")
      assert.strictEqual((yield* failsWith(Core.userPage({ filter: "status:xyz" }).pipe(asUser(ADMIN)), "InvalidInput")).field, "status filter")
      assert.strictEqual((yield* failsWith(Core.userPage({ filter: "colour:red" }).pipe(asUser(ADMIN)), "InvalidInput")).field, "filter")
      assert.strictEqual(yield* Core.userCount("acme").pipe(asUser(ADMIN)), 4)
    })))

  it.live("small and large token sets give the same answers as listUsers (both query plans)", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.seedUsers(2600).pipe(system)
      for (const filter of ["org:acme", "group:ops", "group:ops status:active", "role:provider-admin", "org:acme lovelace"]) {
        const parsed = Core.parseUserFilter(filter)
        assert.isTrue(parsed._tag === "Right")
        const page = yield* Core.userPage({ filter, limit: 1000, sort: { column: "email" } }).pipe(asUser(ADMIN))
        const count = yield* Core.userCount(filter).pipe(asUser(ADMIN))
        assert.strictEqual(page.total, count, filter)
        if (!filter.startsWith("role:")) {
          const f = parsed._tag === "Right" ? parsed.right : { terms: [] }
          const listed = yield* Core.listUsers({
            ...(f.org !== undefined ? { org: f.org } : {}),
            ...(f.group !== undefined ? { group: f.group } : {}),
            ...(f.status !== undefined ? { status: f.status } : {}),
            ...(f.terms.length > 0 ? { search: f.terms.join(" ") } : {})
          }).pipe(asUser(ADMIN))
          assert.strictEqual(count, listed.length, filter)
          assert.deepStrictEqual(emails(page), listed.map((u) => u.email).sort().slice(0, 1000), filter)
        }
      }
      assert.deepStrictEqual(emails(yield* Core.userPage({ filter: "role:provider-admin" }).pipe(asUser(ADMIN))), [ADMIN])
      assert.isAbove(yield* Core.userCount("org:acme").pipe(asUser(ADMIN)), 2000)
    })))

  it.live("visibility is listUsers': an organization's reader sees its members only; without users.read, nothing", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "reader@beta.test", org: "beta", roles: ["auditor"] })
      yield* activeUser({ email: "nobody@acme.test" })
      const page = yield* Core.userPage().pipe(asUser("reader@beta.test"))
      assert.deepStrictEqual(emails(page), ["barbara@beta.test", "reader@beta.test"])
      assert.strictEqual(yield* Core.userCount("").pipe(asUser("reader@beta.test")), 2)
      const denied = yield* failsWith(Core.userPage({ filter: "org:acme" }).pipe(asUser("reader@beta.test")), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["users.read", "org:acme"])
      yield* failsWith(Core.userPage().pipe(asUser("nobody@acme.test")), "PermissionDenied")
      yield* failsWith(Core.accessTree("grace@acme.test").pipe(asUser("reader@beta.test")), "UserNotFound")
      const beta: ReadonlyArray<string> = (yield* Core.listUsers({ org: "beta" }).pipe(system)).map((u) => u.id)
      const events = yield* Core.auditPage().pipe(asUser("reader@beta.test"))
      assert.isTrue(events.length > 0 && events.every((e) => e.scopes?.includes("org:beta") && (e.target === null || beta.includes(e.target))), "only events at beta, about beta's members")
      yield* failsWith(Core.auditPage().pipe(asUser("nobody@acme.test")), "PermissionDenied")
    })))

  it.live("accessTree shows user → source → role@scope → permissions, with expired grants marked and nothing counting for a suspended user", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.grantRole({ role: "approver", to: { user: "grace@acme.test" }, scope: "org:acme" }).pipe(system)
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE grants SET expires_at = '2000-01-01T00:00:00.000Z' WHERE scope = 'org:acme'
                  AND role_id = (SELECT id FROM roles WHERE name = 'approver')`.pipe(Effect.orDie)
      const tree = yield* Core.accessTree("grace@acme.test").pipe(asUser(ADMIN))
      assert.isTrue(tree.active)
      assert.deepStrictEqual(tree.sources.map((s) => s.group), [null, "acme/ops"])
      assert.deepStrictEqual(tree.sources[0]?.grants.map((g) => [g.role, g.scope, g.expired]), [["approver", "org:acme", true]])
      assert.deepStrictEqual(tree.sources[1]?.grants.map((g) => [g.role, g.scope, g.expired]), [["auditor", "org:acme", false]])
      assert.deepStrictEqual(tree.sources[1]?.grants[0]?.permissions, ["audit.read", "groups.read", "roles.read", "users.read"])
      assert.strictEqual(tree.effectiveCount, 4, "the expired approver grant adds nothing")
      const suspended = yield* Core.accessTree("alan@acme.test").pipe(asUser(ADMIN))
      assert.isFalse(suspended.active)
      assert.strictEqual(suspended.effectiveCount, 0)
      assert.strictEqual(suspended.sources[0]?.grants[0]?.role, "user-manager")
    })))

  it.live("userInvitation gives the invitation state, or null for an account that was not invited", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.inviteUser({ email: "new@acme.test", link: true }).pipe(asUser(ADMIN))
      const state = yield* Core.userInvitation("new@acme.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual([state?.status, state?.delivery, state?.invitedBy, state?.org, state?.sentCount], ["pending", "link", ADMIN, "acme", 1])
      assert.isNull(yield* Core.userInvitation("grace@acme.test").pipe(asUser(ADMIN)))
    })))

  it.live("changeMarker moves on every commit, this connection's and another process's", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const first = yield* Core.Jobs.changeMarker.pipe(Core.Jobs.asSystem("cli"))
      assert.strictEqual(yield* Core.Jobs.changeMarker.pipe(Core.Jobs.asSystem("cli")), first, "reading changes nothing")
      yield* Core.createGroup({ name: "here" }).pipe(system)
      const second = yield* Core.Jobs.changeMarker.pipe(Core.Jobs.asSystem("cli"))
      assert.notStrictEqual(second, first)
      const location = yield* Core.Database
      const config = yield* Core.CoreConfig
      yield* Effect.acquireUseRelease(
        Effect.sync(() => Core.makeCoreRuntime(location, config)),
        (other) => Effect.promise(() => other.runPromise(Core.createGroup({ name: "elsewhere" }).pipe(system))),
        (other) => Effect.promise(() => other.dispose())
      )
      assert.notStrictEqual(yield* Core.Jobs.changeMarker.pipe(Core.Jobs.asSystem("cli")), second)
    })))

  it.live("auditPage reads the newest events with e-mails, filtered by words", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const all = yield* Core.auditPage({ limit: 3 }).pipe(asUser(ADMIN))
      assert.strictEqual(all.length, 3)
      assert.isAbove(all[0]!.seq, all[1]!.seq)
      const suspended = yield* Core.auditPage({ filter: "suspend alan" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(suspended.map((e) => [e.action, e.targetEmail, e.reason]), [["user.suspend", "alan@acme.test", "left"]])
      const byAdmin = yield* Core.auditPage({ filter: "directory.init" }).pipe(asUser(ADMIN))
      assert.strictEqual(byAdmin[0]?.targetEmail, ADMIN)
    })))
})
