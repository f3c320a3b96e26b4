/**
 * Signed audit checkpoints: the head `{seq, hash, at}` signed with an Ed25519 key kept outside
 * the database, appended one JSON per line to a file outside the database. Whoever holds only
 * the database file cannot rewrite history behind a checkpoint or drop the events after it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto"
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"

/** One line of the checkpoint file. */
export interface Checkpoint {
  readonly seq: number
  readonly hash: string
  readonly at: string
  /** base64 Ed25519 signature of `signedText` */
  readonly sig: string
}

/** The exact text that is signed: sorted keys, no spaces. */
export const signedText = (head: { readonly seq: number; readonly hash: string; readonly at: string }) =>
  JSON.stringify({ at: head.at, hash: head.hash, seq: head.seq })

/** Creates the signing key (mode 0600, in a 0700 folder usher makes) unless it exists. */
export const ensureKey = (keyFile: string): void => {
  if (existsSync(keyFile)) return
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
  const { privateKey } = generateKeyPairSync("ed25519")
  try {
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" })
  } catch (error) {
    // another process made it first: use theirs
    if ((error as { code?: unknown }).code !== "EEXIST") throw error
  }
}

const privateKeys = new Map<string, KeyObject>()
const loadPrivate = (keyFile: string): KeyObject => {
  let key = privateKeys.get(keyFile)
  if (key === undefined) {
    key = createPrivateKey(readFileSync(keyFile))
    privateKeys.set(keyFile, key)
  }
  return key
}

/** The public half of the key in the file (for verification), or null when the file is missing or unreadable. */
export const publicKeyOf = (keyFile: string): KeyObject | null => {
  try {
    return createPublicKey(loadPrivate(keyFile))
  } catch {
    return null
  }
}

/** Signs a head and appends the checkpoint (one short line: appends of separate processes do not interleave). */
export const appendCheckpoint = (files: { readonly keyFile: string; readonly checkpoints: string }, head: { readonly seq: number; readonly hash: string; readonly at: string }): Checkpoint => {
  ensureKey(files.keyFile)
  const checkpoint: Checkpoint = { ...head, sig: sign(null, Buffer.from(signedText(head)), loadPrivate(files.keyFile)).toString("base64") }
  mkdirSync(dirname(files.checkpoints), { recursive: true, mode: 0o700 })
  appendFileSync(files.checkpoints, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 })
  return checkpoint
}

/** Whether a checkpoint's signature is the key's. */
export const validSignature = (key: KeyObject, checkpoint: Checkpoint): boolean => {
  try {
    return verify(null, Buffer.from(signedText(checkpoint)), key, Buffer.from(checkpoint.sig, "base64"))
  } catch {
    return false
  }
}

const isCheckpoint = (value: unknown): value is Checkpoint => {
  const c = value as Partial<Checkpoint> | null
  return c !== null && typeof c === "object" && Number.isSafeInteger(c.seq) && c.seq! >= 0 &&
    typeof c.hash === "string" && typeof c.at === "string" && typeof c.sig === "string"
}

/** Every line of the checkpoint file: parsed checkpoints, or the line number of one that is not. */
export const readCheckpoints = (file: string): ReadonlyArray<Checkpoint | { readonly malformed: number }> => {
  if (!existsSync(file)) return []
  const lines = readFileSync(file, "utf8").split("\n")
  const out: Array<Checkpoint | { readonly malformed: number }> = []
  lines.forEach((line, i) => {
    if (line.trim() === "") return
    try {
      const parsed: unknown = JSON.parse(line)
      out.push(isCheckpoint(parsed) ? parsed : { malformed: i + 1 })
    } catch {
      out.push({ malformed: i + 1 })
    }
  })
  return out
}

/** The highest checkpointed seq among the file's last few kilobytes (0 when none). */
export const lastCheckpointSeq = (file: string): number => {
  if (!existsSync(file)) return 0
  const fd = openSync(file, "r")
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, 8192)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    const lines = buffer.toString("utf8").split("\n").filter((l) => l.trim() !== "")
    // processes append in the order they sign, not always in seq order: the highest one counts
    let newest = 0
    for (const line of lines) {
      try {
        const parsed: unknown = JSON.parse(line)
        if (isCheckpoint(parsed) && parsed.seq > newest) newest = parsed.seq
      } catch {
        // the partial first line of the window, or a damaged line
      }
    }
    return newest
  } finally {
    closeSync(fd)
  }
}
