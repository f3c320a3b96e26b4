import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { simpleParser, type ParsedMail } from "mailparser"
import { existsSync, readFileSync, statSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { SMTPServer } from "smtp-server"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, initialized, makeTempDirectory, withDatabase } from "./support.js"

interface Received {
  readonly from: string
  readonly to: ReadonlyArray<string>
  readonly mail: ParsedMail
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives. */
const smtpServer = Effect.acquireRelease(
  Effect.async<{ readonly port: number; readonly received: Array<Received>; readonly server: SMTPServer }>((resume) => {
    const received: Array<Received> = []
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream).then((mail) => {
          received.push({
            from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            mail
          })
          callback()
        }, callback)
      }
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ port: (server.server.address() as AddressInfo).port, received, server })))
  }),
  ({ server }) => Effect.async<void>((resume) => server.close(() => resume(Effect.void)))
)

/** A fresh directory whose mail goes out through `smtpUrl`. */
const withSmtpDirectory = (smtpUrl: string) =>
  Effect.acquireRelease(Effect.sync(makeTempDirectory), (temp) => Effect.sync(temp.cleanup)).pipe(
    Effect.map((temp) => ({
      temp,
      layer: Layer.orDie(Core.CoreLive({ engine: "sqlite", path: temp.path }, {
        publicUrl: "https://usher.example.org",
        dataDir: temp.dir,
        smtpUrl,
        mailFrom: "Acme Directory <directory@acme.test>"
      }))
    }))
  )

const outboxRow = (id: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ status: string; textBody: string; htmlBody: string; transport: string; error: string | null }>`
    SELECT status, text_body, html_body, transport, error FROM outbox WHERE id = ${id}`).pipe(Effect.map((rows) => rows[0]), Effect.orDie)

describe("Mail through SMTP (USHER_SMTP_URL)", () => {
  it.scoped("an invitation goes to a real SMTP server on loopback: sender, recipient, text and HTML naming who invited whom", () =>
    Effect.gen(function*() {
      const smtp = yield* smtpServer
      const { layer, temp } = yield* withSmtpDirectory(`smtp://127.0.0.1:${smtp.port}`)
      yield* Effect.gen(function*() {
        yield* initialized
        const sent = yield* Core.inviteUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper", roles: ["auditor"] }).pipe(asUser(ADMIN))
        assert.strictEqual(sent.mail?.status, "sent")
        assert.isNull(sent.mail?.file, "nothing written to disk in SMTP mode")
        assert.isFalse(existsSync(join(temp.dir, "outbox")))
        assert.lengthOf(smtp.received, 1)
        const { from, mail, to } = smtp.received[0]!
        assert.deepStrictEqual([from, to], ["directory@acme.test", ["grace@acme.test"]])
        assert.strictEqual(mail.subject, "Ada Admin invited you to Acme")
        for (const body of [mail.text ?? "", typeof mail.html === "string" ? mail.html : ""]) {
          assert.include(body, "Ada Admin (admin@acme.test) invited you (grace@acme.test) to join Acme (acme) with the roles auditor@org:acme")
          assert.match(body, /https:\/\/usher\.example\.org\/invite\/[A-Za-z0-9_-]{43}/)
        }
        assert.strictEqual(mail.headers.get("x-usher-kind"), "invitation")
        const row = yield* outboxRow(sent.mail!.id)
        assert.deepStrictEqual([row?.status, row?.transport, row?.textBody, row?.htmlBody], ["sent", "smtp", "", ""], "the link is not kept once the server has it")
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("two senders working through the same outbox at once send every mail exactly once", () =>
    Effect.gen(function*() {
      const smtp = yield* smtpServer
      const { layer } = yield* withSmtpDirectory(`smtp://127.0.0.1:${smtp.port}`)
      yield* Effect.gen(function*() {
        yield* initialized
        for (let i = 0; i < 30; i++) {
          yield* Core.inviteUser({ email: `p${i}@acme.test`, firstName: "P", lastName: String(i), link: true }).pipe(asUser(ADMIN))
        }
        const sql = yield* SqlClient.SqlClient
        // thirty mails queued as a crashed sender would have left them
        yield* sql`INSERT INTO outbox (id, created_at, kind, to_address, from_address, subject, text_body, html_body, status)
          SELECT u.id, u.created_at, 'invitation', u.email, 'usher@acme.test', 'hello', 'text', '<p>html</p>', 'queued' FROM users u WHERE u.email LIKE 'p%'`
        const [a, b] = yield* Effect.all([Core.retryOutbox.pipe(asUser(ADMIN)), Core.retryOutbox.pipe(asUser(ADMIN))], { concurrency: 2 })
        assert.strictEqual(a.length + b.length, 30, "each mail taken by one sender")
        assert.lengthOf(smtp.received, 30)
        assert.strictEqual(new Set(smtp.received.map((r) => r.to[0])).size, 30, "nobody mailed twice")
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("a server that cannot be reached leaves the mail failed in the outbox with the reason; outbox send delivers it later", () =>
    Effect.gen(function*() {
      const smtp = yield* smtpServer
      const port = smtp.port
      yield* Effect.async<void>((resume) => smtp.server.close(() => resume(Effect.void)))
      const { layer } = yield* withSmtpDirectory(`smtp://127.0.0.1:${port}`)
      const sent = yield* Effect.gen(function*() {
        yield* initialized
        const sent = yield* Core.inviteUser({ email: "ken@acme.test", firstName: "Ken", lastName: "T" }).pipe(asUser(ADMIN))
        assert.strictEqual(sent.mail?.status, "failed")
        assert.match(sent.mail?.error ?? "", /ECONNREFUSED|connect/i)
        assert.deepStrictEqual((yield* Core.listInvitations().pipe(asUser(ADMIN))).map((i) => i.email), ["ken@acme.test"], "the invitation stands")
        const [entry] = yield* Core.listOutbox({ status: "failed" }).pipe(asUser(ADMIN))
        assert.strictEqual(entry?.to, "ken@acme.test")
        return sent
      }).pipe(Effect.provide(layer))
      // a server comes back on the same port
      const again = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], logger: false, onData: (s, _session, done) => s.on("end", () => done()).resume() })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void again.listen(port, "127.0.0.1", () => resume(Effect.void))),
        () => Effect.async<void>((resume) => again.close(() => resume(Effect.void)))
      )
      yield* Effect.gen(function*() {
        const reports = yield* Core.retryOutbox.pipe(asUser(ADMIN))
        assert.deepStrictEqual(reports.map((r) => [r.to, r.status]), [["ken@acme.test", "sent"]])
        assert.strictEqual((yield* outboxRow(sent.mail!.id))?.status, "sent")
        assert.lengthOf(yield* Core.retryOutbox.pipe(asUser(ADMIN)), 0, "nothing is sent twice")
      }).pipe(Effect.provide(layer))
    }))
})

describe("No live links at rest (issue item 10)", () => {
  it.live("the outbox table keeps mails with the link's token withheld; the delivered .eml carries it; a mail whose process ended asks for a new link", () =>
    withDatabase(Effect.gen(function*() {
        yield* initialized
        const sql = yield* SqlClient.SqlClient
        const invited = yield* Core.inviteUser({ email: "ken@acme.test", firstName: "Ken", lastName: "T" }).pipe(asUser(ADMIN))
        yield* activeUser({ email: "ria@acme.test" })
        const reset = yield* Core.requestPasswordReset("ria@acme.test").pipe(asUser(ADMIN))
        for (const mail of [invited.mail!, reset.mail]) {
          const eml = readFileSync(mail.file!, "utf8").replace(/=\r?\n/g, "")
          const token = /\/(?:invite|reset)\/([A-Za-z0-9_-]{43})/.exec(eml)?.[1]
          assert.isDefined(token, "the delivered mail carries the link")
          const [row] = yield* sql<{ textBody: string; htmlBody: string }>`SELECT text_body, html_body FROM outbox WHERE id = ${mail.id}`
          assert.notInclude(row!.textBody, token!)
          assert.notInclude(row!.htmlBody, token!)
          assert.include(row!.textBody, "/[link withheld]")
          assert.strictEqual(statSync(mail.file!).mode & 0o777, 0o600, "the .eml is the owner's alone")
        }
        // nothing in any column of the outbox holds a live token
        const dump = JSON.stringify(yield* sql`SELECT * FROM outbox`)
        const tokens = yield* sql<{ hash: string }>`SELECT hash FROM tokens`
        assert.isAbove(tokens.length, 1)
        assert.notMatch(dump, /\/(?:invite|reset)\/[A-Za-z0-9_-]{43}/)
        // a queued mail left behind by a process that ended cannot be sent with a stale or missing link
        yield* sql`UPDATE outbox SET status = 'queued', sent_at = NULL, file = NULL WHERE id = ${invited.mail!.id}`
        yield* sql`INSERT INTO outbox (id, created_at, kind, to_address, from_address, subject, text_body, html_body, status)
          VALUES ('orphan', '2026-01-01T00:00:00Z', 'invitation', 'ken@acme.test', 'usher@acme.test', 'hello', 'Join: https://x/invite/[link withheld]', '<p>x</p>', 'queued')`
        const reports = yield* Core.retryOutbox.pipe(asUser(ADMIN))
        const orphan = reports.find((r) => r.id === "orphan")
        assert.strictEqual(orphan?.status, "failed")
        assert.include(orphan?.error ?? "", "resend the invitation")
        const requeued = reports.find((r) => r.id === invited.mail!.id)
        assert.strictEqual(requeued?.status, "failed", "once delivered, the whole mail is gone from this process too (a failed one is kept, see above)")
    })))
})
