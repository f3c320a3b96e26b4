import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Core from "../src/index.js"
import { hashToken } from "../src/Domain/Credentials.js"
import { count, csvFile, fileFolder, HEADER, importAs, mailedToken, problemTags, rows } from "./importSupport.js"
import { activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, refuseInserts, snapshot, system, withDatabase, verdict } from "./support.js"

/** A directory with a second organization, groups in both, an app and a custom role. */
const directory = Effect.gen(function*() {
  yield* initialized
  yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(system)
  yield* Core.createGroup({ name: "finance" }).pipe(system)
  yield* Core.createGroup({ name: "ops", org: "beta" }).pipe(system)
  yield* Core.createApp("acme/crm").pipe(system)
  yield* Core.createRole({ name: "crm-user", permissions: ["crm.use"] }).pipe(system)
  yield* Core.grantRole({ role: "auditor", to: { group: "finance" } }).pipe(system)
}).pipe(Effect.orDie)

describe("importUsers", () => {
  it.live("invites each new row: an invited account in the organization, its roles and groups, an invitation whose link is mailed", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "people.csv", [
        HEADER,
        "grace@acme.test,Grace,Hopper,+1 415 555 2671,female,1906-12-09,Navy,Rear Admiral,crm-user@app:acme/crm;user-manager,finance",
        "alan@acme.test,Alan,Turing,,,,,,,",
        "nameless@acme.test,,,,,,,,,"
      ])
      const head = yield* auditHead
      const report = yield* importAs(ADMIN, { file })
      assert.deepInclude(report, { org: "acme", mode: "invite", dryRun: false, rows: 3, created: 3, updated: 0, skipped: 0, failed: 0, batches: 1 })
      assert.deepStrictEqual(report.mail, { queued: 3, sent: 3, failed: 0 })

      const grace = yield* Core.showUser("grace@acme.test").pipe(asUser(ADMIN))
      assert.deepInclude(grace.user, {
        status: "invited", firstName: "Grace", lastName: "Hopper", phone: "+14155552671", gender: "female", birthday: "1906-12-09",
        orgUnit: "Navy", position: "Rear Admiral", kind: "member", registeredAt: null, version: 1
      })
      assert.deepStrictEqual(grace.organizations.map((o) => o.slug), ["acme"])
      assert.deepStrictEqual(grace.groups.map((g) => `${g.org}/${g.name}`), ["acme/finance"])
      assert.deepStrictEqual(grace.grants.map((g) => `${g.role}@${g.scope}${g.group === null ? "" : ` via ${g.group}`}`), [
        "auditor@org:acme via acme/finance", "crm-user@app:acme/crm", "user-manager@org:acme"
      ])
      const invitations = yield* Core.listInvitations({ status: "pending" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(invitations.map((i) => i.email).sort(), ["alan@acme.test", "grace@acme.test", "nameless@acme.test"])

      // one audit row per account, grant and membership, then the batch
      assert.deepStrictEqual(yield* auditActions(head), [
        "user.import", "role.grant", "role.grant", "group.member.add", "user.import", "user.import", "import.batch"
      ])
      const [batch] = (yield* Core.listAudit({ limit: 1 }).pipe(asUser(ADMIN)))
      assert.deepStrictEqual(batch!.details, { file: "people.csv", batch: 1, lines: [2, 4], mode: "invite", org: "acme", created: 3, updated: 0 })

      // the mail names the access waiting; only the token's hash is stored; the link works
      const mails = yield* rows<{ toAddress: string; status: string; file: string; textBody: string }>("outbox", "to_address, status, file, text_body")
      assert.deepStrictEqual(mails.map((m) => [m.toAddress, m.status]), [["alan@acme.test", "sent"], ["grace@acme.test", "sent"], ["nameless@acme.test", "sent"]])
      assert.include(mails[1]!.textBody, "Ada Admin (admin@acme.test) invited you (grace@acme.test) to join Acme (acme) with the roles crm-user@app:acme/crm, user-manager@org:acme and the groups acme/finance.")
      assert.isTrue(existsSync(mails[1]!.file))
      const token = yield* mailedToken("grace@acme.test")
      const stored = yield* rows<{ hash: string; purpose: string }>("tokens", "hash, purpose")
      assert.deepStrictEqual(stored.filter((t) => t.hash === hashToken(token)).map((t) => t.purpose), ["invite"])
      assert.notInclude(JSON.stringify(yield* rows("tokens", "*")), token)
      assert.notInclude(JSON.stringify(yield* rows("invitations", "*")), token)
      const accepted = yield* Core.acceptInvitation({ token, password: "a long enough passphrase" }).pipe(system)
      assert.strictEqual(accepted.status, "active")
      assert.isTrue((yield* Core.why("grace@acme.test", "users.invite", "org:acme").pipe(system)).allowed)
      assert.deepStrictEqual(verdict(yield* Core.verifyAudit.pipe(system)), { ok: true, events: yield* auditHead, problems: [] })
    }).pipe(Effect.scoped)))

  it.live("--create makes provisioned accounts without a usable password and mails each a link to choose one", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "staff.csv", ["Email,First Name,Last Name", "linus@acme.test,Linus,Torvalds", "nonames@acme.test,,"])
      const report = yield* importAs(ADMIN, { file, mode: "create" })
      assert.deepInclude(report, { created: 1, failed: 1, mode: "create" })
      assert.deepStrictEqual(report.problems, [{
        line: 3, email: "nonames@acme.test", error: { _tag: "InvalidProfile", message: "Invalid first name: an account the import creates needs one." }
      }])
      const [row] = yield* rows<{ status: string; passwordHash: string | null; mustChangePassword: number }>(
        "users", "status, password_hash, must_change_password", "email = 'linus@acme.test'"
      )
      assert.deepStrictEqual(row, { status: "provisioned", passwordHash: null, mustChangePassword: 1 })
      assert.strictEqual(yield* count("invitations"), 0)
      const [mail] = yield* rows<{ kind: string; subject: string; textBody: string }>("outbox", "kind, subject, text_body")
      assert.deepStrictEqual([mail!.kind, mail!.subject], ["password-reset", "Your account at Acme: choose your password"])
      assert.include(mail!.textBody, "Ada Admin (admin@acme.test) created an account for you (linus@acme.test) at Acme (acme).")
      // nobody can sign in before choosing a password; the mailed link activates the account
      yield* failsWith(Core.signIn({ email: "linus@acme.test", password: "" }).pipe(system), "SignInFailed")
      const user = yield* Core.completePasswordReset({ token: yield* mailedToken("linus@acme.test"), password: "correct horse battery" }).pipe(system)
      assert.deepInclude(user, { status: "active", mustChangePassword: false })
    }).pipe(Effect.scoped)))

  it.live("every bad line is reported with its line number and reason; the other lines are imported", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "mia@acme.test", roles: ["user-manager"] })
      yield* activeUser({ email: "bob@beta.test", org: "beta" })
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "mixed.csv", [
        HEADER,
        "ok1@acme.test,Ok,One,,,,,,,",
        "\"broken@acme.test,No,Close,,,,,,,",
        "short@acme.test,Too,Few",
        "not-an-email,A,B,,,,,,,",
        "phone@acme.test,A,B,12345,,,,,,",
        "",
        "bday@acme.test,A,B,,,2999-01-01,,,,",
        "role@acme.test,A,B,,,,,,no-such-role,",
        "group@acme.test,A,B,,,,,,,no-such-group",
        "scope@acme.test,A,B,,,,,,auditor@org:nowhere,",
        "OK1@acme.test,Again,Later,,,,,,,",
        "escalate@acme.test,A,B,,,,,,org-admin,",
        "elsewhere@acme.test,A,B,,,,,,auditor@org:beta,",
        "othergroup@acme.test,A,B,,,,,,,beta/ops",
        "bob@beta.test,Bobby,,,,,,,,",
        "ok2@acme.test,Ok,Two,,,,,,auditor,finance"
      ])
      const report = yield* importAs("mia@acme.test", { file })
      assert.deepStrictEqual(problemTags(report), [
        "3: CsvLineMalformed", "4: CsvLineMalformed", "5: InvalidEmail", "6: InvalidPhone", "8: InvalidProfile", "9: RoleNotFound",
        "10: GroupNotFound", "11: ScopeNotFound", "12: DuplicateRow", "13: EscalationDenied", "14: NotAMember", "15: NotAMember",
        "16: PermissionDenied"
      ])
      assert.deepInclude(report, { rows: 15, created: 2, updated: 0, skipped: 0, failed: 13 })
      const message = (line: number) => report.problems.find((p) => p.line === line)?.error.message
      assert.strictEqual(message(4), "Malformed CSV line: it has 3 fields; the header has 10.")
      assert.strictEqual(message(12), "ok1@acme.test appears already on line 2; only that first row is imported.")
      assert.include(message(13), "You cannot grant org-admin at org:acme: it carries ")
      assert.strictEqual(message(16), "Permission denied: you need users.update at org:beta.")
      assert.deepStrictEqual(report.problems.find((p) => p.line === 12)?.email, "ok1@acme.test")
      const imported = yield* rows<{ email: string }>("users", "email", "status = 'invited'")
      assert.deepStrictEqual(imported.map((r) => r.email), ["ok1@acme.test", "ok2@acme.test"])
    }).pipe(Effect.scoped)))

  it.live("a known e-mail is an update: changed fields, missing roles and groups; nothing is removed; unchanged rows are skipped", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const before = yield* activeUser({ email: "kim@acme.test", firstName: "Kim", lastName: "Lee", phone: "+44 20 7946 0958", roles: ["auditor"] })
      yield* activeUser({ email: "same@acme.test", firstName: "Sam", lastName: "Same" })
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "update.csv", [
        HEADER,
        "KIM@acme.test,Kimberly,Lee,,,,Research,,auditor;crm-user@app:acme/crm,finance",
        "same@acme.test,Sam,Same,,,,,,,"
      ])
      const head = yield* auditHead
      const report = yield* importAs(ADMIN, { file })
      assert.deepInclude(report, { created: 0, updated: 1, skipped: 1, failed: 0 })
      assert.deepStrictEqual(report.updates, [{ line: 2, email: "kim@acme.test", fields: ["firstName", "orgUnit"], orgs: [], roles: ["crm-user@app:acme/crm"], groups: ["acme/finance"] }])
      const after = yield* Core.showUser("kim@acme.test").pipe(asUser(ADMIN))
      assert.deepInclude(after.user, { firstName: "Kimberly", lastName: "Lee", phone: "+442079460958", orgUnit: "Research", status: "active", version: before.version + 1 })
      assert.deepStrictEqual(after.grants.filter((g) => g.group === null).map((g) => `${g.role}@${g.scope}`), ["auditor@org:acme", "crm-user@app:acme/crm"])
      assert.deepStrictEqual(yield* auditActions(head), ["user.update", "role.grant", "group.member.add", "import.batch"])
      const [update] = (yield* Core.listAudit({ userId: after.user.id, limit: 10 }).pipe(asUser(ADMIN))).filter((e) => e.action === "user.update")
      assert.deepStrictEqual(update!.details, { firstName: { from: "Kim", to: "Kimberly" }, orgUnit: { from: null, to: "Research" } })
      assert.strictEqual(yield* count("invitations"), 0, "no invitation for an existing account")
    }).pipe(Effect.scoped)))

  it.live("re-running the same file changes nothing, not even the audit log", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "again.csv", [
        HEADER,
        "a@acme.test,A,One,+4930901820,,1990-01-02,Unit,Pos,crm-user@app:acme/crm,finance",
        "b@acme.test,B,Two,,,,,,,",
        "bad,B,Two,,,,,,,"
      ])
      const first = yield* importAs(ADMIN, { file })
      assert.deepInclude(first, { created: 2, failed: 1 })
      const before = yield* snapshot
      const second = yield* importAs(ADMIN, { file })
      assert.deepInclude(second, { created: 0, updated: 0, skipped: 2, failed: 1, batches: 0 })
      assert.deepStrictEqual(second.mail, { queued: 0, sent: 0, failed: 0 })
      assert.deepStrictEqual(yield* snapshot, before)
    }).pipe(Effect.scoped)))

  it.live("a dry run reports what a real run does and writes nothing", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "kim@acme.test", firstName: "Kim", lastName: "Lee" })
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "dry.csv", [HEADER, "new@acme.test,N,Ew,,,,,,,finance", "kim@acme.test,Kimberly,Lee,,,,,,,", "bad@,x,y,,,,,,,"])
      const before = yield* snapshot
      const dry = yield* importAs(ADMIN, { file, dryRun: true })
      assert.deepStrictEqual(yield* snapshot, before, "a dry run writes nothing")
      assert.strictEqual(readFileSync(file, "utf8").split("\n").length, 5)
      const real = yield* importAs(ADMIN, { file })
      assert.deepStrictEqual({ ...dry, dryRun: false, batches: 1, mail: { ...dry.mail, sent: 1 } }, real)
      assert.deepInclude(dry, { created: 1, updated: 1, failed: 1, batches: 0 })
    }).pipe(Effect.scoped)))

  it.live("lines are applied in batches, each one transaction with its own audit row", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "batches.csv", [HEADER, ...Array.from({ length: 5 }, (_, i) => `u${i}@acme.test,U,${i},,,,,,,`)])
      const progress: Array<Core.ImportProgress> = []
      const report = yield* importAs(ADMIN, { file, batchSize: 2, deliver: false, onBatch: (p) => progress.push(p) })
      assert.deepInclude(report, { created: 5, batches: 3 })
      assert.deepStrictEqual(report.mail, { queued: 5, sent: 0, failed: 0 })
      assert.strictEqual(yield* count("outbox", "status = 'queued'"), 5, "mails left for outbox send")
      assert.deepStrictEqual(progress.map((p) => [p.batch, p.lastLine, p.created]), [[1, 3, 2], [2, 5, 4], [3, 6, 5]])
      const batches = (yield* Core.listAudit({ limit: 100 }).pipe(asUser(ADMIN))).filter((e) => e.action === "import.batch").reverse()
      assert.deepStrictEqual(batches.map((e) => (e.details as { lines: unknown }).lines), [[2, 3], [4, 5], [6, 6]])
      yield* failsWith(importAs(ADMIN, { file, batchSize: 0 }), "InvalidInput")
    }).pipe(Effect.scoped)))

  it.live("a failure of the system after some batches stops the import with what was applied, never as if nothing was", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* refuseInserts("refuse_boom", "users", "NEW.email = 'boom@acme.test'", "disk on fire")
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "boom.csv", [HEADER, "a@acme.test,A,A,,,,,,,", "b@acme.test,B,B,,,,,,,", "c@acme.test,C,C,,,,,,,", "boom@acme.test,D,D,,,,,,,", "e@acme.test,E,E,,,,,,,"])
      const stopped = yield* failsWith(importAs(ADMIN, { file, batchSize: 2 }), "ImportStopped")
      assert.deepInclude(stopped, { lastLine: 3, batches: 1 })
      assert.include(stopped.message, "disk on fire")
      assert.include(stopped.message, "Run it again with the same file")
      assert.deepStrictEqual((yield* rows<{ email: string }>("users", "email", "status = 'invited'")).map((r) => r.email), ["a@acme.test", "b@acme.test"])
      // in the first batch, nothing was applied: it stays a defect (shown as an internal error)
      const first = yield* csvFile(dir, "first.csv", [HEADER, "boom@acme.test,D,D,,,,,,,"])
      const exit = yield* Effect.exit(importAs(ADMIN, { file: first }))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.deepStrictEqual(verdict(yield* Core.verifyAudit.pipe(system)), { ok: true, events: yield* auditHead, problems: [] })
    }).pipe(Effect.scoped)))

  it.live("without import.run, or with a file that cannot be read or has no usable header, nothing is imported", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "aud@acme.test", roles: ["auditor"] })
      yield* activeUser({ email: "mia@acme.test", roles: ["user-manager"] })
      const dir = yield* fileFolder
      const good = yield* csvFile(dir, "good.csv", [HEADER, "x@acme.test,X,Y,,,,,,,"])
      const denied = yield* failsWithNothingWritten(importAs("aud@acme.test", { file: good }), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["import.run", "org:acme"])
      assert.strictEqual((yield* failsWithNothingWritten(importAs("mia@acme.test", { file: good, org: "beta" }), "PermissionDenied")).scope, "org:beta")
      yield* failsWithNothingWritten(importAs(ADMIN, { file: good, org: "nowhere" }), "OrgNotFound")
      assert.strictEqual((yield* failsWithNothingWritten(importAs(ADMIN, { file: join(dir, "missing.csv") }), "FileUnreadable")).reason, "no such file")
      mkdirSync(join(dir, "folder.csv"))
      assert.strictEqual((yield* failsWithNothingWritten(importAs(ADMIN, { file: join(dir, "folder.csv") }), "FileUnreadable")).reason, "it is a folder")
      writeFileSync(join(dir, "binary.csv"), Buffer.from([0x65, 0x6d, 0x00, 0x61]))
      assert.include((yield* failsWithNothingWritten(importAs(ADMIN, { file: join(dir, "binary.csv") }), "FileUnreadable")).reason, "not a UTF-8 text file")
      writeFileSync(join(dir, "latin1.csv"), Buffer.from("email,lastName\nz@acme.test,M\xfcller\n", "latin1"))
      yield* failsWithNothingWritten(importAs(ADMIN, { file: join(dir, "latin1.csv") }), "FileUnreadable")
      const unknown = yield* csvFile(dir, "unknown.csv", ["email,firstName,department", "x@acme.test,X,IT"])
      assert.include((yield* failsWithNothingWritten(importAs(ADMIN, { file: unknown }), "CsvHeaderInvalid")).message, "\"department\"")
      yield* failsWithNothingWritten(importAs(ADMIN, { file: yield* csvFile(dir, "empty.csv", []) }), "CsvHeaderInvalid")
    }).pipe(Effect.scoped)))

  it.live("an org admin imports into its own organization only, with what it may hand out", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "olga@beta.test", org: "beta", roles: ["org-admin"] })
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "beta.csv", [HEADER, "new@beta.test,New,Person,,,,,,auditor,ops", "admin@beta.test,A,B,,,,,,provider-admin@provider,"])
      const report = yield* importAs("olga@beta.test", { file, org: "beta" })
      assert.deepStrictEqual(problemTags(report), ["3: PermissionDenied"])
      assert.strictEqual(report.problems[0]!.error.message, "Permission denied: you need roles.assign at provider.")
      const detail = yield* Core.showUser("new@beta.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual(detail.organizations.map((o) => o.slug), ["beta"])
      assert.deepStrictEqual(detail.grants.filter((g) => g.group === null).map((g) => `${g.role}@${g.scope}`), ["auditor@org:beta"])
      assert.deepStrictEqual(detail.groups.map((g) => `${g.org}/${g.name}`), ["beta/ops"])
    }).pipe(Effect.scoped)))

  it.live("when admin grants need approval, an import does not hand them out", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.setSetting("approval.gates", "admin-grants").pipe(system)
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "admins.csv", [HEADER, "boss@acme.test,B,Oss,,,,,,org-admin,", "plain@acme.test,P,Lain,,,,,,auditor,"])
      const report = yield* importAs(ADMIN, { file })
      assert.deepStrictEqual(problemTags(report), ["2: GrantNeedsApproval"])
      assert.include(report.problems[0]!.error.message, "grant the role on its own, which files the request")
      assert.strictEqual(report.created, 1)
    }).pipe(Effect.scoped)))

  it.live("item 4: with admin grants gated, an import cannot add anyone to a group that carries org-admin", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.createGroup({ name: "admins" }).pipe(system)
      yield* Core.grantRole({ role: "org-admin", to: { group: "admins" }, scope: "org:acme" }).pipe(system)
      yield* activeUser({ email: "member@acme.test" })
      yield* Core.setSetting("approval.gates", "admin-grants").pipe(system)
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "admins.csv", [HEADER, "member@acme.test,,,,,,,,,admins", "fresh@acme.test,F,Resh,,,,,,,admins"])
      const report = yield* importAs(ADMIN, { file })
      assert.deepStrictEqual(problemTags(report), ["2: GrantNeedsApproval", "3: GrantNeedsApproval"])
      assert.include(report.problems[0]!.error.message, "acme/admins")
      const members = yield* Core.groupMembers("admins").pipe(asUser(ADMIN))
      assert.deepStrictEqual(members.members.map((m) => m.email), [])
    }).pipe(Effect.scoped)))

  it.live("an import does not change an account stronger than the importer's: it answers as a missing one", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "mallory@acme.test", roles: ["user-manager"] })
      yield* activeUser({ email: "grace@acme.test" })
      const dir = yield* fileFolder
      const file = yield* csvFile(dir, "rename.csv", [HEADER, `${ADMIN},Mal,Lory,,,,,,,`, "grace@acme.test,Grace,Renamed,,,,,,,"])
      const report = yield* importAs("mallory@acme.test", { file })
      assert.deepStrictEqual(problemTags(report), ["2: UserNotFound"])
      assert.strictEqual(report.problems[0]!.error.message, new Core.UserNotFound({ user: ADMIN }).message)
      assert.strictEqual((yield* Core.showUser(ADMIN).pipe(asUser(ADMIN))).user.firstName, "Ada")
      assert.strictEqual((yield* Core.showUser("grace@acme.test").pipe(asUser(ADMIN))).user.lastName, "Renamed")
    }).pipe(Effect.scoped)))
})
