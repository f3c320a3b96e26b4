import { Context, type Effect } from "effect"

/**
 * The process's audit checkpointing (DESIGN §6): `Audit.record` notes that events were written,
 * and after each top-level transaction commits the head is signed when it has crossed another
 * `audit.checkpoint-every` events; the head is signed once more when the process closes its
 * core layer. Optional: without it (a bare database layer) nothing is signed.
 */
export class AuditCheckpointer extends Context.Tag("@usher/core/AuditCheckpointer")<AuditCheckpointer, {
  /** the running transaction appended events (it may still roll back) */
  readonly noteWrite: () => void
  /** a top-level transaction committed: sign the head if a checkpoint is due */
  readonly afterCommit: Effect.Effect<void>
}>() {}
