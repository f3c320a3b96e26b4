import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { parseCommand, USAGE, type Command, type Target } from "../../src/parse/command.js"
import { tokenize } from "../../src/parse/tokens.js"

const ok = (text: string): Command => {
  const result = parseCommand(text)
  if (Either.isLeft(result)) return assert.fail(`expected "${text}" to parse, got: ${result.left.message}`)
  return result.right
}

const error = (text: string) => {
  const result = parseCommand(text)
  if (Either.isRight(result)) return assert.fail(`expected "${text}" to be refused, got ${JSON.stringify(result.right)}`)
  return result.left
}

describe("command text", () => {
  it("reads mentions, mailto links and quoted reasons the way Slack sends them", () => {
    assert.deepStrictEqual(ok("suspend <@U0BOB|bob> \"on leave until June\""), {
      _tag: "Suspend", target: { _tag: "SlackUser", id: "U0BOB", label: "@bob" }, reason: "on leave until June"
    })
    assert.deepStrictEqual(ok("delete <mailto:Bob@Acme.test|Bob@Acme.test> left the company"), {
      _tag: "Delete", target: { _tag: "Email", email: "bob@acme.test" }, reason: "left the company"
    })
    assert.deepStrictEqual(ok("suspend bob@acme.test “asked by HR” today"), {
      _tag: "Suspend", target: { _tag: "Email", email: "bob@acme.test" }, reason: "asked by HR today"
    })
    assert.deepStrictEqual(ok("suspend <@U0BOB> it's &lt;urgent&gt; &amp; quiet"), {
      _tag: "Suspend", target: { _tag: "SlackUser", id: "U0BOB", label: "@U0BOB" }, reason: "it's <urgent> & quiet"
    })
    assert.deepStrictEqual(ok("  SUSPEND   bob@acme.test  "), { _tag: "Suspend", target: { _tag: "Email", email: "bob@acme.test" }, reason: undefined })
    assert.deepStrictEqual(ok("delete <@U0BOB|Bob Smith>"), {
      _tag: "Delete", target: { _tag: "SlackUser", id: "U0BOB", label: "@Bob Smith" }, reason: ""
    }, "a label with spaces stays one word; the missing reason is core's to refuse")
  })

  it("parses every subcommand", () => {
    assert.deepStrictEqual(ok(""), { _tag: "Help" })
    assert.deepStrictEqual(ok("help"), { _tag: "Help" })
    assert.deepStrictEqual(ok("pending"), { _tag: "Pending" })
    assert.deepStrictEqual(ok("invite"), { _tag: "InviteForm" })
    assert.deepStrictEqual(ok("invite new@acme.test user-manager@org:acme approver@org:acme group:ops group:acme/dev --link"), {
      _tag: "Invite", email: "new@acme.test", roles: ["user-manager", "approver"], scope: "org:acme", groups: ["ops", "acme/dev"], link: true
    })
    assert.deepStrictEqual(ok("invite new@acme.test auditor@app:acme/expenses"), {
      _tag: "Invite", email: "new@acme.test", roles: ["auditor"], scope: "app:acme/expenses", groups: [], link: false
    })
    assert.deepStrictEqual(ok("reactivate <@U0BOB|bob>"), { _tag: "Reactivate", target: { _tag: "SlackUser", id: "U0BOB", label: "@bob" } })
    assert.deepStrictEqual(ok("role grant bob@acme.test approver@org:acme"), {
      _tag: "RoleGrant", target: { _tag: "Email", email: "bob@acme.test" }, role: "approver", scope: "org:acme", expiresIn: undefined, reason: undefined
    })
    assert.deepStrictEqual(ok("role grant bob@acme.test approver@org:acme for 8H on call this week"), {
      _tag: "RoleGrant", target: { _tag: "Email", email: "bob@acme.test" }, role: "approver", scope: "org:acme", expiresIn: "8h", reason: "on call this week"
    })
    // "for" that starts a reason is the reason
    assert.deepStrictEqual(ok("role grant bob@acme.test approver for the audit"), {
      _tag: "RoleGrant", target: { _tag: "Email", email: "bob@acme.test" }, role: "approver", scope: undefined, expiresIn: undefined, reason: "for the audit"
    })
    assert.deepStrictEqual(ok("role grant bob@acme.test org-admin \"new team lead\""), {
      _tag: "RoleGrant", target: { _tag: "Email", email: "bob@acme.test" }, role: "org-admin", scope: undefined, expiresIn: undefined, reason: "new team lead"
    })
    assert.deepStrictEqual(ok("role revoke <@U0BOB|bob> auditor"), {
      _tag: "RoleRevoke", target: { _tag: "SlackUser", id: "U0BOB", label: "@bob" }, role: "auditor", scope: undefined
    })
    assert.deepStrictEqual(ok("whois bob@acme.test"), { _tag: "Whois", target: { _tag: "Email", email: "bob@acme.test" } })
    assert.deepStrictEqual(ok("why bob@acme.test users.suspend org:acme"), {
      _tag: "Why", target: { _tag: "Email", email: "bob@acme.test" }, permission: "users.suspend", scope: "org:acme"
    })
  })

  it("names what is wrong and gives the usage line", () => {
    const unknownUser = error("suspend @bob")
    assert.include(unknownUser.message, "Unknown user @bob")
    assert.strictEqual(unknownUser.usage, USAGE.suspend)
    assert.include(error("whois bob@").message, "not a valid e-mail address")
    assert.include(error("invite not-an-email").message, "not a valid e-mail address")
    assert.include(error("whois bob").message, "neither an @mention nor an e-mail")
    assert.include(error("role promote bob@acme.test x").message, "grant or revoke")
    assert.include(error("role grant bob@acme.test").message, "which role")
    assert.include(error("role grant bob@acme.test approver for 400d").message, "\"400d\" is not a duration: use a whole number with m, h, d or w")
    assert.include(error("role grant bob@acme.test approver for 8x").message, "is not a duration")
    assert.include(error("invite a@acme.test x@org:acme y@provider").message, "same scope")
    assert.include(error("invite a@acme.test x y@org:acme").message, "same scope")
    assert.include(error("invite a@acme.test --force").message, "Unknown option --force")
    assert.include(error("whois a@acme.test b@acme.test").message, "Unexpected \"b@acme.test\"")
    assert.include(error("role revoke a@acme.test auditor because").message, "Unexpected \"because\"")
    assert.include(error("why a@acme.test").message, "which permission")
    const unknown = error("frobnicate")
    assert.include(unknown.message, "Unknown command \"frobnicate\"")
    assert.include(unknown.usage, USAGE.invite)
    assert.include(error("invite <@U0X|x>").message, "by their e-mail")
  })

  it("any text gives a typed result and never throws", () => {
    const tags = new Set(["Help", "InviteForm", "Invite", "Suspend", "Reactivate", "RoleGrant", "RoleRevoke", "Delete", "Whois", "Why", "Pending"])
    const slackish = fc.array(fc.oneof(
      fc.constantFrom("invite", "suspend", "reactivate", "role", "grant", "revoke", "delete", "whois", "why", "pending", "help", "--link", "group:", "@", "<", ">", "|", "\"", "'", "“", "”", "&lt;", "&amp;", " ", "\t", "\n"),
      fc.string(),
      fc.emailAddress(),
      fc.stringMatching(/^<@[UW][A-Z0-9]{1,10}(\|[^>]{0,12})?>$/),
      fc.stringMatching(/^<mailto:[^>|]{0,20}\|[^>]{0,20}>$/)
    ), { maxLength: 12 }).map((parts) => parts.join(" "))
    fc.assert(fc.property(fc.oneof(fc.string({ unit: "grapheme", maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }), slackish), (text) => {
      const result = parseCommand(text)
      if (Either.isRight(result)) {
        assert.isTrue(tags.has(result.right._tag))
      } else {
        assert.strictEqual(result.left._tag, "ParseError")
        assert.isAbove(result.left.message.length, 0)
        assert.isAbove(result.left.usage.length, 0)
      }
    }), { numRuns: 10_000 })
  })

  it("property: 10k texts up to and past the length limits give a command or a ParseError, quickly and never a throw", () => {
    const long = fc.tuple(fc.constantFrom("suspend a@acme.test ", "delete <@U0BOB> ", "role grant a@acme.test ", "why a@acme.test ", "invite ", "", "<", "\""),
      fc.integer({ min: 0, max: 6000 }), fc.constantFrom("a", "<", "\"", " ", "\u0430", "@", "\u{1F600}"))
      .map(([head, n, unit]) => head + unit.repeat(n))
    fc.assert(fc.property(long, (text) => {
      const result = parseCommand(text)
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "ParseError")
        assert.isBelow(result.left.message.length, 600, "a long input is not quoted back whole")
      }
    }), { numRuns: 10_000 })
  })

  it("length limits (issue 9, item 11): the whole text, e-mails, reasons, roles, scopes, groups and permissions", () => {
    const started = Date.now()
    const huge = error(`suspend a@acme.test ${"<".repeat(100_000)}`)
    assert.isBelow(Date.now() - started, 1000, "refused before it is split into words")
    assert.include(huge.message, "Too long: the command has 100020 characters, at most 4000.")
    assert.include(error(`suspend a@acme.test ${"r".repeat(2001)}`).message, "the reason has 2001 characters, at most 2000")
    assert.include(error(`delete a@acme.test ${"r ".repeat(1200)}`).message, "the reason has 2399 characters, at most 2000")
    assert.deepStrictEqual(ok(`suspend a@acme.test ${"r".repeat(2000)}`), { _tag: "Suspend", target: { _tag: "Email", email: "a@acme.test" }, reason: "r".repeat(2000) })
    assert.include(error(`whois ${"a".repeat(250)}@acme.test`).message, "the e-mail has 260 characters, at most 254")
    assert.include(error(`invite ${"a".repeat(250)}@acme.test`).message, "at most 254")
    assert.include(error(`role grant a@acme.test ${"r".repeat(201)}`).message, "the role has 201 characters, at most 200")
    assert.include(error(`role revoke a@acme.test auditor@${"s".repeat(201)}`).message, "the scope has 201 characters")
    assert.include(error(`invite b@acme.test group:${"g".repeat(201)}`).message, "the group name has 201 characters")
    assert.include(error(`invite b@acme.test ${"r".repeat(201)}`).message, "the role has 201 characters")
    assert.include(error(`why a@acme.test x.${"y".repeat(199)}`).message, "the permission has 201 characters")
    assert.include(error("whois bob@\u0430cme.test").message, "mixes Cyrillic and Latin letters")
  })

  it("a command written out the way Slack escapes it parses back to itself", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9.,:;!?()\-_/+=]{1,12}$/).filter((w) => !w.startsWith("--"))
    const email = fc.emailAddress().filter((e) => /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(e) && e.length < 60)
    const slackUser = fc.record({ id: fc.stringMatching(/^U[A-Z0-9]{4,10}$/), name: fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/) })
    const target = fc.oneof(
      slackUser.map(({ id, name }) => ({ text: `<@${id}|${name}>`, target: { _tag: "SlackUser", id, label: `@${name}` } as Target })),
      email.map((e) => ({ text: e, target: { _tag: "Email", email: e } as Target })),
      email.map((e) => ({ text: `<mailto:${e}|${e}>`, target: { _tag: "Email", email: e } as Target }))
    )
    const reason = fc.array(word, { minLength: 1, maxLength: 6 })
    const role = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/)
    const scope = fc.option(fc.constantFrom("provider", "org:acme", "app:acme/expenses"), { nil: undefined })
    const commands = fc.oneof(
      fc.tuple(target, reason, fc.boolean()).map(([t, r, quote]) => ({
        text: `suspend ${t.text} ${quote ? `"${r.join(" ")}"` : r.join(" ")}`,
        command: { _tag: "Suspend", target: t.target, reason: r.join(" ") } as Command
      })),
      fc.tuple(target, reason).map(([t, r]) => ({ text: `delete ${t.text} ${r.join(" ")}`, command: { _tag: "Delete", target: t.target, reason: r.join(" ") } as Command })),
      fc.tuple(fc.constantFrom("grant", "revoke"), target, role, scope).map(([verb, t, r, s]) => ({
        text: `role ${verb} ${t.text} ${s === undefined ? r : `${r}@${s}`}`,
        command: (verb === "grant" ? { _tag: "RoleGrant", target: t.target, role: r, scope: s, expiresIn: undefined, reason: undefined } : { _tag: "RoleRevoke", target: t.target, role: r, scope: s }) as Command
      })),
      fc.tuple(target, role, scope, fc.integer({ min: 1, max: 365 }), fc.constantFrom("h", "d"), fc.option(reason, { nil: undefined })).map(([t, r, s, n, unit, why]) => ({
        text: `role grant ${t.text} ${s === undefined ? r : `${r}@${s}`} for ${n}${unit}${why === undefined ? "" : ` ${why.join(" ")}`}`,
        command: { _tag: "RoleGrant", target: t.target, role: r, scope: s, expiresIn: `${n}${unit}`, reason: why?.join(" ") } as Command
      })),
      fc.tuple(email, fc.array(role, { maxLength: 3 }), scope, fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { maxLength: 3 }), fc.boolean()).map(([e, roles, s, groups, link]) => ({
        text: ["invite", e, ...roles.map((r) => s === undefined ? r : `${r}@${s}`), ...groups.map((g) => `group:${g}`), ...(link ? ["--link"] : [])].join(" "),
        command: { _tag: "Invite", email: e, roles, scope: roles.length === 0 ? undefined : s, groups, link } as Command
      })),
      target.map((t) => ({ text: `whois ${t.text}`, command: { _tag: "Whois", target: t.target } as Command }))
    )
    fc.assert(fc.property(commands, ({ text, command }) => {
      assert.deepStrictEqual(parseCommand(text), Either.right(command))
    }), { numRuns: 1000 })
  })

  it("tokenizes quotes only when they close, and escapes as single words", () => {
    assert.deepStrictEqual(tokenize("a \"b c\" 'd e' it's “f g”").map((t) => t.text), ["a", "b c", "d e", "it's", "f g"])
    assert.deepStrictEqual(tokenize("\"unclosed quote").map((t) => t.text), ["\"unclosed", "quote"])
    assert.deepStrictEqual(tokenize("<@U1|Bob Smith> <#C1|general> <!here>").map((t) => [t.text, t.mention]), [["@Bob Smith", "U1"], ["#general", undefined], ["@here", undefined]])
  })
})
