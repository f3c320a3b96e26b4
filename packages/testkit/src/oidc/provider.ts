import { generateKeyPairSync, randomBytes } from "node:crypto"
import { once } from "node:events"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type Provider from "oidc-provider"
import type { Configuration } from "oidc-provider"

/** A person the test identity provider knows, with the claims it vouches for. */
export interface IdpAccount {
  readonly email: string
  /** default true */
  readonly emailVerified?: boolean
  readonly givenName?: string
  readonly familyName?: string
}

/** The one client the provider serves (usher). */
export interface IdpClient {
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUri: string
}

/** A running identity provider on loopback, and the handles a test needs. */
export interface TestIdentityProvider {
  /** the issuer identifier (`http://127.0.0.1:PORT`), what `USHER_OIDC_ISSUER` is set to */
  readonly issuer: string
  readonly client: IdpClient
  /** adds a person or changes what the provider says about them (say, a new e-mail between sign-ins) */
  readonly setAccount: (subject: string, account: IdpAccount) => void
  /**
   * Plays the person's browser: opens the authorization URL, signs in as `subject` and consents,
   * following the provider's redirects with its cookies, and returns the URL the provider sends the
   * browser back to (the client's redirect URI with `code` and `state`), without opening it.
   */
  readonly signIn: (authorizationUrl: URL | string, subject: string) => Promise<URL>
  readonly close: () => Promise<void>
}

/** Options of `startIdentityProvider`. */
export interface IdentityProviderOptions {
  /** the redirect URI registered for the client (default `http://127.0.0.1:8080/signin/oidc/callback`) */
  readonly redirectUri?: string
  readonly clientId?: string
  readonly clientSecret?: string
}

const INTERACTION = "/interaction/"

/**
 * The provider's storage for one test run, in memory: the adapter interface `oidc-provider`
 * documents (its built-in one does the same but warns at every start).
 */
const memoryAdapter = () => {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>()
  const live = (key: string) => {
    const entry = store.get(key)
    if (entry === undefined || entry.expiresAt < Date.now()) return undefined
    return entry.payload
  }
  return class MemoryAdapter {
    constructor(readonly model: string) {}
    key(id: string) {
      return `${this.model}:${id}`
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      store.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 })
    }
    async find(id: string) {
      return live(this.key(id))
    }
    async findByUid(uid: string) {
      for (const [key, entry] of store) if (key.startsWith(`${this.model}:`) && entry.payload["uid"] === uid) return live(key)
      return undefined
    }
    async findByUserCode(userCode: string) {
      for (const [key, entry] of store) if (key.startsWith(`${this.model}:`) && entry.payload["userCode"] === userCode) return live(key)
      return undefined
    }
    async consume(id: string) {
      const entry = store.get(this.key(id))
      if (entry !== undefined) entry.payload["consumed"] = Math.floor(Date.now() / 1000)
    }
    async destroy(id: string) {
      store.delete(this.key(id))
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload["grantId"] === grantId) store.delete(key)
    }
  }
}

/** A cookie jar for one simulated browser: `name=value` pairs by name, as `Set-Cookie` left them. */
const cookieJar = () => {
  const cookies = new Map<string, string>()
  return {
    header: () => [...cookies.entries()].map(([k, v]) => `${k}=${v}`).join("; "),
    take: (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";")
        const at = pair!.indexOf("=")
        const name = pair!.slice(0, at).trim()
        const value = pair!.slice(at + 1).trim()
        if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name)
        else cookies.set(name, value)
      }
    }
  }
}

/**
 * Starts `oidc-provider` (a certified OpenID Provider) on 127.0.0.1 on a free port as the company's
 * identity provider: authorization code with PKCE required, the ID token carrying only `sub` and
 * e-mail and names served from userinfo, as real providers commonly do. Its login step is
 * answered by `signIn` for a test's own requests, or by a page with a link per account for a real
 * browser; consent is given on the person's behalf.
 */
export const startIdentityProvider = async (options: IdentityProviderOptions = {}): Promise<TestIdentityProvider> => {
  const accounts = new Map<string, IdpAccount>()
  let provider: Provider | undefined
  // the interaction step a test's `signIn` asks for: /interaction/UID/as/SUBJECT
  const interact = async (req: IncomingMessage, res: ServerResponse) => {
    const p = provider!
    const subject = decodeURIComponent(req.url!.split("/as/")[1] ?? "")
    const details = await p.interactionDetails(req, res)
    if (details.prompt.name === "login" && !req.url!.includes("/as/")) {
      // a browser at the login step: a page with one link per account, as a person would pick theirs
      const base = req.url!.split("?")[0]!
      const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
      const items = [...accounts.keys()].map((sub) => `<li><a href="${escape(`${base}/as/${encodeURIComponent(sub)}`)}">Sign in as ${escape(sub)}</a></li>`)
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1><ul>${items.join("")}</ul>`)
      return
    }
    if (details.prompt.name === "login") {
      if (!accounts.has(subject)) {
        res.writeHead(400).end(`no account ${subject}`)
        return
      }
      await p.interactionFinished(req, res, { login: { accountId: subject } }, { mergeWithLastSubmission: false })
      return
    }
    const grant = details.grantId === undefined
      ? new p.Grant({ accountId: details.session!.accountId, clientId: details.params["client_id"] as string })
      : (await p.Grant.find(details.grantId))!
    const missing = details.prompt.details as { missingOIDCScope?: ReadonlyArray<string>; missingOIDCClaims?: ReadonlyArray<string> }
    if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(" "))
    if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims([...missing.missingOIDCClaims])
    const grantId = await grant.save()
    await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
  }
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith(INTERACTION) === true) {
      interact(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500)
        res.end(String(error))
      })
      return
    }
    provider!.callback()(req, res)
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const client: IdpClient = {
    clientId: options.clientId ?? "usher",
    clientSecret: options.clientSecret ?? randomBytes(24).toString("base64url"),
    redirectUri: options.redirectUri ?? "http://127.0.0.1:8080/signin/oidc/callback"
  }
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const configuration: Configuration = {
    clients: [{
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [client.redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic"
    }],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" } as never] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["given_name", "family_name", "name"] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${INTERACTION}${interaction.uid}` },
    pkce: { required: () => true },
    adapter: memoryAdapter(),
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub)
      if (account === undefined) return undefined
      return {
        accountId: sub,
        // read at each request, so a change between sign-ins shows at the next userinfo call
        claims: () => {
          const now = accounts.get(sub) ?? account
          return {
            sub,
            email: now.email,
            email_verified: now.emailVerified ?? true,
            ...(now.givenName !== undefined ? { given_name: now.givenName } : {}),
            ...(now.familyName !== undefined ? { family_name: now.familyName } : {}),
            name: [now.givenName, now.familyName].filter((n) => n !== undefined).join(" ")
          }
        }
      }
    }
  }
  // loaded here, not at import: the packages that import testkit for other helpers do not pay for it
  const { default: OidcProvider } = await import("oidc-provider")
  provider = new OidcProvider(issuer, configuration)

  const signIn = async (authorizationUrl: URL | string, subject: string): Promise<URL> => {
    const jar = cookieJar()
    let url = new URL(authorizationUrl)
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } })
      jar.take(response)
      const location = response.headers.get("location")
      if (response.status < 300 || response.status >= 400 || location === null) {
        throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${(await response.text()).slice(0, 500)}`)
      }
      await response.body?.cancel()
      const next = new URL(location, url)
      if (next.href.startsWith(client.redirectUri)) return next
      // an interaction page: answered by the interaction route as the person `subject`
      url = next.pathname.startsWith(INTERACTION) ? new URL(`${next.pathname}/as/${encodeURIComponent(subject)}`, next) : next
    }
    throw new Error("the provider redirected more than ten times")
  }

  return {
    issuer,
    client,
    setAccount: (subject, account) => void accounts.set(subject, account),
    signIn,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, "close")
    }
  }
}
