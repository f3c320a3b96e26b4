import * as Core from "@usher/core"
import { startIdentityProvider, type TestIdentityProvider } from "@usher/testkit"
import { Effect, Either, Layer } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { callbackUrl, discover, finishSignIn, oidcConfigFromEnv, startSignIn, type OidcClient, type PendingSignIn } from "../src/oidc/client.js"

/** The engine the tests run on: `USHER_TEST_ENGINE=pg` for PostgreSQL, else SQLite (as in core's tests). */
export const ENGINE: "sqlite" | "pg" = process.env["USHER_TEST_ENGINE"] === "pg" ? "pg" : "sqlite"
const PG_SERVER = process.env["USHER_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

/** The e-mail of the provider admin that `initialized` creates. */
export const ADMIN = "admin@acme.test"

/** psql, a real client subprocess, for the schema a PostgreSQL test gets of its own. */
const psql = (statement: string) => execFileSync("psql", [PG_SERVER, "-qtAc", statement], { stdio: ["ignore", "pipe", "pipe"] })

/** A fresh directory on the engine the tests run on (a SQLite file, or a PostgreSQL schema of its own), removed when the scope closes. */
const tempDirectory = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "usher-web-oidc-"))
    if (ENGINE === "sqlite") return { dir, schema: null, location: { engine: "sqlite", path: join(dir, "usher.db") } as Core.DatabaseLocation }
    const schema = `usher_web_${randomBytes(8).toString("hex")}`
    psql(`CREATE SCHEMA ${schema}`)
    const url = new URL(PG_SERVER)
    url.searchParams.set("options", `-c search_path=${schema} -c synchronous_commit=off`)
    return { dir, schema, location: { engine: "pg", url: url.toString() } as Core.DatabaseLocation }
  }),
  (temp) =>
    Effect.sync(() => {
      if (temp.schema !== null) psql(`DROP SCHEMA IF EXISTS ${temp.schema} CASCADE`)
      rmSync(temp.dir, { recursive: true, force: true })
    })
)

/** Core over a fresh temp directory, its mail, keys and checkpoints in the temp folder. */
export const TempCoreLive: Layer.Layer<Core.CoreServices> = Layer.unwrapScoped(
  Effect.map(tempDirectory, (temp) =>
    Layer.orDie(Core.CoreLive(temp.location, {
      ...Core.defaultConfig(temp.location),
      dataDir: temp.dir,
      auditKeyFile: join(temp.dir, "audit-signing.key"),
      auditCheckpoints: join(temp.dir, "audit-checkpoints.jsonl")
    })))
)

/** The test identity provider on loopback, and usher's client discovered from it through the same env variables `usher serve` reads. */
export const identityProvider = Effect.gen(function*() {
  const idp = yield* Effect.acquireRelease(Effect.promise(() => startIdentityProvider()), (p) => Effect.promise(() => p.close()))
  const config = Either.getOrThrow(oidcConfigFromEnv({
    USHER_OIDC_ISSUER: idp.issuer,
    USHER_OIDC_CLIENT_ID: idp.client.clientId,
    USHER_OIDC_CLIENT_SECRET: idp.client.clientSecret,
    USHER_PUBLIC_URL: new URL(idp.client.redirectUri).origin
  }))
  const client = yield* discover(config!)
  return { idp, client }
})

/** `init` as `system`: organization `acme`, provider admin `admin@acme.test`. */
export const initialized = Core.init({ adminEmail: ADMIN, firstName: "Ada", lastName: "Admin", org: "acme", orgName: "Acme" }).pipe(
  Core.as("system", "cli"),
  Effect.orDie
)

/** Sets `oidc.*` settings as the admin. */
export const oidcSettings = (settings: Partial<Record<"oidc.auto-register" | "oidc.default-org" | "oidc.default-role", string>>) =>
  Effect.forEach(Object.entries(settings), ([key, value]) => Core.setSetting(key, value!)).pipe(Core.asUser(ADMIN, "cli"), Effect.orDie)

/** The browser's side up to the callback: the redirect to the provider, signing in there as `subject`, and the URL it sends the browser back to. */
export const throughProvider = (idp: TestIdentityProvider, client: OidcClient, subject: string) =>
  Effect.gen(function*() {
    const started = yield* startSignIn(client)
    const back = yield* Effect.promise(() => idp.signIn(started.url, subject))
    return { pending: started.pending, url: started.url, callback: callbackUrl(client, back.search) }
  })

/** The whole flow as the pages run it: redirect, provider, callback verified by the client, then core's use case. */
export const signInThroughIdp = (idp: TestIdentityProvider, client: OidcClient, subject: string) =>
  Effect.gen(function*() {
    const trip = yield* throughProvider(idp, client, subject)
    const identity = yield* finishSignIn(client, trip.callback, trip.pending)
    return yield* Core.signInWithIdp(identity, { userAgent: "oidc-test", ip: "127.0.0.1" }).pipe(Core.as("system", "api"))
  })

export type { PendingSignIn }
