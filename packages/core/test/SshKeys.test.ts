import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import * as Core from "../src/index.js"
import { ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, withDatabase, twoOrganizations } from "./support.js"

// real keys from OpenSSH's ssh-keygen, and the fingerprints it prints for them
const folder = mkdtempSync(join(tmpdir(), "usher-keys-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))
const keygen = (name: string, type: string) => {
  const file = join(folder, name)
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-C", `${name}@laptop`, "-f", file])
  const text = readFileSync(`${file}.pub`, "utf8")
  const fingerprint = execFileSync("ssh-keygen", ["-lf", `${file}.pub`], { encoding: "utf8" }).split(" ")[1]!
  return { text, fingerprint, blob: Buffer.from(text.split(" ")[1]!, "base64") }
}
const ed = keygen("ed", "ed25519")
const rsa = keygen("rsa", "rsa")
const ecdsa = keygen("ecdsa", "ecdsa")

const jobs = Core.Jobs.asSystem("ssh")
const lookup = (blob: Uint8Array) => Core.Jobs.sshKeyUser(blob).pipe(jobs)

const directory = twoOrganizations

describe("SSH keys", () => {
  it("fingerprints are the ones ssh-keygen -lf prints, for every key type", () => {
    for (const key of [ed, rsa, ecdsa]) {
      const parsed = Either.getOrThrow(Core.parsePublicKey(key.text))
      assert.strictEqual(parsed.fingerprint, key.fingerprint)
      assert.strictEqual(Core.fingerprintOf(key.blob), key.fingerprint)
    }
    assert.strictEqual(Either.getOrThrow(Core.parsePublicKey(`# my key\n\n${ed.text}\n`)).comment, "ed@laptop")
    for (const bad of ["", "hello", "ssh-ed25519 not-base64!", `ssh-rsa ${ed.text.split(" ")[1]}`, `${ed.text}${rsa.text}`, "-----BEGIN OPENSSH PRIVATE KEY-----"]) {
      assert.isTrue(Either.isLeft(Core.parsePublicKey(bad)), bad)
    }
  })

  it.live("an admin adds a key; it acts as its user, is listed and audited; a second add of it is refused", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const head = yield* auditHead
      const added = yield* Core.addSshKey("olga@acme.test", ed.text).pipe(asUser(ADMIN))
      assert.deepStrictEqual([added.fingerprint, added.user, added.type, added.comment, added.readonly, added.addedBy], [ed.fingerprint, "olga@acme.test", "ssh-ed25519", "ed@laptop", false, ADMIN])
      yield* Core.addSshKey(ADMIN, rsa.text, { readonly: true }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* auditActions(head), ["ssh.key.add", "ssh.key.add"])

      const found = yield* lookup(ed.blob)
      assert.deepStrictEqual([found.user, found.readonly], ["olga@acme.test", false])
      assert.isTrue((yield* lookup(rsa.blob)).readonly)
      yield* failsWith(lookup(ecdsa.blob), "SshKeyUnknown")

      yield* failsWithNothingWritten(Core.addSshKey("bob@acme.test", ed.text).pipe(asUser(ADMIN)), "SshKeyTaken")
      yield* failsWithNothingWritten(Core.addSshKey("bob@acme.test", "ssh-ed25519 AAAA").pipe(asUser(ADMIN)), "SshKeyInvalid")

      assert.deepStrictEqual((yield* Core.listSshKeys().pipe(asUser(ADMIN))).map((k) => [k.user, k.fingerprint]), [[ADMIN, rsa.fingerprint], ["olga@acme.test", ed.fingerprint]])
      assert.deepStrictEqual((yield* Core.listSshKeys("olga@acme.test").pipe(asUser(ADMIN))).map((k) => k.fingerprint), [ed.fingerprint])
      // the auditor reads the keys of acme's members; the provider admin's only if they may read it
      assert.deepStrictEqual((yield* Core.listSshKeys().pipe(asUser("bob@acme.test"))).map((k) => k.user).includes("olga@acme.test"), true)

      // the session is recorded as the key's user, via ssh, naming the key
      const opened = yield* Core.Jobs.openSshSession(ed.fingerprint, "dashboard").pipe(jobs)
      assert.isNotNull(opened.lastUsedAt)
      const sql = yield* SqlClient.SqlClient
      const [event] = yield* sql<{ actor: string; via: string; details: string }>`SELECT actor, via, details FROM audit_events WHERE action = 'ssh.session.open'`
      assert.deepStrictEqual([event!.actor, event!.via, JSON.parse(event!.details).key], [found.userId, "ssh", ed.fingerprint])
      assert.isTrue((yield* Core.verifyAudit.pipe(asUser(ADMIN))).ok)
    })))

  it.live("keys follow the account rules: users.update on the account and within reach", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      // an auditor may not change accounts
      yield* failsWithNothingWritten(Core.addSshKey("olga@acme.test", ed.text).pipe(asUser("bob@acme.test")), "PermissionDenied")
      // an org admin may not give themselves a key to the provider admin's account (out of reach), nor reach other's member
      yield* failsWithNothingWritten(Core.addSshKey(ADMIN, ed.text).pipe(asUser("olga@acme.test")), "UserNotFound")
      yield* failsWithNothingWritten(Core.addSshKey("una@other.test", ed.text).pipe(asUser("olga@acme.test")), "PermissionDenied")
      // but may for a member of acme
      yield* Core.addSshKey("bob@acme.test", ed.text).pipe(asUser("olga@acme.test"))
      yield* Core.addSshKey(ADMIN, rsa.text).pipe(asUser(ADMIN))
      // the org admin reads acme's keys, the provider admin's too, but cannot remove that one (out of reach)
      assert.deepStrictEqual((yield* Core.listSshKeys().pipe(asUser("olga@acme.test"))).map((k) => k.user), [ADMIN, "bob@acme.test"])
      yield* failsWithNothingWritten(Core.removeSshKey(rsa.fingerprint).pipe(asUser("olga@acme.test")), "UserNotFound")
      // another organization's member reads no keys of acme
      assert.deepStrictEqual(yield* Core.listSshKeys().pipe(asUser("una@other.test")), [])
      yield* failsWithNothingWritten(Core.removeSshKey(rsa.fingerprint).pipe(asUser("una@other.test")), "SshKeyNotFound")
      yield* failsWithNothingWritten(Core.removeSshKey(ed.fingerprint).pipe(asUser("bob@acme.test")), "PermissionDenied")

      const head = yield* auditHead
      const removed = yield* Core.removeSshKey(ed.fingerprint).pipe(asUser("olga@acme.test"))
      assert.strictEqual(removed.user, "bob@acme.test")
      assert.deepStrictEqual(yield* auditActions(head), ["ssh.key.remove"])
      yield* failsWith(lookup(ed.blob), "SshKeyUnknown")
      yield* failsWithNothingWritten(Core.removeSshKey(ed.fingerprint).pipe(asUser(ADMIN)), "SshKeyNotFound")
    })))

  it.live("a suspended or deleted user's keys stop at once; reactivated, they work again", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* Core.addSshKey("bob@acme.test", ed.text).pipe(asUser(ADMIN))
      assert.strictEqual((yield* lookup(ed.blob)).user, "bob@acme.test")
      yield* Core.suspendUser("bob@acme.test").pipe(asUser(ADMIN))
      yield* failsWith(lookup(ed.blob), "SshKeyUnknown")
      yield* failsWith(Core.Jobs.openSshSession(ed.fingerprint, "exec", "users list").pipe(jobs), "SshKeyUnknown")
      yield* Core.reactivateUser("bob@acme.test").pipe(asUser(ADMIN))
      assert.strictEqual((yield* lookup(ed.blob)).user, "bob@acme.test")
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET status = 'deleted', email = NULL WHERE email = 'bob@acme.test'`
      yield* failsWith(lookup(ed.blob), "SshKeyUnknown")
    })))
})
