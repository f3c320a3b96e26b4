import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { redactLinks } from "../Domain/Mail.js"

/**
 * No live links at rest: mails queued before this version kept their sign-up and reset links
 * whole in the outbox table. Their tokens are withheld now, as new mails' are; one not yet sent
 * then asks for a new link instead of sending the stored one.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ id: string; textBody: string; htmlBody: string }>`SELECT id, text_body, html_body FROM outbox`
  for (const row of rows) {
    const text = redactLinks(row.textBody)
    const html = redactLinks(row.htmlBody)
    if (text !== row.textBody || html !== row.htmlBody) yield* sql`UPDATE outbox SET text_body = ${text}, html_body = ${html} WHERE id = ${row.id}`
  }
})
