import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { tempDirectories, usher } from "../support.js"

const { initialized: directory } = tempDirectories()

const keygen = (dir: string, name: string) => {
  const file = join(dir, name)
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@laptop`, "-f", file])
  return { pub: `${file}.pub`, fingerprint: execFileSync("ssh-keygen", ["-lf", `${file}.pub`], { encoding: "utf8" }).split(" ")[1]! }
}

describe("usher keys", () => {
  it("adds (from a file or -, --readonly), lists and removes keys; fingerprints as ssh-keygen prints them; errors as JSON", async () => {
    const temp = await directory()
    const laptop = keygen(temp.dir, "laptop")
    const phone = keygen(temp.dir, "phone")
    const added = await usher(temp, ["keys", "add", "admin@acme.test", laptop.pub, "--readonly", "--json"])
    assert.strictEqual(added.code, 0, added.stderr)
    assert.deepStrictEqual([added.json.fingerprint, added.json.readonly, added.json.comment], [laptop.fingerprint, true, "laptop@laptop"])
    const piped = await usher(temp, ["keys", "add", "admin@acme.test", "-"], {}, readFileSync(phone.pub, "utf8"))
    assert.strictEqual(piped.stdout, `Added ssh-ed25519 key ${phone.fingerprint} (phone@laptop) for admin@acme.test.\n`)

    const text = await usher(temp, ["keys", "list"])
    assert.match(text.stdout, /^FINGERPRINT\s+USER\s+TYPE\s+COMMENT\s+ACCESS\s+ADDED\s+LAST USED\n/)
    assert.include(text.stdout, laptop.fingerprint)
    assert.match(text.stdout, /phone@laptop\s+full/)
    const json = await usher(temp, ["keys", "list", "admin@acme.test", "--json"])
    assert.deepStrictEqual(json.json.map((k: { fingerprint: string }) => k.fingerprint).sort(), [laptop.fingerprint, phone.fingerprint].sort())

    const again = await usher(temp, ["keys", "add", "admin@acme.test", phone.pub, "--json"])
    assert.deepStrictEqual([again.code, again.json.error._tag], [1, "SshKeyTaken"])
    const missing = await usher(temp, ["keys", "add", "admin@acme.test", join(temp.dir, "nope.pub"), "--json"])
    assert.deepStrictEqual([missing.code, missing.json.error._tag], [1, "KeyFileUnreadable"])
    const privateKey = await usher(temp, ["keys", "add", "admin@acme.test", join(temp.dir, "phone"), "--json"])
    assert.deepStrictEqual([privateKey.code, privateKey.json.error._tag], [1, "SshKeyInvalid"])
    assert.include(privateKey.json.error.message, "private key")
    // --readonly is still the dashboard's for every other command
    const readonly = await usher(temp, ["users", "list", "--readonly"])
    assert.strictEqual(readonly.code, 2)

    const removed = await usher(temp, ["keys", "remove", phone.fingerprint])
    assert.strictEqual(removed.stdout, `Removed key ${phone.fingerprint} of admin@acme.test.\n`)
    const gone = await usher(temp, ["keys", "remove", phone.fingerprint, "--json"])
    assert.deepStrictEqual([gone.code, gone.json.error._tag], [1, "SshKeyNotFound"])
    const audit = await usher(temp, ["audit", "list", "--json"])
    assert.deepStrictEqual(audit.json.map((e: { action: string }) => e.action).filter((a: string) => a.startsWith("ssh.")), ["ssh.key.remove", "ssh.key.add", "ssh.key.add"])
  })
})
