import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { Actor, actingAs, now, requireForAccount } from "./Actor.js"
import { record } from "./Audit.js"
import { CoreConfig } from "./CoreConfig.js"
import { checkPassword } from "./Domain/Credentials.js"
import {
  AccountSuspended, ActorUnknown, InvalidTransition, PasswordChangeRequired, ResetLinkInvalid, SignInFailed
} from "./Domain/Errors.js"
import type { UserId } from "./Domain/Ids.js"
import { passwordChangedMail, resetMail } from "./Domain/Mail.js"
import { displayName, normalizeEmail, signInLocked, type User } from "./Domain/User.js"
import { deliver, enqueue } from "./Mail.js"
import { consumeToken, issueToken, peekToken } from "./internal/tokens.js"
import { findUser } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { hashPassword, verifyPassword } from "./Passwords.js"
import { endSessions, openSession } from "./Sessions.js"
import { currentSettings } from "./Settings.js"
import { changeStatus } from "./Users/Lifecycle.js"
import { writeUser } from "./Users/UsersRepo.js"
import type { SignInInput, ChangePasswordInput } from "./Domain/Inputs.js"
import type { ResetInput } from "./Domain/Inputs.js"
export type { SignInInput, ChangePasswordInput } from "./Domain/Inputs.js"

/** After this many failed sign-ins in a row an account is locked for a while (`lockDuration`). */
export const MAX_FAILED_SIGN_INS = 10

/** The first lock lasts this long; each further lock in the same run of failures twice as long. */
export const FIRST_LOCK_MINUTES = 15

/** No lock lasts longer than this: a lock is never permanent (an admin can still unlock at once). */
export const LONGEST_LOCK_HOURS = 24

/** How long the `n`th lock of a run of failures lasts, in milliseconds. */
export const lockDuration = (n: number): number =>
  Math.min(FIRST_LOCK_MINUTES * 60_000 * 2 ** Math.max(0, n - 1), LONGEST_LOCK_HOURS * 3_600_000)

/** Verified against when the e-mail is unknown, so a miss costs the same scrypt as a wrong password. */
export const TIMING_EQUALIZER = "scrypt$17$8$1$LXidpW6sFbjo2DLDVMLmxw$q99EJI1vHj8THuzNbMXFcrv4xI1entfxOXmq9JaXOXo"

interface Credentials {
  readonly id: UserId
  readonly status: User["status"]
  readonly passwordHash: string | null
  readonly lockedUntil: string | null
}

const credentialsOf = (email: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const normalized = Either.getOrElse(normalizeEmail(email), () => email.trim().toLowerCase())
    const [row] = yield* sql<Credentials>`SELECT id, status, password_hash, locked_until FROM users WHERE email = ${normalized}`
    return row
  }).pipe(Effect.orDie)


/**
 * Counts a failed attempt against an account, audited, deciding the lock in the same
 * transaction: every failure counts (also while locked), and a run of failures that reaches the
 * next multiple of ten while unlocked locks the account again, for twice as long as the last time.
 */
const countFailure = (userId: string) =>
  transaction(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const [row] = yield* sql<{ failedSignIns: number; locks: number; lockedUntil: string | null }>`
      SELECT failed_sign_ins, locks, locked_until FROM users WHERE id = ${userId}`
    if (row === undefined) return
    const failures = Number(row.failedSignIns) + 1
    const locks = Number(row.locks)
    const locking = !signInLocked(row, at) && failures >= MAX_FAILED_SIGN_INS * (locks + 1)
    const until = locking ? new Date(at.getTime() + lockDuration(locks + 1)).toISOString() : null
    if (locking) {
      yield* sql`UPDATE users SET failed_sign_ins = ${failures}, locks = ${locks + 1}, locked_at = ${at.toISOString()}, locked_until = ${until}
                  WHERE id = ${userId}`
    } else {
      yield* sql`UPDATE users SET failed_sign_ins = ${failures} WHERE id = ${userId}`
    }
    yield* record({ action: "user.signin.fail", target: userId, details: { failures } })
    if (locking) yield* record({ action: "user.lock", target: userId, details: { failures, lock: locks + 1, until } })
  })).pipe(Effect.orDie, actingAs(userId as UserId))

/**
 * Counts a sign-in attempt for an e-mail no account has. It costs a committed write like
 * `countFailure`, so a miss on an unknown account takes as long as a wrong password.
 */
const countMiss = (email: string) =>
  transaction(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const normalized = email.trim().toLowerCase().slice(0, 320)
    yield* sql`INSERT INTO sign_in_misses (email, misses, last_at) VALUES (${normalized}, 1, ${at})
               ON CONFLICT (email) DO UPDATE SET misses = sign_in_misses.misses + 1, last_at = excluded.last_at`
  })).pipe(Effect.orDie)

/**
 * Counts a failed attempt: on the account when it has a password and is not locked yet, otherwise
 * as a miss on the e-mail — every failure pays for one committed write, whichever it is.
 */
const countAttempt = (email: string, found: Credentials | undefined) =>
  found !== undefined && found.passwordHash !== null ? countFailure(found.id) : countMiss(email)

/**
 * Checks a password against an account, as sign-in and a password change both do: the same
 * scrypt work and one counted failure whatever went wrong, then `SignInFailed` (or
 * `AccountSuspended`, told only to someone who knows the password).
 */
const checkCredentials = (email: string, password: string) =>
  Effect.gen(function*() {
    const found = yield* credentialsOf(email)
    const matches = yield* verifyPassword(password, found?.passwordHash ?? TIMING_EQUALIZER)
    if (found === undefined || found.passwordHash === null || signInLocked(found, yield* now) || !matches) {
      yield* countAttempt(email, found)
      return yield* Effect.fail(new SignInFailed())
    }
    if (found.status === "suspended") return yield* Effect.fail(new AccountSuspended())
    return found
  })


/**
 * Signs a user in and opens a session. Unknown e-mail, wrong password and locked account fail
 * alike with `SignInFailed`, after the same scrypt work; the tenth failure in a row locks the
 * account. A provisioned user (temporary password) must give `newPassword`, which activates it.
 */
export const signIn = (input: SignInInput) =>
  Effect.gen(function*() {
    const found = yield* checkCredentials(input.email, input.password)
    if (found.status !== "active" && found.status !== "provisioned") return yield* Effect.fail(new SignInFailed())
    const before = yield* findUser(found.id).pipe(Effect.orDie)
    let newHash: string | null = null
    if (before.mustChangePassword || before.status === "provisioned") {
      if (input.newPassword === undefined) return yield* Effect.fail(new PasswordChangeRequired())
      newHash = yield* hashPassword(yield* checkPassword(input.newPassword))
    }
    return yield* transaction(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      let user = yield* findUser(found.id).pipe(Effect.orDie)
      // the lock is decided again after the slow hash, under the write lock: a lock that
      // failures running alongside set meanwhile refuses this sign-in too
      if (signInLocked(user, yield* now)) return yield* Effect.fail(new SignInFailed())
      if (newHash !== null) {
        if (user.status === "provisioned") user = yield* changeStatus(user, "firstPasswordChange")
        yield* writeUser(user, { passwordHash: newHash, mustChangePassword: 0, passwordChangedAt: (yield* now).toISOString() }, user.version)
        yield* record({ action: "user.password.change", target: user.id, details: { email: user.email, firstSignIn: true } })
      }
      // a good sign-in ends the run of failures, and with it the lock's growth
      yield* sql`UPDATE users SET failed_sign_ins = 0, locks = 0, locked_at = NULL, locked_until = NULL WHERE id = ${user.id}`.pipe(Effect.orDie)
      const opened = yield* openSession(user.id, input)
      return { ...opened, user: yield* findUser(user.id).pipe(Effect.orDie) }
    })).pipe(actingAs(found.id))
  })


/**
 * The acting user changes their own password: the current one must match (a miss counts like a
 * failed sign-in), every other session ends, and a provisioned account becomes active.
 */
export const changePassword = (input: ChangePasswordInput) =>
  Effect.gen(function*() {
    const actor = yield* Actor
    if (actor.id === "system") return yield* Effect.fail(new ActorUnknown({ reason: "Only a signed-in user can change their own password." }))
    const user = yield* findUser(actor.id).pipe(Effect.orDie)
    const password = yield* checkPassword(input.newPassword)
    yield* checkCredentials(user.email, input.currentPassword)
    const passwordHash = yield* hashPassword(password)
    return yield* transaction(Effect.gen(function*() {
      let current = yield* findUser(actor.id).pipe(Effect.orDie)
      if (current.status === "provisioned") current = yield* changeStatus(current, "firstPasswordChange")
      yield* writeUser(current, { passwordHash, mustChangePassword: 0, passwordChangedAt: (yield* now).toISOString(), failedSignIns: 0, locks: 0 }, current.version)
      const ended = yield* endSessions(current.id, input.keepSession === undefined ? {} : { except: input.keepSession })
      yield* record({ action: "user.password.change", target: current.id, details: { email: current.email, sessionsEnded: ended } })
      return { user: yield* findUser(current.id).pipe(Effect.orDie), sessionsEnded: ended }
    }))
  })

const RESETTABLE: ReadonlyArray<User["status"]> = ["active", "provisioned", "suspended"]

/**
 * Mails a user a single-use link to choose a new password (expires after `reset.ttl-minutes`,
 * default 1 hour); an earlier link stops working. The admin never sets or sees a password.
 * Needs `users.password.reset` at every organization of the user.
 */
export const requestPasswordReset = (ref: string) =>
  Effect.gen(function*() {
    const settings = yield* currentSettings
    const config = yield* CoreConfig
    const queued = yield* transaction(Effect.gen(function*() {
      const user = yield* findUser(ref)
      yield* requireForAccount("users.password.reset", user.id)
      if (!RESETTABLE.includes(user.status)) {
        return yield* Effect.fail(new InvalidTransition({ from: user.status, event: "reset the password of" }))
      }
      const token = yield* issueToken("reset", user.id, settings["reset.ttl-minutes"] * 60_000, yield* now)
      const actor = yield* Actor
      const requester = actor.id === "system" ? null : yield* findUser(actor.id).pipe(Effect.orElseSucceed(() => null))
      const composed = resetMail({
        requester: requester === null ? null : { name: displayName(requester), email: requester.email },
        user: { name: displayName(user), email: user.email },
        link: `${config.publicUrl}/reset/${token.token}`,
        expiresAt: token.expiresAt
      })
      const mailId = yield* enqueue({ kind: "password-reset", userId: user.id, to: user.email, ...composed })
      yield* record({ action: "user.password.reset.request", target: user.id, details: { email: user.email, expiresAt: token.expiresAt } })
      return { user: user.email, expiresAt: token.expiresAt, mailId }
    }))
    const [report] = yield* deliver([queued.mailId])
    return {
      user: queued.user,
      expiresAt: queued.expiresAt,
      mail: { id: queued.mailId, status: report?.status ?? "queued", file: report?.file ?? null, error: report?.error ?? null }
    }
  })

/**
 * The user's side of a reset: sets the new password, uses the link up, unlocks the account and
 * ends every session; a mail tells the person their password changed. A provisioned account becomes active. Bad links fail with
 * `ResetLinkInvalid`, silent about why.
 */
export const completePasswordReset = (input: ResetInput) =>
  Effect.gen(function*() {
    const password = yield* checkPassword(input.password)
    if ((yield* peekToken("reset", input.token)) === undefined) return yield* Effect.fail(new ResetLinkInvalid())
    const passwordHash = yield* hashPassword(password)
    return yield* transaction(Effect.gen(function*() {
      const used = yield* consumeToken("reset", input.token)
      if (used === undefined) return yield* Effect.fail(new ResetLinkInvalid())
      let user = yield* findUser(used.userId).pipe(Effect.mapError(() => new ResetLinkInvalid()))
      if (!RESETTABLE.includes(user.status)) return yield* Effect.fail(new ResetLinkInvalid())
      return yield* Effect.gen(function*() {
        if (user.status === "provisioned") user = yield* changeStatus(user, "firstPasswordChange")
        yield* writeUser(user, {
          passwordHash, mustChangePassword: 0, passwordChangedAt: (yield* now).toISOString(), failedSignIns: 0, locks: 0, lockedAt: null, lockedUntil: null
        }, user.version)
        const ended = yield* endSessions(user.id)
        yield* record({ action: "user.password.reset", target: user.id, details: { email: user.email, sessionsEnded: ended } })
        // the password is a credential: its owner hears that it changed, in case it was not them
        const mailId = yield* enqueue({
          kind: "password-changed", userId: user.id, to: user.email,
          ...passwordChangedMail({ user: { name: displayName(user), email: user.email }, at: (yield* now).toISOString() })
        })
        return { user: yield* findUser(user.id).pipe(Effect.orDie), mailId }
      }).pipe(actingAs(user.id))
    }))
  }).pipe(Effect.tap(({ mailId }) => deliver([mailId])), Effect.map(({ user }) => user))

/**
 * Lifts a sign-in lock at once and clears the failure count, so the next lock is a first one
 * again (needs `users.password.reset` at every organization of the user).
 */
export const unlockUser = (ref: string) =>
  transaction(Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireForAccount("users.password.reset", user.id)
    if (user.lockedAt === null) return { user, unlocked: false }
    yield* writeUser(user, { lockedAt: null, lockedUntil: null, failedSignIns: 0, locks: 0 }, user.version)
    yield* record({ action: "user.unlock", target: user.id, details: { email: user.email, lockedAt: user.lockedAt } })
    return { user: yield* findUser(user.id), unlocked: true }
  }))
