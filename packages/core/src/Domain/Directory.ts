/** The directory as a whole: set up or not, who acts, its settings, and rows changed meanwhile. */
import { Schema } from "effect"
import type { HttpStatus } from "./HttpStatus.js"

/** The row changed since it was read; nothing was written. */
export class ConcurrentModification extends Schema.TaggedError<ConcurrentModification>()("ConcurrentModification", {
  entity: Schema.String,
  id: Schema.String
}) {
  static readonly httpStatus = 412 satisfies HttpStatus
  override get message() {
    return `The ${this.entity} ${this.id} was changed by someone else meanwhile; nothing was written. Reload and try again.`
  }
}

/** No acting user could be determined, or the named one does not exist. */
export class ActorUnknown extends Schema.TaggedError<ActorUnknown>()("ActorUnknown", {
  reason: Schema.String,
  /** when nobody was named: whether the directory has no provider admin to default to, or several */
  unnamed: Schema.optional(Schema.Literal("no-admin", "several-admins"))
}) {
  static readonly httpStatus = 403 satisfies HttpStatus
  override get message() {
    return this.reason
  }
}

/** `init` on a directory that already has users. */
export class AlreadyInitialized extends Schema.TaggedError<AlreadyInitialized>()("AlreadyInitialized", {}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return "This directory is already set up; only an empty one can be initialized."
  }
}

/** An operation on a directory nobody has set up yet. */
export class NotInitialized extends Schema.TaggedError<NotInitialized>()("NotInitialized", {}) {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return "This directory is empty: nobody has set it up yet."
  }
}

/** Not a directory setting, or a value it does not accept. */
export class SettingInvalid extends Schema.TaggedError<SettingInvalid>()("SettingInvalid", { key: Schema.String, reason: Schema.String }) {
  static readonly httpStatus = 422 satisfies HttpStatus
  override get message() {
    return `Setting ${this.key}: ${this.reason}.`
  }
}
