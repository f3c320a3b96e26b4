import { assert, describe, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import { tempDirectories, usher } from "../support.js"

const { empty, initialized: directory } = tempDirectories()

describe("usher CLI", () => {
  it("init sets up the directory once; a second init is refused with exit 1", async () => {
    const temp = await directory()
    const again = await usher(temp, ["--json", "init", "--admin", "other@acme.test"])
    assert.strictEqual(again.code, 1)
    assert.strictEqual(again.json.error._tag, "AlreadyInitialized")
    const orgs = await usher(temp, ["orgs", "list", "--json"])
    assert.deepStrictEqual(orgs.json.map((o: { slug: string }) => o.slug), ["acme"])
  })

  it("creates a user with a temporary password shown once, and lists and shows it as JSON", async () => {
    const temp = await directory()
    const created = await usher(temp, [
      "users", "create", "Grace@Acme.test", "--first-name", "Grace", "--last-name", "Hopper",
      "--phone", "+44 20 7946 0958", "--birthday", "1990-12-09", "--org-unit", "Engineering", "--role", "auditor", "--json"
    ])
    assert.strictEqual(created.code, 0, created.stderr)
    assert.strictEqual(created.json.user.email, "grace@acme.test")
    assert.strictEqual(created.json.user.status, "provisioned")
    assert.strictEqual(created.json.user.phone, "+442079460958")
    assert.strictEqual(created.json.user.mustChangePassword, true)
    assert.match(created.json.temporaryPassword, /^[\w]{5}-[\w]{5}-[\w]{5}-[\w]{5}$/)
    assert.notProperty(created.json.user, "passwordHash")
    // where they use it: the sign-in page under USHER_PUBLIC_URL, which makes them choose their own first
    assert.strictEqual(created.json.signInUrl, "http://localhost:8080/signin")
    const text = await usher(temp, ["users", "create", "kay@acme.test", "--first-name", "Kay", "--last-name", "Ell"], { USHER_PUBLIC_URL: "https://people.acme.test" })
    assert.include(text.stdout, "They sign in at https://people.acme.test/signin")

    const list = await usher(temp, ["users", "list", "--search", "hopper", "--json"])
    assert.deepStrictEqual(list.json.map((u: { email: string }) => u.email), ["grace@acme.test"])
    const byPhone = await usher(temp, ["users", "list", "--search", "020 7946", "--json"])
    assert.strictEqual(byPhone.json.length, 0, "a national-format fragment is not the E.164 digits")
    const byDigits = await usher(temp, ["users", "list", "--search", "7946 0958", "--json"])
    assert.deepStrictEqual(byDigits.json.map((u: { email: string }) => u.email), ["grace@acme.test"])

    const shown = await usher(temp, ["users", "show", "grace@acme.test", "--json"])
    assert.deepStrictEqual(shown.json.organizations.map((o: { slug: string }) => o.slug), ["acme"])
    assert.deepStrictEqual(shown.json.grants.map((g: { role: string; scope: string }) => `${g.role}@${g.scope}`), ["auditor@org:acme"])
    const byId = await usher(temp, ["users", "show", created.json.user.id])
    assert.strictEqual(byId.code, 0)
    assert.include(byId.stdout, "grace@acme.test")
  })

  it("reports domain errors as JSON with exit 1 and nothing written", async () => {
    const temp = await directory()
    const bad = await usher(temp, ["users", "create", "not-an-email", "--first-name", "A", "--last-name", "B", "--json"])
    assert.strictEqual(bad.code, 1)
    assert.deepStrictEqual(Object.keys(bad.json.error).sort(), ["_tag", "message"])
    assert.strictEqual(bad.json.error._tag, "InvalidEmail")
    const phone = await usher(temp, ["users", "create", "a@acme.test", "--first-name", "A", "--last-name", "B", "--phone", "12", "--json"])
    assert.strictEqual(phone.json.error._tag, "InvalidPhone")
    const role = await usher(temp, ["users", "create", "a@acme.test", "--first-name", "A", "--last-name", "B", "--role", "wizard", "--json"])
    assert.strictEqual(role.json.error._tag, "RoleNotFound")
    const list = await usher(temp, ["users", "list", "--json"])
    assert.deepStrictEqual(list.json.map((u: { email: string }) => u.email), ["admin@acme.test"], "no half-applied user")
    const missing = await usher(temp, ["users", "suspend", "ghost@acme.test"])
    assert.strictEqual(missing.code, 1)
    assert.include(missing.stderr, "No user ghost@acme.test")
  })

  it("rejects bad syntax with exit 2 and the usage line", async () => {
    const temp = await directory()
    const unknownFlag = await usher(temp, ["users", "list", "--colour"])
    assert.strictEqual(unknownFlag.code, 2)
    assert.include(unknownFlag.stderr, "usage: usher users list")
    const missingArg = await usher(temp, ["users", "show", "--json"])
    assert.strictEqual(missingArg.code, 2)
    assert.strictEqual(missingArg.json.error._tag, "UsageError")
    const noun = await usher(temp, ["roles"])
    assert.strictEqual(noun.code, 2)
    assert.include(noun.stderr, "roles needs one of: list, show, create, grant, revoke")
    const both = await usher(temp, ["roles", "grant", "auditor", "--user", "a", "--group", "b"])
    assert.strictEqual(both.code, 2)
    const status = await usher(temp, ["users", "list", "--status", "asleep"])
    assert.strictEqual(status.code, 2)
    const help = await usher(temp, ["--help"])
    assert.strictEqual(help.code, 0)
    assert.include(help.stdout, "usher users create EMAIL")
  })

  it("suspends and reactivates; a suspended user loses every permission; the last provider admin stays", async () => {
    const temp = await directory()
    await usher(temp, ["users", "create", "lin@acme.test", "--first-name", "Lin", "--last-name", "Wei", "--role", "user-manager"])
    const suspended = await usher(temp, ["users", "suspend", "lin@acme.test", "--reason", "on leave", "--json"])
    assert.strictEqual(suspended.json.status, "suspended")
    const why = await usher(temp, ["why", "lin@acme.test", "users.read", "--json"])
    assert.deepStrictEqual([why.json.allowed, why.json.paths], [false, []])
    const again = await usher(temp, ["users", "suspend", "lin@acme.test", "--json"])
    assert.strictEqual(again.json.error._tag, "InvalidTransition")
    const back = await usher(temp, ["users", "reactivate", "lin@acme.test", "--json"])
    assert.strictEqual(back.json.status, "provisioned", "never signed in, so back to provisioned")
    const admin = await usher(temp, ["users", "suspend", "admin@acme.test", "--json"])
    assert.strictEqual(admin.json.error._tag, "LastProviderAdmin")
  })

  it("runs roles, groups, orgs and apps end to end and answers why with the path", async () => {
    const temp = await directory()
    const steps: ReadonlyArray<ReadonlyArray<string>> = [
      ["apps", "create", "acme/expenses"],
      ["roles", "create", "ExpensesFinancialController", "--permission", "expenses.approve", "--permission", "users.read", "--description", "Approves expense reports"],
      ["groups", "create", "finance"],
      ["roles", "grant", "ExpensesFinancialController", "--group", "finance", "--scope", "app:acme/expenses"],
      ["users", "create", "jamie@acme.test", "--first-name", "Jamie", "--last-name", "Foster", "--group", "finance"],
      ["orgs", "create", "globex", "--name", "Globex"],
      ["orgs", "add", "globex", "jamie@acme.test"]
    ]
    for (const step of steps) {
      const run = await usher(temp, step)
      assert.strictEqual(run.code, 0, `${step.join(" ")}: ${run.stderr}`)
    }
    const why = await usher(temp, ["why", "jamie@acme.test", "expenses.approve", "--scope", "app:acme/expenses", "--json"])
    assert.strictEqual(why.json.allowed, false, "jamie is provisioned, not active yet")
    await usher(temp, ["groups", "add", "finance", "admin@acme.test"])
    const adminWhy = await usher(temp, ["why", "admin@acme.test", "expenses.approve", "--scope", "app:acme/expenses", "--json"])
    assert.strictEqual(adminWhy.json.allowed, true)
    assert.deepStrictEqual(adminWhy.json.paths, [{ role: "ExpensesFinancialController", scope: "app:acme/expenses", group: "acme/finance", expiresAt: null }])
    const elsewhere = await usher(temp, ["why", "admin@acme.test", "expenses.approve", "--scope", "org:acme", "--json"])
    assert.strictEqual(elsewhere.json.allowed, false, "an app-scoped grant does not reach up to the organization")
    const text = await usher(temp, ["why", "admin@acme.test", "expenses.approve", "--scope", "app:acme/expenses"])
    assert.include(text.stdout, "group acme/finance → ExpensesFinancialController@app:acme/expenses")
    const groups = await usher(temp, ["groups", "list", "--json"])
    assert.deepStrictEqual(groups.json.map((g: { name: string; members: number }) => [g.name, g.members]), [["finance", 2]])
    const removed = await usher(temp, ["orgs", "remove", "globex", "jamie@acme.test", "--json"])
    assert.deepStrictEqual(removed.json.removed, ["jamie@acme.test"])
    const still = await usher(temp, ["users", "show", "jamie@acme.test", "--json"])
    assert.strictEqual(still.code, 0, "removing a membership never deletes the account")
    assert.deepStrictEqual(still.json.organizations.map((o: { slug: string }) => o.slug), ["acme"])
    const unknownScope = await usher(temp, ["roles", "grant", "auditor", "--user", "jamie@acme.test", "--scope", "org:nowhere", "--json"])
    assert.strictEqual(unknownScope.json.error._tag, "ScopeNotFound")
    const verify = await usher(temp, ["audit", "verify", "--json"])
    assert.strictEqual(verify.json.ok, true)
  })

  it("acts as --as EMAIL and refuses what that user may not do, naming permission and scope", async () => {
    const temp = await directory()
    await usher(temp, ["users", "create", "olu@acme.test", "--first-name", "Olu", "--last-name", "Adeyemi", "--role", "auditor"])
    const denied = await usher(temp, ["--as", "olu@acme.test", "users", "list", "--json"])
    assert.strictEqual(denied.code, 1)
    assert.strictEqual(denied.json.error._tag, "PermissionDenied", "olu is provisioned: no permissions until active")
    assert.include(denied.json.error.message, "users.read")
    const unknown = await usher(temp, ["--as", "nobody@acme.test", "users", "list", "--json"])
    assert.strictEqual(unknown.json.error._tag, "ActorUnknown")
    const viaEnv = await usher(temp, ["users", "list", "--json"], { USHER_ACTOR: "olu@acme.test" })
    assert.strictEqual(viaEnv.json.error._tag, "PermissionDenied")
  })

  it("refuses a stale --if-version with ConcurrentModification", async () => {
    const temp = await directory()
    const first = await usher(temp, ["users", "update", "admin@acme.test", "--position", "CTO", "--if-version", "1", "--json"])
    assert.strictEqual(first.json.position, "CTO")
    const stale = await usher(temp, ["users", "update", "admin@acme.test", "--position", "CEO", "--if-version", "1", "--json"])
    assert.strictEqual(stale.json.error._tag, "ConcurrentModification")
    const shown = await usher(temp, ["users", "show", "admin@acme.test", "--json"])
    assert.strictEqual(shown.json.user.position, "CTO")
  })

  it("on an empty directory, tells the admin to run init", async () => {
    const temp = empty()
    const run = await usher(temp, ["users", "list"])
    assert.strictEqual(run.code, 1)
    assert.include(run.stderr, "usher init --admin EMAIL")
  })

  it("names a database it cannot open instead of failing obscurely", async () => {
    const temp = empty()
    if (temp.location.engine === "sqlite") {
      writeFileSync(temp.path, "not a database ".repeat(20))
      const run = await usher(temp, ["users", "list", "--json"])
      assert.strictEqual(run.code, 1)
      assert.strictEqual(run.json.error._tag, "DatabaseUnavailable")
      assert.include(run.json.error.message, temp.path)
    } else {
      // a database the server does not have
      const missing = new URL(temp.path)
      missing.pathname = "/usher_no_such_database"
      const run = await usher(temp, ["--db", missing.toString(), "users", "list", "--json"])
      assert.strictEqual(run.code, 1)
      assert.strictEqual(run.json.error._tag, "DatabaseUnavailable")
      assert.include(run.json.error.message, "usher_no_such_database")
    }
  })

  it("seeds demo users and lists them by status", async () => {
    const temp = await directory()
    const seeded = await usher(temp, ["seed", "--users", "300", "--json"])
    assert.strictEqual(seeded.json.created, 300)
    const suspended = await usher(temp, ["users", "list", "--status", "suspended", "--json"])
    assert.isAbove(suspended.json.length, 0)
    assert.isTrue(suspended.json.every((u: { status: string }) => u.status === "suspended"))
    const audit = await usher(temp, ["audit", "list", "--limit", "5", "--json"])
    assert.strictEqual(audit.json.length, 5)
  })
})
