import { randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto"
import { availableParallelism } from "node:os"
import { Effect } from "effect"

const N = 2 ** 17
const r = 8
const p = 1
const KEY_LENGTH = 32
const MAX_MEM = 256 * 1024 * 1024

/**
 * How many hashes run at once: `USHER_HASH_THREADS`, else one core fewer than the machine has (at
 * least one). scrypt runs on libuv's thread pool, off the event loop, but a burst of sign-ins on as
 * many threads as there are cores would still leave the event loop little CPU: everyone else's
 * requests would wait for the hashes. Sign-ins beyond the limit queue instead, and every other
 * request keeps a core.
 */
export const HASH_CONCURRENCY = hashThreads(process.env["USHER_HASH_THREADS"], availableParallelism())
const hashing = Effect.unsafeMakeSemaphore(HASH_CONCURRENCY)

/** The hash concurrency from the setting's text (a whole number from 1 to 64) or the core count. */
export function hashThreads(setting: string | undefined, cores: number): number {
  const wanted = setting === undefined || setting.trim() === "" ? Number.NaN : Number(setting)
  return Number.isInteger(wanted) && wanted >= 1 && wanted <= 64 ? wanted : Math.max(1, cores - 1)
}

const derive = (password: string, salt: Buffer) =>
  hashing.withPermits(1)(Effect.async<Buffer>((resume) => {
    // node's scrypt runs on the libuv thread pool: the event loop stays free while it works.
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N, r, p, maxmem: MAX_MEM }, (error, key) => {
      resume(error ? Effect.die(error) : Effect.succeed(key))
    })
  }))

/** Hashes a password with scrypt (N = 2^17, r = 8) off the event loop. */
export const hashPassword = (password: string) =>
  Effect.flatMap(Effect.sync(() => randomBytes(16)), (salt) =>
    Effect.map(derive(password, salt), (key) =>
      `scrypt$${Math.log2(N)}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`))

/** Whether a password matches a stored hash (constant-time comparison). */
export const verifyPassword = (password: string, stored: string) =>
  Effect.gen(function*() {
    const [scheme, logN, rr, pp, salt, hash] = stored.split("$")
    if (scheme !== "scrypt" || salt === undefined || hash === undefined || Number(logN) !== Math.log2(N) || Number(rr) !== r || Number(pp) !== p) {
      return false
    }
    const expected = Buffer.from(hash, "base64url")
    const actual = yield* derive(password, Buffer.from(salt, "base64url"))
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  })

const ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

/** A temporary password: 20 characters from the CSPRNG, grouped for reading aloud. */
export const generateTemporaryPassword = (): string => {
  const chars = Array.from({ length: 20 }, () => ALPHABET[randomInt(ALPHABET.length)]!)
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join("")).join("-")
}
