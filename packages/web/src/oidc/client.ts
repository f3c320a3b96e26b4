import type { IdpIdentity } from "@usher/core"
import { Effect, Either, Schema } from "effect"
import * as oidc from "openid-client"

/** The path the identity provider sends the browser back to; register `USHER_PUBLIC_URL` + this at the provider. */
export const CALLBACK_PATH = "/signin/oidc/callback"

/** The path that starts a sign-in (the button on /signin links here). */
export const START_PATH = "/signin/oidc"

/** The cookie that carries a sign-in's checks from the redirect to the callback. */
export const PENDING_COOKIE = "usher_oidc"

/** How long a started sign-in may take at the provider before its checks are thrown away. */
export const PENDING_MAX_AGE_SECONDS = 600

/** What usher asks the provider for: the ID token (`openid`), the e-mail and the names. */
export const SCOPES = "openid email profile"

/** Sign-in through the identity provider is configured half-way, or wrongly. */
export class OidcConfigInvalid extends Schema.TaggedError<OidcConfigInvalid>()("OidcConfigInvalid", { variable: Schema.String, reason: Schema.String }) {
  override get message() {
    return `${this.variable}: ${this.reason}.`
  }
}

/** The provider's discovery document could not be read (unreachable, not an OpenID provider, issuer mismatch). */
export class OidcDiscoveryFailed extends Schema.TaggedError<OidcDiscoveryFailed>()("OidcDiscoveryFailed", { issuer: Schema.String, reason: Schema.String }) {
  override get message() {
    return `The identity provider ${this.issuer} could not be reached or is not an OpenID provider (${this.reason}).`
  }
}

/**
 * The provider's answer at the callback was refused: no or stale checks, a state, nonce or PKCE
 * mismatch, an error the provider sent, a token or userinfo that did not verify. The person starts over.
 */
export class OidcCallbackRejected extends Schema.TaggedError<OidcCallbackRejected>()("OidcCallbackRejected", { reason: Schema.String }) {
  override get message() {
    return "Signing in with your identity provider did not complete. Please try again."
  }
}

/** Where the identity provider is and who usher is to it, from the environment. */
export interface OidcConfig {
  readonly issuer: URL
  readonly clientId: string
  readonly clientSecret: string
  /** `USHER_PUBLIC_URL` + `/signin/oidc/callback` */
  readonly redirectUri: string
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"])

/** Whether plain http may be used with the issuer: only on loopback (a provider in tests or on the same host). */
export const insecureAllowed = (issuer: URL): boolean => issuer.protocol === "http:" && LOOPBACK.has(issuer.hostname)

/**
 * The provider's configuration from `USHER_OIDC_ISSUER`, `USHER_OIDC_CLIENT_ID`,
 * `USHER_OIDC_CLIENT_SECRET` and `USHER_PUBLIC_URL` (default `http://localhost:8080`): `null` when
 * none of the three is set (the button is not shown), an error naming the variable when only some
 * are, or the issuer is not https (plain http is allowed on loopback only).
 */
export const oidcConfigFromEnv = (env: Readonly<Record<string, string | undefined>> = process.env): Either.Either<OidcConfig | null, OidcConfigInvalid> => {
  const names = ["USHER_OIDC_ISSUER", "USHER_OIDC_CLIENT_ID", "USHER_OIDC_CLIENT_SECRET"] as const
  const values = names.map((name) => env[name]?.trim() ?? "")
  if (values.every((v) => v === "")) return Either.right(null)
  const missing = names.find((_, i) => values[i] === "")
  if (missing !== undefined) return Either.left(new OidcConfigInvalid({ variable: missing, reason: `set it too, or unset ${names.filter((n) => n !== missing).join(" and ")}` }))
  const [issuerText, clientId, clientSecret] = values as [string, string, string]
  let issuer: URL
  try {
    issuer = new URL(issuerText)
  } catch {
    return Either.left(new OidcConfigInvalid({ variable: "USHER_OIDC_ISSUER", reason: "not a URL" }))
  }
  if (issuer.protocol !== "https:" && !insecureAllowed(issuer)) {
    return Either.left(new OidcConfigInvalid({ variable: "USHER_OIDC_ISSUER", reason: "use https (plain http only on 127.0.0.1, ::1 or localhost)" }))
  }
  const publicUrl = (env["USHER_PUBLIC_URL"]?.trim() || "http://localhost:8080").replace(/\/+$/, "")
  return Either.right({ issuer, clientId, clientSecret, redirectUri: `${publicUrl}${CALLBACK_PATH}` })
}

/** A discovered provider, ready to start and finish sign-ins (discover once at start-up). */
export interface OidcClient {
  readonly config: OidcConfig
  readonly server: oidc.Configuration
}

/** What went wrong, for logs: openid-client's code and message, and what its cause says (e.g. which check failed). */
const reasonOf = (error: unknown): string => {
  const e = error as { readonly code?: unknown; readonly message?: unknown; readonly error?: unknown; readonly cause?: { readonly message?: unknown; readonly error?: unknown } }
  return [e.code, e.error, e.message, e.cause?.error, e.cause?.message]
    .filter((part) => typeof part === "string" && part !== "").join(": ").slice(0, 300) || "unknown"
}

/** Reads the provider's discovery document (`/.well-known/openid-configuration`) and its keys' location. */
export const discover = (config: OidcConfig): Effect.Effect<OidcClient, OidcDiscoveryFailed> =>
  Effect.tryPromise({
    try: () =>
      oidc.discovery(
        config.issuer,
        config.clientId,
        undefined,
        oidc.ClientSecretBasic(config.clientSecret),
        insecureAllowed(config.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined
      ),
    catch: (error) => new OidcDiscoveryFailed({ issuer: config.issuer.href, reason: reasonOf(error) })
  }).pipe(Effect.map((server) => ({ config, server })))

/** What must be kept between the redirect to the provider and the callback: in a short-lived, HttpOnly cookie. */
export const PendingSignIn = Schema.Struct({
  state: Schema.String,
  nonce: Schema.String,
  codeVerifier: Schema.String,
  /** what the round trip is for: signing in, or linking the signed-in person's account (from /account) */
  purpose: Schema.optionalWith(Schema.Literal("signin", "link"), { default: () => "signin" as const }),
  /** a local path to land on afterwards (already checked to be local by the page) */
  returnTo: Schema.optional(Schema.String),
  /** when the sign-in started, ms since the epoch: the callback refuses older than `PENDING_MAX_AGE_SECONDS` */
  startedAt: Schema.Number
})
export type PendingSignIn = typeof PendingSignIn.Type

const PendingJson = Schema.parseJson(PendingSignIn)

/** The cookie value of a pending sign-in (base64url of its JSON). */
export const encodePending = (pending: PendingSignIn): string =>
  Buffer.from(Schema.encodeSync(PendingJson)(pending)).toString("base64url")

/** A pending sign-in from its cookie value; a missing or malformed one is refused. */
export const decodePending = (value: string | undefined): Either.Either<PendingSignIn, OidcCallbackRejected> => {
  if (value === undefined || value === "") return Either.left(new OidcCallbackRejected({ reason: "no sign-in was started in this browser" }))
  return Schema.decodeUnknownEither(PendingJson)(Buffer.from(value, "base64url").toString("utf8")).pipe(
    Either.mapLeft(() => new OidcCallbackRejected({ reason: "the sign-in cookie is malformed" }))
  )
}

/**
 * Starts a sign-in: the provider's authorization URL (code flow, PKCE S256, fresh state and
 * nonce) to redirect the browser to, and the checks to keep in the `usher_oidc` cookie.
 */
export const startSignIn = (client: OidcClient, options: { readonly returnTo?: string; readonly purpose?: "signin" | "link"; readonly now?: number } = {}) =>
  Effect.promise(async () => {
    const codeVerifier = oidc.randomPKCECodeVerifier()
    const pending: PendingSignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier,
      purpose: options.purpose ?? "signin",
      ...(options.returnTo !== undefined ? { returnTo: options.returnTo } : {}),
      startedAt: options.now ?? Date.now()
    }
    const url = oidc.buildAuthorizationUrl(client.server, {
      redirect_uri: client.config.redirectUri,
      scope: SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce
    })
    return { url, pending }
  })

/**
 * The callback's URL as the provider sent the browser to it: the registered redirect URI with the
 * query the request arrived with. Build it so rather than from the request's Host, which behind a
 * reverse proxy is not the public one — openid-client sends this URL back as the `redirect_uri`.
 */
export const callbackUrl = (client: OidcClient, search: string): URL => {
  const url = new URL(client.config.redirectUri)
  url.search = search.startsWith("?") ? search.slice(1) : search
  return url
}

const claimText = (value: unknown): string | undefined => typeof value === "string" && value.trim() !== "" ? value : undefined

/**
 * Finishes a sign-in at the callback (`callbackUrl(client, request's query)`): checks the state, exchanges the code with the PKCE verifier,
 * verifies the ID token (signature, issuer, audience, expiry, nonce), then reads e-mail and names
 * from userinfo (for the same subject). The answer is what core's `signInWithIdp` takes.
 */
export const finishSignIn = (
  client: OidcClient,
  callbackUrl: URL,
  pending: PendingSignIn,
  options: { readonly now?: number } = {}
): Effect.Effect<IdpIdentity, OidcCallbackRejected> =>
  Effect.gen(function*() {
    const now = options.now ?? Date.now()
    if (!(now - pending.startedAt >= 0 && now - pending.startedAt <= PENDING_MAX_AGE_SECONDS * 1000)) {
      return yield* Effect.fail(new OidcCallbackRejected({ reason: "the sign-in took too long" }))
    }
    const rejected = (error: unknown) => new OidcCallbackRejected({ reason: reasonOf(error) })
    const tokens = yield* Effect.tryPromise({
      try: () =>
        oidc.authorizationCodeGrant(client.server, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true
        }),
      catch: rejected
    })
    const claims = tokens.claims()
    if (claims === undefined) return yield* Effect.fail(new OidcCallbackRejected({ reason: "no ID token" }))
    const info = yield* Effect.tryPromise({ try: () => oidc.fetchUserInfo(client.server, tokens.access_token, claims.sub), catch: rejected })
    const email = claimText(info.email) ?? claimText(claims["email"])
    if (email === undefined) return yield* Effect.fail(new OidcCallbackRejected({ reason: "the provider gave no e-mail" }))
    const verified = info.email !== undefined ? info.email_verified : claims["email_verified"]
    const firstName = claimText(info.given_name) ?? claimText(claims["given_name"])
    const lastName = claimText(info.family_name) ?? claimText(claims["family_name"])
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email,
      // some providers send the flag as a string
      emailVerified: verified === true || verified === "true",
      ...(firstName !== undefined ? { firstName } : {}),
      ...(lastName !== undefined ? { lastName } : {})
    } satisfies IdpIdentity
  })
