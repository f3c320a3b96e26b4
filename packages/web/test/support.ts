/**
 * The web tests' directory and server: a fresh directory on the engine the tests run on
 * (`USHER_TEST_ENGINE=pg`: a schema of its own on the local PostgreSQL; else a SQLite file), its
 * mail kept as `.eml` files in a temp folder, and `usher serve`'s server on a free loopback port.
 */
import * as Core from "@usher/core"
import { Effect, Either, type ManagedRuntime, Schema } from "effect"
import { expect } from "vitest"
import { simpleParser } from "mailparser"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Pg from "pg"
import { errorsOf } from "../src/api/OpenApi.js"
import type { RouteDoc } from "../src/api/Route.js"
import { startWebServer, type RunningWebServer, type WebServerOptions } from "../src/Server.js"

/** The engine the tests run on. */
export const ENGINE: "sqlite" | "pg" = process.env["USHER_TEST_ENGINE"] === "pg" ? "pg" : "sqlite"
const PG_SERVER = process.env["USHER_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

/** Runs statements on the PostgreSQL server as its superuser (schema creation and removal). */
const onPgServer = async (...statements: ReadonlyArray<string>): Promise<void> => {
  const client = new Pg.Client({ connectionString: PG_SERVER })
  await client.connect()
  await statements.reduce((done, text) => done.then(() => client.query(text)), Promise.resolve({} as unknown)).finally(() => client.end())
}

/** The provider admin `init` creates, and a password long enough for every test. */
export const ADMIN = "admin@acme.test"
export const PASSWORD = "correct horse battery staple"

/** A directory with its server, and how to act on it as an admin would. */
export interface Site {
  readonly server: RunningWebServer
  readonly dir: string
  /** where the directory is and its configuration, for another runtime (another process's view) */
  readonly location: Core.DatabaseLocation
  readonly config: Core.CoreConfigShape
  /** runs a use case on the directory (the admin's side of a test) */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => Promise<A>
  readonly close: () => Promise<void>
}

/** A fresh directory (organization "Acme", admin `admin@acme.test`) served on 127.0.0.1. */
export const openSite = async (options: Partial<Omit<WebServerOptions, "location" | "config" | "host">> & { readonly publicUrl?: string } = {}): Promise<Site> => {
  const dir = mkdtempSync(join(tmpdir(), "usher-web-test-"))
  let location: Core.DatabaseLocation
  let dropSchema = async (): Promise<void> => undefined
  if (ENGINE === "pg") {
    const name = `usher_web_${Core.newId().replace(/-/g, "").slice(-20)}`
    await onPgServer(`CREATE SCHEMA ${name}`)
    const url = new URL(PG_SERVER)
    url.searchParams.set("options", `-c search_path=${name} -c synchronous_commit=off`)
    location = { engine: "pg", url: url.toString() }
    dropSchema = () => onPgServer(`DROP SCHEMA IF EXISTS ${name} CASCADE`)
  } else {
    location = { engine: "sqlite", path: join(dir, "usher.db") }
  }
  const config: Core.CoreConfigShape = {
    ...Core.defaultConfig(location),
    dataDir: dir,
    auditKeyFile: join(dir, "audit-signing.key"),
    auditCheckpoints: join(dir, "audit-checkpoints.jsonl"),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl })
  }
  const runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown> = Core.makeCoreRuntime(location, config)
  const run = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices>) => runtime.runPromise(effect)
  await run(Core.init({ adminEmail: ADMIN, firstName: "Ada", lastName: "Admin", org: "acme", orgName: "Acme" }).pipe(Core.as("system", "cli")))
  const server = await startWebServer({ location, config, host: "127.0.0.1", port: 0, ...options })
  return {
    server,
    dir,
    location,
    config,
    run,
    close: async () => {
      await server.close()
      await runtime.dispose()
      await dropSchema()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Acts as the directory's admin. */
export const asAdmin = Core.asUser(ADMIN, "cli")

/** The link of a kind in a delivered `.eml` (read as a mail client would), moved to the test server. */
export const linkInMail = async (site: Site, file: string, kind: "invite" | "reset"): Promise<string> => {
  const mail = await simpleParser(readFileSync(file))
  const match = new RegExp(`https?://[^/\\s]+(/${kind}/[A-Za-z0-9_-]{43})`).exec(mail.text ?? "")
  if (match === null) throw new Error(`no ${kind} link in ${file}`)
  return `${site.server.url}${match[1]}`
}

/** The `.eml` files of the outbox whose subject matches, parsed. */
export const mailsMatching = async (site: Site, subject: RegExp) => {
  const outbox = join(site.dir, "outbox")
  const files = readdirSync(outbox).filter((f) => f.endsWith(".eml"))
  const mails = await Promise.all(files.map(async (f) => simpleParser(readFileSync(join(outbox, f)))))
  return mails.filter((m) => subject.test(m.subject ?? ""))
}

/** An active user whose password is PASSWORD (created provisioned, then given the password through a reset). */
export const personWithPassword = async (site: Site, email: string, names: { firstName?: string; lastName?: string } = {}) => {
  const created = await site.run(Core.createUser({ email, firstName: names.firstName ?? "Pat", lastName: names.lastName ?? "Person" }).pipe(asAdmin))
  const asked = await site.run(Core.requestPasswordReset(email).pipe(asAdmin))
  const link = await linkInMail(site, asked.mail.file!, "reset")
  await site.run(Core.completePasswordReset({ token: link.slice(link.lastIndexOf("/") + 1), password: PASSWORD }).pipe(Core.as("system", "web")))
  return created
}

/**
 * Checks an API answer against the operation as the OpenAPI document describes it: a success
 * decodes with its declared schema (no field it does not declare), an error is problem+json with
 * a status the operation lists.
 */
export const conformsTo = (route: RouteDoc, status: number, body: any, contentType: string | null, label: string) => {
  const spec = route.responses[status as keyof typeof route.responses]
  if (spec !== undefined) {
    if (spec.schema === undefined) return
    expect(contentType, label).toBe("application/json")
    const decoded = Schema.decodeUnknownEither(spec.schema, { onExcessProperty: "error" })(body)
    if (Either.isLeft(decoded)) throw new Error(`${label} ${status}: the answer does not fit its schema: ${decoded.left.message}`)
    return
  }
  expect(contentType, `${label} ${status}`).toBe("application/problem+json")
  expect(errorsOf(route), `${route.operationId} answered ${status}, which its document does not list`).toContain(status)
  expect(body).toMatchObject({ status, type: `urn:usher:error:${body.error}` })
}
