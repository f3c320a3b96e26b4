import { SqlClient } from "@effect/sql"
import { Clock, Effect, Layer } from "effect"
import { auditFiles, CoreConfig } from "../CoreConfig.js"
import { AuditCheckpointer } from "./Checkpointer.js"
import { appendCheckpoint, ensureKey, lastCheckpointSeq } from "./Signing.js"

const DEFAULT_EVERY = 100

/**
 * Signs the audit head after commits that cross another `audit.checkpoint-every` events, and
 * once more when the layer closes if this process wrote events since its last checkpoint. The
 * key is made (0600) after the first commit that wrote events, `init`'s included. A failure to
 * sign never fails the use case that committed: `audit verify` reports the unsigned events.
 */
export const AuditCheckpointerLive: Layer.Layer<AuditCheckpointer, never, SqlClient.SqlClient | CoreConfig> = Layer.scoped(
  AuditCheckpointer,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const files = auditFiles(yield* CoreConfig)
    let pending = false
    let wrote = false
    let keyChecked = false
    let lastSigned: number | undefined

    const signed = () => (lastSigned ??= lastCheckpointSeq(files!.checkpoints))
    const sign = (due: (seq: number, last: number) => Effect.Effect<boolean>) =>
      Effect.gen(function*() {
        if (files === null) return
        const [head] = yield* sql<{ seq: number; hash: string }>`SELECT seq, hash FROM audit_head WHERE id = 1`
        if (head === undefined) return
        const seq = Number(head.seq)
        if (!(yield* due(seq, signed()))) return
        const at = new Date(yield* Clock.currentTimeMillis).toISOString()
        appendCheckpoint(files, { seq, hash: head.hash, at })
        lastSigned = seq
      })

    const every = Effect.map(
      sql<{ value: string }>`SELECT value FROM settings WHERE key = 'audit.checkpoint-every'`,
      ([row]) => {
        const n = row === undefined ? DEFAULT_EVERY : Number(JSON.parse(row.value))
        return Number.isInteger(n) && n >= 1 ? n : DEFAULT_EVERY
      }
    )

    const afterCommit = Effect.suspend(() => {
      if (!pending || files === null) return Effect.void
      pending = false
      return Effect.gen(function*() {
        if (!keyChecked) {
          ensureKey(files.keyFile)
          keyChecked = true
        }
        const n = yield* every
        yield* sign((seq, last) => Effect.succeed(Math.floor(seq / n) > Math.floor(last / n)))
      })
    }).pipe(Effect.catchAllCause(() => Effect.void))

    yield* Effect.addFinalizer(() =>
      wrote && files !== null
        ? sign((seq, last) => Effect.succeed(seq !== last)).pipe(Effect.catchAllCause(() => Effect.void))
        : Effect.void
    )

    return {
      noteWrite: () => {
        pending = true
        wrote = true
      },
      afterCommit
    }
  })
)
