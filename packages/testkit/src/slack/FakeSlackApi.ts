import { once } from "node:events"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A Slack user the fake API knows (what `users.info` answers). */
export interface FakeSlackUser {
  readonly id: string
  readonly email?: string
  /** Slack's `is_email_confirmed`; default true */
  readonly emailConfirmed?: boolean
  readonly deleted?: boolean
  readonly isBot?: boolean
  readonly name?: string
}

/** One request the fake received: a Web API call (`method` like `chat.postMessage`) or a `respond` to a response URL. */
export interface RecordedCall {
  readonly seq: number
  /** the Web API method, or `respond` for a POST to a response URL */
  readonly method: string
  /** form fields (JSON-valued fields such as `blocks` decoded) or the JSON body */
  readonly args: Record<string, any>
  /** the response URL's id, for `respond` */
  readonly responseId?: string
  readonly token: string | null
  readonly at: number
  /** what the fake answered (a Web API call's JSON, e.g. the `ts` of a posted message) */
  readonly answer: Record<string, any>
}

/** An answer other than HTTP 200: Slack's `429` with `Retry-After`, say. */
export interface HttpAnswer {
  readonly httpStatus: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: Record<string, unknown>
}

/**
 * How the fake answers one method instead of its default (e.g. `{ ok: false, error: "not_in_channel" }`,
 * or an `HttpAnswer` such as a 429); undefined for the default. A promise holds the answer back
 * until it settles (a slow Slack).
 */
export type Override = (
  args: Record<string, any>,
  request: { readonly token: string | null }
) => Record<string, unknown> | HttpAnswer | undefined | Promise<Record<string, unknown> | HttpAnswer | undefined>

const isHttpAnswer = (answer: Record<string, unknown> | HttpAnswer): answer is HttpAnswer => typeof (answer as Partial<HttpAnswer>).httpStatus === "number"

/** Which calls of a method a misbehaviour applies to (all of them unless said). */
export interface Only {
  /** only calls whose arguments match */
  readonly when?: (args: Record<string, any>) => boolean
  /** only this many calls, then the method behaves again */
  readonly times?: number
}

const JSON_FIELDS = new Set(["blocks", "attachments", "view", "metadata"])

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

const parseArgs = (contentType: string, body: string): Record<string, any> => {
  if (body === "") return {}
  if (contentType.includes("application/json")) return JSON.parse(body) as Record<string, any>
  const out: Record<string, any> = {}
  for (const [key, value] of new URLSearchParams(body)) {
    out[key] = JSON_FIELDS.has(key) && value !== "" ? JSON.parse(value) : value
  }
  return out
}

/**
 * A fake Slack Web API on 127.0.0.1 (a random port) that records every call: `auth.test`,
 * `users.info` and `users.lookupByEmail` from the users it is given, `chat.postMessage` (fresh
 * `ts` per message; a post to a user id is answered with their direct-message channel, `D…`), `chat.update`, `chat.postEphemeral`, `views.open`, `views.update`, `views.publish`, `bots.info`, and response URLs
 * (`responseUrl(id)`). Point Bolt at `apiUrl`; wait for calls with `waitFor`.
 * `rateLimit`, `slow` and `failWith` make chosen methods misbehave the way the real one does.
 */
export class FakeSlackApi {
  readonly calls: Array<RecordedCall> = []
  readonly botUserId = "UBOT0001"
  readonly botId = "BBOT0001"
  readonly teamId = "T0TEAM01"
  /** the app the bot token belongs to (what `bots.info` answers and signed requests carry) */
  readonly appId = "A0USHER1"
  private readonly users = new Map<string, FakeSlackUser>()
  private readonly overrides = new Map<string, Override>()
  private readonly waiters = new Set<() => void>()
  private nextTs = 1_700_000_000_000_100
  private server: Server | undefined
  private base = ""

  /** The id of the app's direct-message conversation with a Slack user (`D…`), what a post to their user id is answered with. */
  static directChannel(slackUserId: string): string {
    return `D${slackUserId.slice(1)}`
  }

  /** Starts listening on 127.0.0.1 at a free port. */
  static async start(users: ReadonlyArray<FakeSlackUser> = []): Promise<FakeSlackApi> {
    const fake = new FakeSlackApi()
    for (const user of users) fake.addUser(user)
    const server = createServer((req, res) => void fake.handle(req, res))
    server.keepAliveTimeout = 1000
    server.listen(0, "127.0.0.1")
    await once(server, "listening")
    fake.server = server
    fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return fake
  }

  /** The Web API base URL (what `SLACK_API_URL` / `slackApiUrl` take), ending in `/api/`. */
  get apiUrl(): string {
    return `${this.base}/api/`
  }

  /** A response URL whose POSTs are recorded as `respond` calls with this id. */
  responseUrl(id: string): string {
    return `${this.base}/respond/${encodeURIComponent(id)}`
  }

  /** Adds or replaces a Slack user. */
  addUser(user: FakeSlackUser): void {
    this.users.set(user.id, user)
  }

  /** Answers a method with the override's result (when it returns one) instead of the default. */
  override(method: string, answer: Override | undefined): void {
    if (answer === undefined) this.overrides.delete(method)
    else this.overrides.set(method, answer)
  }

  /** Slack's rate limit: HTTP 429 with `Retry-After: seconds` for the method's calls (all, or those `only` picks). */
  rateLimit(method: string, retryAfterSeconds: number, only: Only = {}): void {
    this.misbehave(method, only, () => ({ httpStatus: 429, headers: { "retry-after": String(retryAfterSeconds) }, body: { ok: false, error: "ratelimited" } }))
  }

  /** A Web API error (`message_not_found`, `channel_not_found`, `is_archived`, `not_in_channel`, …) for the method's calls. */
  failWith(method: string, error: string, only: Only = {}): void {
    this.misbehave(method, only, () => ({ ok: false, error }))
  }

  /** A slow Slack: the method answers (as usual) only after `delayMs`. */
  slow(method: string, delayMs: number, only: Only = {}): void {
    this.misbehave(method, only, () => new Promise((resolve) => setTimeout(() => resolve(undefined), delayMs).unref()))
  }

  private misbehave(method: string, only: Only, answer: NonNullable<Override>) {
    let left = only.times ?? Number.POSITIVE_INFINITY
    const previous = this.overrides.get(method)
    this.override(method, (args, request) => {
      if ((only.when === undefined || only.when(args)) && left > 0) {
        left--
        return answer(args, request)
      }
      return previous?.(args, request)
    })
  }

  /** The calls of one method (or `respond` with one response id) received so far. */
  callsOf(method: string, responseId?: string): ReadonlyArray<RecordedCall> {
    return this.calls.filter((c) => c.method === method && (responseId === undefined || c.responseId === responseId))
  }

  /**
   * Resolves with the calls matching `predicate` once there are at least `count` of them; rejects
   * after `timeoutMs` with what was received instead (so a failing test says what happened).
   */
  waitFor(predicate: (call: RecordedCall) => boolean, count = 1, timeoutMs = 10_000): Promise<ReadonlyArray<RecordedCall>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const matched = this.calls.filter(predicate)
        if (matched.length < count) return false
        this.waiters.delete(check)
        clearTimeout(timer)
        resolve(matched)
        return true
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`timed out waiting for ${count} matching Slack call(s); received: ${this.calls.map((c) => c.responseId === undefined ? c.method : `${c.method}(${c.responseId})`).join(", ") || "nothing"}`))
      }, timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  /** Waits for the `n`-th (1-based) POST to a response URL. */
  async response(id: string, n = 1, timeoutMs?: number): Promise<RecordedCall> {
    const calls = await this.waitFor((c) => c.method === "respond" && c.responseId === id, n, timeoutMs)
    return calls[n - 1]!
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private record(call: Omit<RecordedCall, "seq" | "at">) {
    this.calls.push({ ...call, seq: this.calls.length + 1, at: performance.now() })
    for (const waiter of [...this.waiters]) waiter()
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req)
    const url = new URL(req.url ?? "/", this.base)
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify(payload))
    }
    let args: Record<string, any>
    try {
      args = parseArgs(req.headers["content-type"] ?? "", body)
    } catch {
      return reply(400, { ok: false, error: "invalid_arguments" })
    }
    const auth = req.headers.authorization
    const token = auth?.startsWith("Bearer ") === true ? auth.slice(7) : typeof args["token"] === "string" ? args["token"] : null
    if (url.pathname.startsWith("/respond/")) {
      this.record({ method: "respond", args, responseId: decodeURIComponent(url.pathname.slice("/respond/".length)), token, answer: { ok: true } })
      return reply(200, { ok: true })
    }
    if (!url.pathname.startsWith("/api/")) return reply(404, { ok: false, error: "unknown_path" })
    const method = url.pathname.slice("/api/".length)
    const answer = (await this.overrides.get(method)?.(args, { token })) ?? this.answer(method, args)
    if (isHttpAnswer(answer)) {
      this.record({ method, args, token, answer: { ...answer.body, httpStatus: answer.httpStatus } })
      res.writeHead(answer.httpStatus, { "content-type": "application/json", ...answer.headers })
      res.end(JSON.stringify(answer.body))
      return
    }
    this.record({ method, args, token, answer })
    // the client may have given up meanwhile (a timeout): nothing to answer then
    if (!res.destroyed) reply(200, answer)
  }

  private slackUser(user: FakeSlackUser) {
    return {
      id: user.id,
      team_id: this.teamId,
      name: user.name ?? user.id.toLowerCase(),
      deleted: user.deleted ?? false,
      is_bot: user.isBot ?? false,
      is_email_confirmed: user.emailConfirmed ?? true,
      profile: user.email === undefined ? {} : { email: user.email }
    }
  }

  private answer(method: string, args: Record<string, any>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://fake.slack.test/", team: "Fake", user: "usher", team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId }
      case "users.info": {
        const user = this.users.get(String(args["user"]))
        return user === undefined ? { ok: false, error: "user_not_found" } : { ok: true, user: this.slackUser(user) }
      }
      case "users.lookupByEmail": {
        const email = String(args["email"]).toLowerCase()
        const user = [...this.users.values()].find((u) => u.email?.toLowerCase() === email)
        return user === undefined ? { ok: false, error: "users_not_found" } : { ok: true, user: this.slackUser(user) }
      }
      case "chat.postMessage": {
        const ts = this.mintTs()
        // like Slack, a channel given by name is answered with an id (chat.update needs the id),
        // and a user id (a direct message from the app) with the id of the app's conversation with them
        const given = String(args["channel"])
        const channel = given.startsWith("#")
          ? `C${given.slice(1).toUpperCase().replace(/[^A-Z0-9]/g, "")}`
          : /^[UW][A-Z0-9]+$/.test(given) ? FakeSlackApi.directChannel(given) : given
        return { ok: true, channel, ts, message: { ts, text: args["text"], blocks: args["blocks"] } }
      }
      case "chat.update":
        return { ok: true, channel: args["channel"], ts: args["ts"], text: args["text"] }
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.mintTs() }
      case "bots.info":
        return { ok: true, bot: { id: String(args["bot"]), app_id: this.appId, name: "usher", deleted: false } }
      case "views.open":
        return { ok: true, view: { id: `V${this.calls.length}`, ...(typeof args["view"] === "object" ? args["view"] : {}) } }
      case "views.update":
        return { ok: true, view: { id: String(args["view_id"]), ...(typeof args["view"] === "object" ? args["view"] : {}) } }
      case "views.publish":
        // one Home tab per user, so one view id per user
        return { ok: true, view: { id: `VHOME${String(args["user_id"])}`, ...(typeof args["view"] === "object" ? args["view"] : {}) } }
      default:
        return { ok: false, error: "unknown_method" }
    }
  }

  private mintTs(): string {
    const n = this.nextTs++
    return `${Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, "0")}`
  }
}
