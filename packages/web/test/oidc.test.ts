import * as Core from "@usher/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Option } from "effect"
import {
  callbackUrl, decodePending, encodePending, finishSignIn, insecureAllowed, oidcConfigFromEnv, PENDING_MAX_AGE_SECONDS
} from "../src/oidc/client.js"
import { ADMIN, ENGINE, identityProvider, initialized, oidcSettings, signInThroughIdp, TempCoreLive, throughProvider } from "./oidcSupport.js"

/** The typed error an effect failed with (a success or a defect fails the test). */
const failure = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.dieMessage(`expected a failure, got ${JSON.stringify(exit.value)}`)
    const error = Cause.failureOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.dieMessage(Cause.pretty(exit.cause))
  })

/** Runs a test with core on a fresh temp directory and the identity provider on loopback. */
const scenario = <A, E>(body: (env: Effect.Effect.Success<typeof identityProvider>) => Effect.Effect<A, E, Core.CoreServices>) =>
  Effect.scoped(Effect.gen(function*() {
    const env = yield* identityProvider
    yield* initialized
    return yield* body(env)
  })).pipe(Effect.provide(TempCoreLive))

const session = (token: string) => Core.Jobs.authenticate(token).pipe(Core.Jobs.asSystem("cli"))

describe(`Sign in with the company's identity provider: the full code flow (real provider, real client, core on ${ENGINE})`, () => {
  it.live("off: an unknown person's first sign-in is refused", () =>
    scenario(({ idp, client }) => Effect.gen(function*() {
      idp.setAccount("kim-1", { email: "kim@acme.test", givenName: "Kim", familyName: "Lee" })
      const error = yield* failure(signInThroughIdp(idp, client, "kim-1"))
      assert.strictEqual(error._tag, "IdpRegistrationClosed")
      assert.deepStrictEqual((yield* Core.listUsers({ search: "kim" }).pipe(Core.asUser(ADMIN, "cli"))).length, 0)
    })))

  it.live("active: created active in oidc.default-org with oidc.default-role from the provider's claims; the session works", () =>
    scenario(({ idp, client }) => Effect.gen(function*() {
      yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(Core.asUser(ADMIN, "cli"))
      yield* oidcSettings({ "oidc.auto-register": "active", "oidc.default-org": "beta", "oidc.default-role": "auditor" })
      idp.setAccount("kim-1", { email: "Kim@Acme.test", givenName: "Kim", familyName: "Lee" })
      const signed = yield* signInThroughIdp(idp, client, "kim-1")
      assert.deepStrictEqual([signed.route, signed.user.email, signed.user.firstName, signed.user.lastName, signed.user.status], ["registration", "kim@acme.test", "Kim", "Lee", "active"])
      const detail = yield* Core.showUser(signed.user.id).pipe(Core.asUser(ADMIN, "cli"))
      assert.deepStrictEqual([detail.organizations.map((o) => o.slug), detail.grants.map((g) => `${g.role}@${g.scope}`)], [["beta"], ["auditor@org:beta"]])
      // linked by the provider's issuer (as its ID token says) and subject
      const links = yield* Core.myIdentityLinks.pipe(Core.asUser("kim@acme.test", "cli"))
      assert.deepStrictEqual(links.map((l) => l.issuer), [idp.issuer])
      assert.strictEqual((yield* session(signed.token)).user.id, signed.user.id)
    })))

  it.live("pending: held until an admin approves it in the approvals queue, then the person signs in", () =>
    scenario(({ idp, client }) => Effect.gen(function*() {
      yield* oidcSettings({ "oidc.auto-register": "pending" })
      idp.setAccount("kim-1", { email: "kim@acme.test", givenName: "Kim", familyName: "Lee" })
      const waiting = yield* failure(signInThroughIdp(idp, client, "kim-1"))
      if (waiting._tag !== "IdpRegistrationPending") return yield* Effect.dieMessage(`expected IdpRegistrationPending, got ${waiting._tag}`)
      const again = yield* failure(signInThroughIdp(idp, client, "kim-1"))
      assert.deepStrictEqual([again._tag, "approval" in again ? again.approval : null], ["IdpRegistrationPending", waiting.approval])
      const decision = yield* Core.approveRequest(waiting.approval).pipe(Core.asUser(ADMIN, "cli"))
      assert.isTrue(decision.executed)
      const signed = yield* signInThroughIdp(idp, client, "kim-1")
      assert.deepStrictEqual([signed.route, signed.user.status], ["linked", "active"])
    })))

  it.live("an e-mail the provider has not verified is refused", () =>
    scenario(({ idp, client }) => Effect.gen(function*() {
      yield* oidcSettings({ "oidc.auto-register": "active" })
      idp.setAccount("kim-1", { email: "kim@acme.test", emailVerified: false })
      const error = yield* failure(signInThroughIdp(idp, client, "kim-1"))
      assert.strictEqual(error._tag, "IdpEmailUnverified")
    })))

  it.live("a returning person is matched by subject after changing e-mail at the provider", () =>
    scenario(({ idp, client }) => Effect.gen(function*() {
      yield* oidcSettings({ "oidc.auto-register": "active" })
      idp.setAccount("kim-1", { email: "kim@acme.test", givenName: "Kim", familyName: "Lee" })
      const first = yield* signInThroughIdp(idp, client, "kim-1")
      idp.setAccount("kim-1", { email: "kim.lee@acme.test", givenName: "Kim", familyName: "Lee" })
      const returning = yield* signInThroughIdp(idp, client, "kim-1")
      assert.deepStrictEqual([returning.route, returning.user.id, returning.user.email], ["linked", first.user.id, "kim@acme.test"])
      const links = yield* Core.myIdentityLinks.pipe(Core.asUser("kim@acme.test", "cli"))
      assert.deepStrictEqual(links.map((l) => l.email), ["kim.lee@acme.test"])
    })))

  it.live("a pending invitation for the same e-mail is accepted by the sign-in; another provider account with an existing person's e-mail is not let in", () =>
    scenario(({ idp, client }) => Effect.gen(function*() {
      yield* Core.inviteUser({ email: "inv@acme.test", link: true }).pipe(Core.asUser(ADMIN, "cli"))
      idp.setAccount("inv-1", { email: "inv@acme.test", givenName: "Ines", familyName: "Vited" })
      const signed = yield* signInThroughIdp(idp, client, "inv-1")
      assert.deepStrictEqual([signed.route, signed.user.status, signed.user.firstName], ["invitation", "active", "Ines"])
      idp.setAccount("mallory", { email: "inv@acme.test" })
      assert.strictEqual((yield* failure(signInThroughIdp(idp, client, "mallory")))._tag, "IdpLinkRequired")
    })))

  it.live("state, nonce and PKCE mismatches, a replayed code, a stale or missing cookie and the provider's own error are refused", () =>
    scenario(({ idp, client }) => Effect.gen(function*() {
      idp.setAccount("kim-1", { email: "kim@acme.test" })
      const reasonOf = (e: { readonly _tag: string; readonly reason?: string }) => `${e._tag}: ${e.reason ?? ""}`
      // another browser's sign-in: its cookie's state is not the one the provider sent back
      const trip = yield* throughProvider(idp, client, "kim-1")
      const other = yield* throughProvider(idp, client, "kim-1")
      const mismatch = reasonOf(yield* failure(finishSignIn(client, trip.callback, other.pending)))
      assert.match(mismatch, /OidcCallbackRejected: .*state/i)
      // the state matches but the nonce does not (a token minted for another sign-in)
      const nonce = yield* throughProvider(idp, client, "kim-1")
      assert.match(reasonOf(yield* failure(finishSignIn(client, nonce.callback, { ...nonce.pending, nonce: other.pending.nonce }))), /OidcCallbackRejected: .*nonce/i)
      // the PKCE verifier of another sign-in: the provider refuses the code
      const pkce = yield* throughProvider(idp, client, "kim-1")
      assert.match(reasonOf(yield* failure(finishSignIn(client, pkce.callback, { ...pkce.pending, codeVerifier: other.pending.codeVerifier }))), /OidcCallbackRejected: .*invalid_grant/i)
      // a good one works once; the same code again is refused
      const good = yield* throughProvider(idp, client, "kim-1")
      const identity = yield* finishSignIn(client, good.callback, good.pending)
      assert.deepStrictEqual([identity.issuer, identity.subject, identity.email, identity.emailVerified], [idp.issuer, "kim-1", "kim@acme.test", true])
      assert.match(reasonOf(yield* failure(finishSignIn(client, good.callback, good.pending))), /OidcCallbackRejected: .*invalid_grant/i)
      // too old, or no cookie at all
      const late = yield* throughProvider(idp, client, "kim-1")
      const after = late.pending.startedAt + PENDING_MAX_AGE_SECONDS * 1000 + 1
      assert.match(reasonOf(yield* failure(finishSignIn(client, late.callback, late.pending, { now: after }))), /too long/)
      assert.isTrue(Either.isLeft(decodePending(undefined)))
      assert.isTrue(Either.isLeft(decodePending("not-json")))
      assert.deepStrictEqual(decodePending(encodePending(late.pending)), Either.right(late.pending))
      // the provider sends the person back with an error instead of a code
      const denied = callbackUrl(client, `?error=access_denied&state=${late.pending.state}&iss=${encodeURIComponent(idp.issuer)}`)
      assert.match(reasonOf(yield* failure(finishSignIn(client, denied, late.pending))), /access_denied/)
    })))
})

describe("the client's configuration from the environment", () => {
  const full = { USHER_OIDC_ISSUER: "https://idp.example.test", USHER_OIDC_CLIENT_ID: "usher", USHER_OIDC_CLIENT_SECRET: "s3cret" }

  it("none of the three set: no button; some of them: an error naming the missing one", () => {
    assert.deepStrictEqual(oidcConfigFromEnv({}), Either.right(null))
    const partial = oidcConfigFromEnv({ USHER_OIDC_ISSUER: full.USHER_OIDC_ISSUER, USHER_OIDC_CLIENT_ID: "usher" })
    assert.isTrue(Either.isLeft(partial) && partial.left.variable === "USHER_OIDC_CLIENT_SECRET")
  })

  it("the redirect URI is USHER_PUBLIC_URL/signin/oidc/callback", () => {
    const config = Either.getOrThrow(oidcConfigFromEnv({ ...full, USHER_PUBLIC_URL: "https://people.example.test/" }))
    assert.strictEqual(config?.redirectUri, "https://people.example.test/signin/oidc/callback")
    assert.strictEqual(Either.getOrThrow(oidcConfigFromEnv(full))?.redirectUri, "http://localhost:8080/signin/oidc/callback")
  })

  it("plain http only on loopback", () => {
    for (const issuer of ["http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"]) {
      assert.isTrue(Either.isRight(oidcConfigFromEnv({ ...full, USHER_OIDC_ISSUER: issuer })), issuer)
      assert.isTrue(insecureAllowed(new URL(issuer)), issuer)
    }
    for (const issuer of ["http://idp.example.test", "http://10.0.0.5", "ftp://idp.example.test", "not a url"]) {
      const answer = oidcConfigFromEnv({ ...full, USHER_OIDC_ISSUER: issuer })
      assert.isTrue(Either.isLeft(answer) && answer.left.variable === "USHER_OIDC_ISSUER", issuer)
    }
    assert.isFalse(insecureAllowed(new URL("https://127.0.0.1")))
  })
})
