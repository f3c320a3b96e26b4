import { SqlClient } from "@effect/sql"
import { Context, Effect, Either, Layer } from "effect"
import { mkdirSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import nodemailer from "nodemailer"
import { now, requireAt } from "./Actor.js"
import { CoreConfig, type CoreConfigShape } from "./CoreConfig.js"
import { InvalidInput } from "./Domain/Errors.js"
import { newId } from "./Domain/Ids.js"
import { redactLinks, WITHHELD } from "./Domain/Mail.js"
import * as Scope from "./Domain/Scope.js"
import { transaction } from "./internal/tx.js"

/** A mail as a use case writes it; sender and delivery are the mailer's. */
export interface MailMessage {
  readonly kind: "invitation" | "password-reset" | "email-change" | "password-changed" | "invitation-link-request" | "dormant-notice"
  readonly userId: string | null
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
}

/** What a transport reports for one message it took. */
export interface Delivered {
  readonly messageId: string
  /** the `.eml` file it was written to (embedded outbox) */
  readonly file: string | null
}

/**
 * Sends composed mail: the embedded transport writes one `.eml` file per message under
 * `<dataDir>/outbox/`; with `USHER_SMTP_URL` set, nodemailer hands it to that server.
 * A failure is a reason in words, recorded on the outbox row.
 */
export class Mailer extends Context.Tag("@usher/core/Mailer")<Mailer, {
  readonly transport: "file" | "smtp"
  readonly send: (message: MailMessage & { readonly id: string; readonly from: string }) => Effect.Effect<Delivered, string>
}>() {}

const sendWith = (transporter: nodemailer.Transporter, message: MailMessage & { readonly id: string; readonly from: string }) =>
  Effect.tryPromise({
    try: () =>
      transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${message.id}@usher>`,
        headers: { "X-Usher-Kind": message.kind }
      }),
    catch: (error) => error instanceof Error ? error.message : String(error)
  })

const fileMailer = (dataDir: string | null) => {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" })
  return Mailer.of({
    transport: "file",
    send: (message) =>
      Effect.flatMap(sendWith(composer, message), (info) =>
        Effect.try({
          try: () => {
            if (dataDir === null) return { messageId: info.messageId, file: null }
            const folder = join(dataDir, "outbox")
            mkdirSync(folder, { recursive: true, mode: 0o700 })
            const file = join(folder, `${message.id}.eml`)
            writeFileSync(`${file}.tmp`, info.message as Buffer, { mode: 0o600 })
            renameSync(`${file}.tmp`, file)
            return { messageId: info.messageId, file }
          },
          catch: (error) => `cannot write the outbox file: ${error instanceof Error ? error.message : String(error)}`
        }))
  })
}

const smtpMailer = (url: string) =>
  Effect.acquireRelease(
    Effect.sync(() => nodemailer.createTransport(url)),
    (transporter) => Effect.sync(() => transporter.close())
  ).pipe(Effect.map((transporter) =>
    Mailer.of({
      transport: "smtp",
      send: (message) => Effect.map(sendWith(transporter, message), (info) => ({ messageId: info.messageId, file: null }))
    })
  ))

/** The mailer the configuration asks for: SMTP when `smtpUrl` is set, else the embedded outbox. */
export const MailerLive: Layer.Layer<Mailer, never, CoreConfig> = Layer.scoped(
  Mailer,
  Effect.flatMap(CoreConfig, (config: CoreConfigShape) =>
    config.smtpUrl !== null ? smtpMailer(config.smtpUrl) : Effect.succeed(fileMailer(config.dataDir)))
)

/**
 * The bodies of queued mails with their links whole, kept in this process's memory only: the
 * outbox table stores them with the links' tokens withheld, so a copy of the database file hands
 * out no working link. The process that queued a mail delivers it right after its transaction
 * commits (and retries from here while it runs); a mail whose bodies are gone (queued by a
 * process that ended) cannot be sent again, and says so: its link must be issued anew.
 */
const liveBodies = new Map<string, { readonly text: string; readonly html: string; readonly at: number }>()
/** Bodies of mails never delivered (their transaction rolled back) are dropped after this long. */
const LIVE_BODY_MS = 24 * 3_600_000

const keepLive = (id: string, text: string, html: string) => {
  const at = Date.now()
  if (liveBodies.size > 10_000) {
    for (const [key, entry] of liveBodies) if (at - entry.at > LIVE_BODY_MS) liveBodies.delete(key)
  }
  liveBodies.set(id, { text, html, at })
}

/** Why a mail whose link was withheld at rest cannot be sent from here. */
const LINK_GONE = "its link is not kept in the outbox and the process that queued it has ended; send a new one (resend the invitation, or reset the password again)"

/** Queues mails in the caller's transaction (one statement per 500); `deliver` sends them once it committed. Ids in the order given. */
export const enqueueMany = (messages: ReadonlyArray<MailMessage>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const config = yield* CoreConfig
    const createdAt = (yield* now).toISOString()
    const rows = messages.map((message) => {
      const id = newId()
      keepLive(id, message.text, message.html)
      return {
        id,
        createdAt,
        kind: message.kind,
        userId: message.userId,
        toAddress: message.to,
        fromAddress: config.mailFrom,
        subject: message.subject,
        textBody: redactLinks(message.text),
        htmlBody: redactLinks(message.html),
        status: "queued"
      }
    })
    for (let i = 0; i < rows.length; i += 500) yield* sql`INSERT INTO outbox ${sql.insert(rows.slice(i, i + 500))}`
    return rows.map((r) => r.id)
  }).pipe(Effect.orDie)

/** Queues one mail in the caller's transaction; its id. */
export const enqueue = (message: MailMessage) => Effect.map(enqueueMany([message]), (ids) => ids[0]!)

/** An outbox row as listed. */
export interface OutboxEntry {
  readonly id: string
  readonly createdAt: string
  readonly kind: string
  readonly to: string
  readonly from: string
  readonly subject: string
  readonly status: "queued" | "sent" | "failed"
  readonly transport: string | null
  readonly attempts: number
  readonly sentAt: string | null
  readonly file: string | null
  readonly error: string | null
}

/** How one delivery went. */
export interface DeliveryReport {
  readonly id: string
  readonly to: string
  readonly status: OutboxEntry["status"]
  readonly file: string | null
  readonly error: string | null
}

interface OutboxRow {
  readonly id: string
  readonly createdAt: string
  readonly kind: MailMessage["kind"]
  readonly userId: string | null
  readonly toAddress: string
  readonly fromAddress: string
  readonly subject: string
  readonly textBody: string
  readonly htmlBody: string
  readonly status: OutboxEntry["status"]
  readonly transport: string | null
  readonly attempts: number
  readonly sentAt: string | null
  readonly file: string | null
  readonly error: string | null
}

/** Mails claimed and written back per transaction when delivering. */
const DELIVERY_CHUNK = 200
/** How long a claim keeps other processes off a mail (a sender that died lets go after this). */
const CLAIM_MS = 5 * 60_000

/**
 * Sends queued mails (after their transaction committed), a chunk at a time: one transaction
 * claims the chunk (so two processes never send one mail twice), the transport takes each
 * mail, one transaction records how each went. A failure stays on its row (`failed`, with the
 * reason) for `outbox send` to retry. The stored bodies never hold a link's token (see
 * `liveBodies`); after an SMTP server accepted a message they are cleared as well.
 */
export const deliver = (ids: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const mailer = yield* Mailer
    const reports: Array<DeliveryReport> = []
    for (let i = 0; i < ids.length; i += DELIVERY_CHUNK) {
      const chunk = ids.slice(i, i + DELIVERY_CHUNK)
      const claimed = yield* transaction(Effect.gen(function*() {
        const at = yield* now
        return yield* sql<OutboxRow>`UPDATE outbox SET attempts = attempts + 1, claimed_until = ${new Date(at.getTime() + CLAIM_MS).toISOString()}
          WHERE ${sql.in("id", chunk)} AND status <> 'sent' AND (claimed_until IS NULL OR claimed_until < ${at.toISOString()})
          RETURNING *`
      }))
      const outcomes: Array<{ readonly row: OutboxRow; readonly outcome: Either.Either<Delivered, string> }> = []
      for (const row of claimed) {
        const live = liveBodies.get(row.id)
        if (live === undefined && row.textBody.includes(WITHHELD)) {
          outcomes.push({ row, outcome: Either.left(LINK_GONE) })
          continue
        }
        const outcome = yield* Effect.either(mailer.send({
          id: row.id, kind: row.kind, userId: row.userId, from: row.fromAddress, to: row.toAddress, subject: row.subject,
          text: live?.text ?? row.textBody, html: live?.html ?? row.htmlBody
        }))
        if (Either.isRight(outcome)) liveBodies.delete(row.id)
        outcomes.push({ row, outcome })
      }
      yield* transaction(Effect.gen(function*() {
        const at = (yield* now).toISOString()
        const scrub = mailer.transport === "smtp" ? sql`, text_body = '', html_body = ''` : sql``
        for (const { outcome, row } of outcomes) {
          if (Either.isRight(outcome)) {
            yield* sql`UPDATE outbox SET status = 'sent', transport = ${mailer.transport}, sent_at = ${at}, file = ${outcome.right.file},
                         message_id = ${outcome.right.messageId}, error = NULL, claimed_until = NULL ${scrub} WHERE id = ${row.id}`
            reports.push({ id: row.id, to: row.toAddress, status: "sent", file: outcome.right.file, error: null })
          } else {
            yield* sql`UPDATE outbox SET status = 'failed', transport = ${mailer.transport}, error = ${outcome.left}, claimed_until = NULL WHERE id = ${row.id}`
            reports.push({ id: row.id, to: row.toAddress, status: "failed", file: null, error: outcome.left })
          }
        }
      }))
    }
    return reports
  }).pipe(Effect.orDie)

const toEntry = (row: OutboxRow): OutboxEntry => ({
  id: row.id,
  createdAt: row.createdAt,
  kind: row.kind,
  to: row.toAddress,
  from: row.fromAddress,
  subject: row.subject,
  status: row.status,
  transport: row.transport,
  attempts: Number(row.attempts),
  sentAt: row.sentAt,
  file: row.file,
  error: row.error
})

/** Filters of `listOutbox`. */
export interface OutboxQuery {
  readonly status?: OutboxEntry["status"]
  readonly limit?: number
}

/**
 * The outbox, newest first. Mails carry sign-up and reset links, so reading them needs
 * `users.invite` at provider scope.
 */
export const listOutbox = (query: OutboxQuery = {}) =>
  Effect.gen(function*() {
    yield* requireAt("users.invite", Scope.provider)
    const sql = yield* SqlClient.SqlClient
    const where = query.status === undefined ? sql`1 = 1` : sql`status = ${query.status}`
    const rows = yield* sql<OutboxRow>`SELECT * FROM outbox WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${query.limit ?? 100}`.pipe(Effect.orDie)
    return rows.map(toEntry)
  })


/**
 * One mail with its bodies (empty once an SMTP server took it). The tokens of its links are
 * withheld: reading a reset mail must not let an admin sign in as its recipient (the `.eml`
 * file is the delivered mail itself, for whoever carries it to the recipient).
 */
export const showOutbox = (id: string) =>
  Effect.gen(function*() {
    yield* requireAt("users.invite", Scope.provider)
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<OutboxRow>`SELECT * FROM outbox WHERE id = ${id.trim()}`.pipe(Effect.orDie)
    if (row === undefined) return yield* Effect.fail(new InvalidInput({ field: "mail", reason: `no mail ${id} in the outbox` }))
    return { ...toEntry(row), text: redactLinks(row.textBody), html: redactLinks(row.htmlBody) }
  })

/** Sends every queued or failed mail again (`usher outbox send`). */
export const retryOutbox = Effect.gen(function*() {
  yield* requireAt("users.invite", Scope.provider)
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ id: string }>`SELECT id FROM outbox WHERE status <> 'sent' ORDER BY created_at`.pipe(Effect.orDie)
  return yield* deliver(rows.map((r) => r.id))
})
