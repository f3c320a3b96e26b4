import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { createHash } from "node:crypto"
import { Actor, now, requireForAccount, requireReadable } from "./Actor.js"
import { record } from "./Audit.js"
import type { UserId } from "./Domain/Ids.js"
import type { UserStatus } from "./Domain/User.js"
import { findUser } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"

/** Text that is not one OpenSSH public key (`ssh-ed25519 AAAA… comment`). */
export class SshKeyInvalid extends Schema.TaggedError<SshKeyInvalid>()("SshKeyInvalid", { reason: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `Not an SSH public key: ${this.reason}. Give the .pub file (one line: type, base64 key, comment), e.g. ~/.ssh/id_ed25519.pub.`
  }
}

/** The key is registered already (to this user or another): a key acts as one user only. */
export class SshKeyTaken extends Schema.TaggedError<SshKeyTaken>()("SshKeyTaken", { fingerprint: Schema.String }) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `The SSH key ${this.fingerprint} is registered already; a key acts as one user only.`
  }
}

/** No registered key with that fingerprint (or none the actor may see). */
export class SshKeyNotFound extends Schema.TaggedError<SshKeyNotFound>()("SshKeyNotFound", { fingerprint: Schema.String }) {
  static readonly httpStatus = 404 satisfies HttpStatus
  override get message() {
    return `No SSH key ${this.fingerprint}.`
  }
}

/** A presented key that acts as nobody: not registered, or its user is not active (suspended, deleted). */
export class SshKeyUnknown extends Schema.TaggedError<SshKeyUnknown>()("SshKeyUnknown", { fingerprint: Schema.String }) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return `The SSH key ${this.fingerprint} may not sign in.`
  }
}

/** A registered key, as admins see it. */
export interface SshKey {
  readonly fingerprint: string
  readonly userId: UserId
  readonly user: string
  readonly status: UserStatus
  readonly type: string
  readonly comment: string
  readonly readonly: boolean
  readonly addedBy: string
  readonly addedAt: string
  readonly lastUsedAt: string | null
}

/** A parsed OpenSSH public key. */
export interface PublicKey {
  readonly type: string
  readonly blob: Uint8Array
  readonly comment: string
  readonly fingerprint: string
}

const KEY_TYPES = new Set([
  "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"
])
const MAX_KEY_TEXT = 16_384

/** `SHA256:` and the unpadded base64 of the blob's SHA-256: what `ssh-keygen -lf` prints. */
export const fingerprintOf = (blob: Uint8Array): string => `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`

/** The key type named inside a blob (its first SSH string), if the blob is well formed there. */
const blobType = (blob: Buffer): string | undefined => {
  if (blob.length < 4) return undefined
  const length = blob.readUInt32BE(0)
  return length > 0 && length <= 64 && 4 + length <= blob.length ? blob.subarray(4, 4 + length).toString("latin1") : undefined
}

/** Parses one OpenSSH public key line (`TYPE BASE64 [COMMENT]`); blank and `#` lines around it are ignored. */
export const parsePublicKey = (text: string): Either.Either<PublicKey, SshKeyInvalid> => {
  if (text.length > MAX_KEY_TEXT) return Either.left(new SshKeyInvalid({ reason: `longer than ${MAX_KEY_TEXT} characters` }))
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"))
  if (text.includes("PRIVATE KEY")) return Either.left(new SshKeyInvalid({ reason: "this is a private key; give the public one (.pub)" }))
  if (lines.length === 0) return Either.left(new SshKeyInvalid({ reason: "the text is empty" }))
  if (lines.length > 1) return Either.left(new SshKeyInvalid({ reason: "more than one line; add one key at a time" }))
  const [type = "", data = "", ...rest] = lines[0]!.split(/\s+/)
  if (!KEY_TYPES.has(type)) return Either.left(new SshKeyInvalid({ reason: `unknown key type "${type.slice(0, 40)}"` }))
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return Either.left(new SshKeyInvalid({ reason: "the key is not base64" }))
  const blob = Buffer.from(data, "base64")
  if (blobType(blob) !== type) return Either.left(new SshKeyInvalid({ reason: `the key's data is not a ${type} key` }))
  const comment = rest.join(" ").replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 200)
  return Either.right({ type, blob, comment, fingerprint: fingerprintOf(blob) })
}

interface KeyRow {
  readonly fingerprint: string
  readonly userId: UserId
  readonly user: string | null
  readonly status: UserStatus
  readonly type: string
  readonly comment: string
  readonly readonly: number
  readonly addedBy: string | null
  readonly addedAt: string
  readonly lastUsedAt: string | null
}

const SELECT = `SELECT k.fingerprint, k.user_id, u.email AS "user", u.status, k.key_type AS "type", k.comment, k.readonly,
  COALESCE(a.email, k.added_by) AS added_by, k.added_at, k.last_used_at
  FROM ssh_keys k JOIN users u ON u.id = k.user_id LEFT JOIN users a ON a.id = k.added_by`

const toKey = (row: KeyRow): SshKey => ({ ...row, user: row.user ?? row.userId, addedBy: row.addedBy ?? "system", readonly: row.readonly !== 0 })

const keyByFingerprint = (fingerprint: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<KeyRow>`${sql.literal(SELECT)} WHERE k.fingerprint = ${fingerprint}`
    return row === undefined ? undefined : toKey(row)
  }).pipe(Effect.orDie)

/**
 * Registers an SSH public key for a user: whoever holds its private key then acts as that user
 * over `usher ssh-serve` (read-only keys open the dashboard read-only). Needs `users.update` at
 * every organization of the user and the user within reach, as changing the account does.
 */
export const addSshKey = (ref: string, publicKeyText: string, options: { readonly readonly?: boolean } = {}) =>
  transaction(Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireForAccount("users.update", user.id)
    const key = yield* parsePublicKey(publicKeyText)
    if ((yield* keyByFingerprint(key.fingerprint)) !== undefined) return yield* Effect.fail(new SshKeyTaken({ fingerprint: key.fingerprint }))
    const sql = yield* SqlClient.SqlClient
    const actor = yield* Actor
    const at = (yield* now).toISOString()
    const readonly = options.readonly === true
    yield* sql`INSERT INTO ssh_keys ${
      sql.insert({
        fingerprint: key.fingerprint,
        userId: user.id,
        keyType: key.type,
        keyBlob: Buffer.from(key.blob).toString("base64"),
        comment: key.comment,
        readonly: readonly ? 1 : 0,
        addedBy: actor.id,
        addedAt: at
      })
    }`.pipe(Effect.orDie)
    yield* record({ action: "ssh.key.add", target: user.id, details: { email: user.email, key: key.fingerprint, type: key.type, comment: key.comment, readonly } })
    return (yield* keyByFingerprint(key.fingerprint))!
  }))

/** The SSH keys of one user, or of every user the actor may read (`users.read`), by user then date. */
export const listSshKeys = (ref?: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    if (ref !== undefined) {
      const user = yield* findUser(ref)
      yield* requireReadable(user.id)
      const rows = yield* sql<KeyRow>`${sql.literal(SELECT)} WHERE k.user_id = ${user.id} ORDER BY k.added_at, k.fingerprint`.pipe(Effect.orDie)
      return rows.map(toKey)
    }
    const rows = yield* sql<KeyRow>`${sql.literal(SELECT)} ORDER BY u.email, k.added_at, k.fingerprint`.pipe(Effect.orDie)
    const readable = new Map<string, boolean>()
    const out: Array<SshKey> = []
    for (const row of rows) {
      if (!readable.has(row.userId)) readable.set(row.userId, Either.isRight(yield* Effect.either(requireReadable(row.userId))))
      if (readable.get(row.userId) === true) out.push(toKey(row))
    }
    return out
  })

/** Removes an SSH key (same rule as adding one); its sessions end at the server's next check. */
export const removeSshKey = (fingerprint: string) =>
  transaction(Effect.gen(function*() {
    const wanted = fingerprint.trim()
    const key = yield* keyByFingerprint(wanted)
    if (key === undefined) return yield* Effect.fail(new SshKeyNotFound({ fingerprint: wanted }))
    // a key of an account the actor may not read answers as a missing one
    yield* requireReadable(key.userId).pipe(Effect.mapError(() => new SshKeyNotFound({ fingerprint: wanted })))
    yield* requireForAccount("users.update", key.userId)
    const sql = yield* SqlClient.SqlClient
    yield* sql`DELETE FROM ssh_keys WHERE fingerprint = ${key.fingerprint}`.pipe(Effect.orDie)
    yield* record({ action: "ssh.key.remove", target: key.userId, details: { email: key.user, key: key.fingerprint, comment: key.comment } })
    return key
  }))

/** Who a presented key (its blob) acts as: a registered key of an active user, else `SshKeyUnknown`. */
export const sshKeyUser = (blob: Uint8Array) =>
  Effect.gen(function*() {
    const fingerprint = fingerprintOf(blob)
    const key = yield* keyByFingerprint(fingerprint)
    if (key === undefined || key.status !== "active") return yield* Effect.fail(new SshKeyUnknown({ fingerprint }))
    return key
  })

/**
 * Records an SSH session opening (`ssh.session.open`, as the key's user via `ssh`, naming the key)
 * and marks the key used; fails with `SshKeyUnknown` when the key no longer acts as an active user.
 */
export const openSshSession = (fingerprint: string, kind: "dashboard" | "exec", command?: string) =>
  transaction(Effect.gen(function*() {
    const key = yield* keyByFingerprint(fingerprint)
    if (key === undefined || key.status !== "active") return yield* Effect.fail(new SshKeyUnknown({ fingerprint }))
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    yield* sql`UPDATE ssh_keys SET last_used_at = ${at} WHERE fingerprint = ${fingerprint}`.pipe(Effect.orDie)
    yield* record({
      action: "ssh.session.open",
      target: key.userId,
      details: { email: key.user, key: key.fingerprint, comment: key.comment, kind, ...(command === undefined ? {} : { command: command.slice(0, 300) }) }
    }).pipe(Effect.provideService(Actor, { id: key.userId, via: "ssh" }))
    return { ...key, lastUsedAt: at }
  }))
