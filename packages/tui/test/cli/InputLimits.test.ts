import { assert, describe, it } from "@effect/vitest"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()

const noStack = (stderr: string) => {
  assert.notInclude(stderr, "InternalError")
  assert.notMatch(stderr, /\n\s+at /, "no stack trace")
}

describe("usher CLI input limits (issue 9, items 11 and 12)", () => {
  it("users list --search with 100k characters is refused as too long (exit 1, InputTooLong), never an InternalError with a stack trace", async () => {
    const temp = await directory()
    const search = "a".repeat(100_000)
    const json = await usher(temp, ["users", "list", "--search", search, "--json"])
    assert.strictEqual(json.code, 1)
    assert.strictEqual(json.json.error._tag, "InputTooLong")
    assert.strictEqual(json.json.error.message, "Too long: --search has 100000 characters, at most 1000.")
    const text = await usher(temp, ["users", "list", "--search", search])
    assert.strictEqual(text.code, 1)
    assert.include(text.stderr, "--search has 100000 characters, at most 1000")
    assert.isBelow(text.stderr.length, 300, "the search is not printed back")
    noStack(text.stderr)
    const fits = await usher(temp, ["users", "list", "--search", "a".repeat(1000), "--json"])
    assert.strictEqual(fits.code, 0, fits.stderr)
  })

  it("--limit is a whole number from 1 to 10,000: 1e20, 0, 1.5, abc, 10001, 0x10 are usage errors (exit 2)", async () => {
    const temp = await directory()
    for (const limit of ["1e20", "0", "1.5", "abc", "10001", "0x10", " 5", "Infinity"]) {
      for (const command of [["users", "list"], ["audit", "list"], ["approvals", "list"], ["outbox", "list"]]) {
        const run = await usher(temp, [...command, `--limit=${limit}`, "--json"])
        assert.strictEqual(run.code, 2, `${command.join(" ")} --limit ${limit}: ${run.stdout}${run.stderr}`)
        assert.strictEqual(run.json.error._tag, "UsageError")
        assert.include(run.json.error.message, "--limit must be a whole number from 1 to 10000")
      }
    }
    const ok = await usher(temp, ["users", "list", "--limit", "10000", "--json"])
    assert.strictEqual(ok.code, 0, ok.stderr)
    const one = await usher(temp, ["audit", "list", "--limit", "1", "--json"])
    assert.strictEqual(one.code, 0, one.stderr)
  })

  it("every argument has a length limit: names 200, e-mail 254, reason 2000; each refused with InputTooLong naming the argument", async () => {
    const temp = await directory()
    const cases: ReadonlyArray<[ReadonlyArray<string>, string]> = [
      [["users", "create", "bob@acme.test", "--first-name", "B".repeat(201), "--last-name", "X"], "--first-name has 201 characters, at most 200"],
      [["users", "invite", `${"b".repeat(250)}@acme.test`], "EMAIL has 260 characters, at most 254"],
      [["users", "show", "x".repeat(255)], "USER has 255 characters, at most 254"],
      [["users", "suspend", "admin@acme.test", "--reason", "r".repeat(2001)], "--reason has 2001 characters, at most 2000"],
      [["groups", "create", "g".repeat(201)], "NAME has 201 characters, at most 200"],
      [["roles", "create", "r", "--permission", `x.${"y".repeat(300)}`], "--permission has 302 characters, at most 200"],
      [["--as", `${"a".repeat(300)}@acme.test`, "users", "list"], "--as has 310 characters, at most 254"]
    ]
    for (const [args, message] of cases) {
      const run = await usher(temp, [...args, "--json"])
      assert.strictEqual(run.code, 1, `${args.slice(0, 2).join(" ")}: ${run.stdout}${run.stderr}`)
      assert.strictEqual(run.json.error._tag, "InputTooLong")
      assert.include(run.json.error.message, message)
    }
    const actor = await usher(temp, ["users", "list", "--json"], { USHER_ACTOR: `${"a".repeat(100_000)}@acme.test` })
    assert.strictEqual(actor.code, 1)
    assert.strictEqual(actor.json.error.message, "Too long: USHER_ACTOR has 100010 characters, at most 254.")
    const huge = await usher(temp, ["x".repeat(100_000)])
    assert.strictEqual(huge.code, 2)
    assert.isBelow(huge.stderr.length, 300, "an unknown command is quoted only in part")
  })

  it("--expires takes ISO 8601 only: \"Dec 25 2027\" is refused; 2027-12-25 and a full timestamp are accepted", async () => {
    const temp = await directory()
    await usher(temp, ["users", "invite", "bob@acme.test", "--link"])
    const refused = await usher(temp, ["roles", "grant", "auditor", "--user", "bob@acme.test", "--expires", "Dec 25 2027", "--json"])
    assert.strictEqual(refused.code, 1)
    assert.strictEqual(refused.json.error._tag, "InvalidInput")
    assert.include(refused.json.error.message, "ISO 8601")
    const day = await usher(temp, ["roles", "grant", "auditor", "--user", "bob@acme.test", "--expires", "2027-12-25", "--json"])
    assert.strictEqual(day.code, 0, day.stdout)
    assert.strictEqual(day.json.expiresAt, "2027-12-25T00:00:00.000Z")
    const full = await usher(temp, ["roles", "grant", "auditor", "--user", "bob@acme.test", "--expires", "2027-12-25T17:30:00Z", "--json"])
    assert.strictEqual(full.code, 0, full.stdout)
    assert.strictEqual(full.json.expiresAt, "2027-12-25T17:30:00.000Z")
  })

  it("refuses a homoglyph domain and a right-to-left override in a name; shows an IDN with its punycode", async () => {
    const temp = await directory()
    const homoglyph = await usher(temp, ["users", "create", "bob@\u0430cme.test", "--first-name", "Bob", "--last-name", "B", "--json"])
    assert.strictEqual(homoglyph.code, 1)
    assert.strictEqual(homoglyph.json.error._tag, "InvalidEmail")
    assert.include(homoglyph.json.error.message, "mixes Cyrillic and Latin letters")
    const invite = await usher(temp, ["users", "invite", "bob@\u0430cme.test", "--link", "--json"])
    assert.strictEqual(invite.json.error._tag, "InvalidEmail")
    const rlo = await usher(temp, ["users", "create", "eve@acme.test", "--first-name", "Eve\u202eexe.txt", "--last-name", "E", "--json"])
    assert.strictEqual(rlo.code, 1)
    assert.strictEqual(rlo.json.error._tag, "InvalidProfile")
    assert.include(rlo.json.error.message, "U+202E")
    const zwsp = await usher(temp, ["users", "update", "admin@acme.test", "--last-name", "Ad\u200bmin", "--json"])
    assert.strictEqual(zwsp.json.error._tag, "InvalidProfile")
    const list = await usher(temp, ["users", "list", "--json"])
    assert.deepStrictEqual(list.json.map((u: { email: string }) => u.email), ["admin@acme.test"], "nothing was written")

    const idn = await usher(temp, ["users", "create", "ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", "--first-name", "Ivan", "--last-name", "I"])
    assert.strictEqual(idn.code, 0, idn.stderr)
    const shown = await usher(temp, ["users", "show", "ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"])
    assert.match(shown.stdout, /punycode:\s+ivan@xn--e1afmkfd\.xn--p1ai/)
    const ascii = await usher(temp, ["users", "show", "admin@acme.test"])
    assert.notInclude(ascii.stdout, "punycode")
  })

  it("a role permission in a catalog namespace must be in the catalog: users.raed is refused naming it", async () => {
    const temp = await directory()
    const typo = await usher(temp, ["roles", "create", "helpdesk", "--permission", "users.read", "--permission", "users.raed", "--json"])
    assert.strictEqual(typo.code, 1)
    assert.strictEqual(typo.json.error._tag, "InvalidPermission")
    assert.include(typo.json.error.message, "Unknown permission users.raed")
    const roles = await usher(temp, ["roles", "list", "--json"])
    assert.notInclude(roles.json.map((r: { name: string }) => r.name), "helpdesk")
    const app = await usher(temp, ["roles", "create", "payer", "--permission", "expenses.approve", "--json"])
    assert.strictEqual(app.code, 0, app.stdout)
  })
})
