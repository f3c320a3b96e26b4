import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { ApprovalAction, targetKey } from "../Domain/Approval.js"

/**
 * Four eyes that can't be faked: who added a person to a group (a decider's rights must not come
 * from the requester), and what each request acts on, with at most one pending request per
 * action and target. Pending requests filed before this migration get their key; where two
 * already wait for the same thing, the later ones are left without one (they stay decidable).
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE group_members ADD COLUMN added_by TEXT`
  yield* sql`ALTER TABLE approvals ADD COLUMN target_key TEXT`
  const decode = Schema.decodeUnknownSync(Schema.parseJson(ApprovalAction))
  const pending = yield* sql<{ id: string; payload: string }>`SELECT id, payload FROM approvals WHERE status = 'pending' ORDER BY created_at, id`
  const seen = new Set<string>()
  for (const row of pending) {
    const action = decode(row.payload)
    const key = targetKey(action)
    if (seen.has(`${action._tag} ${key}`)) continue
    seen.add(`${action._tag} ${key}`)
    yield* sql`UPDATE approvals SET target_key = ${key} WHERE id = ${row.id}`
  }
  yield* sql`CREATE UNIQUE INDEX approvals_one_pending ON approvals (action, target_key) WHERE status = 'pending'`
})
