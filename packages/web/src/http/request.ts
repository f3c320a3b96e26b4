/** Reading a request: the form it carries (size-limited), the client's address, cookies. */
import { HttpIncomingMessage, HttpServerRequest } from "@effect/platform"
import { Effect, Option } from "effect"
import { BodyTooLarge } from "./errors.js"
import { WebConfig } from "./WebConfig.js"

/** A submitted form: each field's first value, trimmed of nothing (passwords keep their spaces). */
export interface Form {
  readonly get: (name: string) => string
  readonly has: (name: string) => boolean
}

/**
 * Whether reading a body failed because it passed the size limit: the platform's Node stream reader
 * fails with this one `Error` when it counts more bytes than `withMaxBodySize` allows.
 */
export const isBodyTooLarge = (error: { readonly cause?: unknown }): boolean =>
  error.cause instanceof Error && error.cause.message === "maxBytes exceeded"

/** The form of a POST, read only up to `maxBodyBytes`; a larger body is `BodyTooLarge`. */
export const readForm = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const config = yield* WebConfig
  const declared = Number(request.headers["content-length"] ?? "0")
  if (declared > config.maxBodyBytes) return yield* Effect.fail(new BodyTooLarge())
  const params = yield* request.urlParamsBody.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(config.maxBodyBytes)),
    Effect.mapError(() => new BodyTooLarge())
  )
  const fields = new Map<string, string>()
  for (const [key, value] of params) if (!fields.has(key)) fields.set(key, value)
  return { get: (name: string) => fields.get(name) ?? "", has: (name: string) => fields.has(name) } satisfies Form
})

/** The client's address: the socket's, or behind a trusted proxy the first of `X-Forwarded-For`. */
export const clientIp = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const config = yield* WebConfig
  const forwarded = request.headers["x-forwarded-for"]
  if (config.trustProxy && forwarded !== undefined) return forwarded.split(",")[0]!.trim().slice(0, 64)
  return Option.getOrElse(request.remoteAddress, () => "unknown")
})

/** A cookie's value, or undefined. */
export const cookie = (name: string) => Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.cookies[name])

/**
 * The path to go to after signing in: only a local path (`/account`, never `//host` or
 * `https://…`), else the account page.
 */
export const localPath = (next: string | undefined): string => {
  if (next === undefined || next === "") return "/account"
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || /[\u0000-\u001f\\]/.test(next)) return "/account"
  return next.slice(0, 500)
}
