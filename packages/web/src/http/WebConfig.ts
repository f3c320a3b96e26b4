import { Context, type Effect } from "effect"
import type { OidcClient, OidcDiscoveryFailed } from "../oidc/client.js"

/** Per-purpose rate limits: per client address and per account (or link). */
export interface Limits {
  readonly signIn: { readonly perIp: number; readonly perAccount: number; readonly windowSeconds: number }
  readonly accept: { readonly perIp: number; readonly perAccount: number; readonly windowSeconds: number }
  readonly reset: { readonly perIp: number; readonly perAccount: number; readonly windowSeconds: number }
  readonly newLink: { readonly perIp: number; readonly perAccount: number; readonly windowSeconds: number }
  /** the callbacks of sign-ins through the identity provider, per client address and per identity there */
  readonly idp: { readonly perIp: number; readonly perAccount: number; readonly windowSeconds: number }
}

/**
 * The defaults: a person mistyping a few times never meets them (the account lock comes at ten
 * failures in a row, before the per-account sign-in limit), a script guessing does.
 */
export const defaultLimits: Limits = {
  signIn: { perIp: 60, perAccount: 20, windowSeconds: 15 * 60 },
  accept: { perIp: 30, perAccount: 10, windowSeconds: 15 * 60 },
  reset: { perIp: 30, perAccount: 10, windowSeconds: 15 * 60 },
  newLink: { perIp: 10, perAccount: 3, windowSeconds: 60 * 60 },
  idp: { perIp: 60, perAccount: 20, windowSeconds: 15 * 60 }
}

/** The admin API's requests per token and window. */
export interface ApiBudget {
  readonly perToken: number
  readonly windowSeconds: number
}

/** A sync reading 100k users (100 pages of 1,000) spends a sixth of one window; a runaway loop is stopped. */
export const defaultApiBudget: ApiBudget = { perToken: 600, windowSeconds: 60 }

/** Sign-in through the company's identity provider, when it is configured. */
export interface OidcSetup {
  /** the provider's name on the buttons, "Sign in with …" (`USHER_OIDC_NAME`, default "your company account") */
  readonly label: string
  /** the provider's issuer identifier, as its tokens carry it (`iss`) */
  readonly issuer: string
  /** the discovered provider: discovered at the first need and kept once it worked, so a provider that is down at start-up is retried */
  readonly client: Effect.Effect<OidcClient, OidcDiscoveryFailed>
}

/** What the server was started with. */
export interface WebConfigShape {
  /** where people reach usher (`USHER_PUBLIC_URL`): https there makes every cookie `Secure` */
  readonly publicUrl: string
  /** take the client address from `X-Forwarded-For` (only behind a proxy that sets it) */
  readonly trustProxy: boolean
  readonly limits: Limits
  /**
   * the admin API's budget per token, counted in this process's memory (no write per call, so
   * each instance keeps its own count); absent: `defaultApiBudget`
   */
  readonly apiBudget?: ApiBudget
  /** the largest request body read, in bytes */
  readonly maxBodyBytes: number
  /** one line per request (method, path with tokens cut out, status, time); none when absent */
  readonly log?: (line: string) => void
  /** sign-in through the identity provider; absent when it is not configured (no button, its paths answer 404) */
  readonly oidc?: OidcSetup
}

/** The server's configuration, provided by `WebServerLive`. */
export class WebConfig extends Context.Tag("@usher/web/WebConfig")<WebConfig, WebConfigShape>() {}

/** Whether cookies must be `Secure`: the public address is https. */
export const secureCookies = (config: WebConfigShape): boolean => config.publicUrl.startsWith("https:")
