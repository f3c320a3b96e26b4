import { Either, Schema } from "effect"
import type { User, UserStatus } from "./User.js"
import type { HttpStatus } from "./HttpStatus.js"

/** What can happen to an account (DESIGN §3). */
export const LifecycleEvent = Schema.Literal(
  "accept",
  "firstPasswordChange",
  "firstIdpSignIn",
  "suspend",
  "reactivate",
  "delete",
  "cancelInvite"
)
export type LifecycleEvent = typeof LifecycleEvent.Type

/** Side effects outside the user row that the caller must carry out in the same transaction. */
export type LifecycleEffect = "revokeSessions" | "eraseAccount"

/** The part of a user the lifecycle reads and writes. */
export type LifecycleUser = Pick<User, "status" | "registeredAt" | "mustChangePassword">

/** A valid transition: the user after it, and what else must happen. */
export interface Transition<U extends LifecycleUser> {
  readonly user: U
  readonly effects: ReadonlyArray<LifecycleEffect>
}

type Step = (user: LifecycleUser, now: string) => { readonly change: Partial<LifecycleUser>; readonly effects: ReadonlyArray<LifecycleEffect> }

const activate: Step = (_, now) => ({ change: { status: "active", registeredAt: now, mustChangePassword: false }, effects: [] })
const suspend: Step = () => ({ change: { status: "suspended" }, effects: ["revokeSessions"] })
const erase: Step = () => ({ change: { status: "deleted" }, effects: ["revokeSessions", "eraseAccount"] })

const table: Record<UserStatus, Partial<Record<LifecycleEvent, Step>>> = {
  invited: { accept: activate, delete: erase, cancelInvite: erase },
  // an account the identity provider provisioned (SCIM) activates when its person first signs in through it
  provisioned: { firstPasswordChange: activate, firstIdpSignIn: activate, suspend, delete: erase },
  active: { suspend, delete: erase },
  suspended: {
    reactivate: (user) => ({ change: { status: user.registeredAt === null ? "provisioned" : "active" }, effects: [] }),
    delete: erase
  },
  deleted: {}
}

/** Every status, in lifecycle order. */
export const statuses: ReadonlyArray<UserStatus> = ["invited", "provisioned", "active", "suspended", "deleted"]

/** Every event. */
export const events: ReadonlyArray<LifecycleEvent> = LifecycleEvent.literals

/**
 * The lifecycle transition function: pure, every (status, event) pair decided. Activation (accept,
 * first password change, first sign-in through the identity provider) sets `registeredAt` to `now` and clears `mustChangePassword`.
 */
export const transition = <U extends LifecycleUser>(
  user: U,
  event: LifecycleEvent,
  now: Date
): Either.Either<Transition<U>, InvalidTransition> => {
  const step = table[user.status][event]
  if (step === undefined) return Either.left(new InvalidTransition({ from: user.status, event }))
  const { change, effects } = step(user, now.toISOString())
  return Either.right({ user: { ...user, ...change }, effects })
}

/** A lifecycle event that the user's current status does not allow. */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  from: Schema.String,
  event: Schema.String
}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Cannot ${this.event} a user who is ${this.from}.`
  }
}
