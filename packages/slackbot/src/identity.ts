import type { webApi } from "@slack/bolt"
import * as Core from "@usher/core"
import { Data, Effect } from "effect"
import type { Target } from "./parse/command.js"

type WebClient = webApi.WebClient

/** Slack's Web API did not answer a call the bot needed. */
export class SlackApiFailed extends Data.TaggedError("SlackApiFailed")<{ readonly method: string; readonly error: string }> {
  override get message() {
    return this.error === "ratelimited"
      ? `Slack is limiting how fast usher may call it (${this.method}); try again in a few seconds.`
      : `Slack did not answer ${this.method} (${this.error}); try again in a moment.`
  }
}

/**
 * Slack's error code of a failed Web API call (`not_in_channel`, `message_not_found`, …);
 * `ratelimited` for a 429 the client was told not to wait out, `timeout` for a call that took
 * longer than the client's timeout.
 */
export const slackErrorCode = (error: unknown): string => {
  const e = error as { data?: { error?: unknown }; code?: unknown; message?: unknown; original?: { name?: unknown } }
  if (typeof e.data?.error === "string") return e.data.error
  if (e.code === "slack_webapi_rate_limited_error") return "ratelimited"
  if (e.code === "slack_webapi_request_error" && (e.original?.name === "TimeoutError" || e.original?.name === "AbortError")) return "timeout"
  return typeof e.message === "string" ? e.message : String(e.code ?? error)
}

/**
 * Errors after which the same call will fail again however often it is tried: the message or
 * channel is gone, the channel is archived, the bot is not in it, the token is refused.
 */
export const FINAL_ERRORS: ReadonlySet<string> = new Set([
  "message_not_found", "cant_update_message", "edit_window_closed", "channel_not_found", "is_archived", "not_in_channel",
  "invalid_auth", "token_revoked", "account_inactive", "not_authed", "invalid_blocks", "msg_too_long", "no_text"
])

/** Calls a Web API method as an Effect; a failure is a typed `SlackApiFailed`. */
export const callSlack = <A>(method: string, call: () => Promise<A>) =>
  Effect.tryPromise({ try: call, catch: (error) => new SlackApiFailed({ method, error: slackErrorCode(error) }) })

interface Cached<A> {
  readonly value: Promise<A>
  readonly at: number
}

/** Remembers answers for a while; concurrent asks for one key share one call; failures are not kept. */
const memo = <A>(ttlMs: number, now: () => number) => {
  const entries = new Map<string, Cached<A>>()
  return (key: string, load: () => Promise<A>): Promise<A> => {
    const hit = entries.get(key)
    if (hit !== undefined && now() - hit.at < ttlMs) return hit.value
    if (entries.size > 10_000) entries.clear()
    const value = load()
    entries.set(key, { value, at: now() })
    value.catch(() => entries.delete(key))
    return value
  }
}

/**
 * Who Slack users are in the directory: their verified Slack e-mail (`users.info`, cached for
 * a few minutes) or an explicit link, resolved by core. Also finds a directory user's Slack id
 * (`users.lookupByEmail`) to tell them about their requests, and where an account's direct
 * messages go (its stored link first).
 */
export const makeIdentity = (
  client: WebClient,
  options: {
    readonly ttlMs?: number
    readonly now?: () => number
    /** the client for lookups nobody waits on (a notice's recipient): it waits out rate limits; default `client` */
    readonly background?: WebClient
  } = {}
) => {
  const now = options.now ?? Date.now
  const emails = memo<string | null>(options.ttlMs ?? 5 * 60_000, now)
  const slackIds = memo<string | null>(options.ttlMs ?? 5 * 60_000, now)
  const recipients = memo<string | null>(options.ttlMs ?? 5 * 60_000, now)
  const background = options.background ?? client

  /** The user's Slack e-mail if Slack has verified it (null for bots, deleted and unknown users). */
  const verifiedEmail = (slackUserId: string) =>
    callSlack("users.info", () =>
      emails(slackUserId, async () => {
        try {
          const { user } = await client.users.info({ user: slackUserId })
          if (user === undefined || user.deleted === true || user.is_bot === true || user.is_email_confirmed !== true) return null
          return user.profile?.email ?? null
        } catch (error) {
          if (slackErrorCode(error) === "user_not_found") return null
          throw error
        }
      }))

  /** The directory user a Slack user acts as (active), or why they cannot act. */
  const actor = (slackUserId: string) =>
    Effect.flatMap(verifiedEmail(slackUserId), (email) => Core.Jobs.slackActor(slackUserId, email).pipe(Core.Jobs.asSystem("slack")))

  /** The directory user a command names, as a reference core accepts (an e-mail or an id). */
  const target = (t: Target) =>
    t._tag === "Email"
      ? Effect.succeed(t.email)
      : Effect.flatMap(verifiedEmail(t.id), (email) => Core.Jobs.slackDirectoryUser(t.id, email).pipe(Core.Jobs.asSystem("slack"))).pipe(Effect.map((u) => u.id))

  /** The Slack user whose verified e-mail is this one, if any (failures count as none: it only adds a mention). */
  const slackIdOf = (email: string) =>
    Effect.promise(() =>
      slackIds(email.toLowerCase(), async () => {
        try {
          const { user } = await client.users.lookupByEmail({ email })
          return user?.id ?? null
        } catch {
          return null
        }
      }))

  /**
   * The Slack user with this e-mail, for a notice: null when Slack knows none; a failure (rate
   * limit, timeout) fails, so that the notice is tried again rather than given up.
   */
  const recipientByEmail = (email: string) =>
    callSlack("users.lookupByEmail", () =>
      recipients(email.toLowerCase(), async () => {
        try {
          const { user } = await background.users.lookupByEmail({ email })
          return user?.id ?? null
        } catch (error) {
          if (slackErrorCode(error) === "users_not_found") return null
          throw error
        }
      }))

  /**
   * Where an account's direct messages go: the Slack user linked or pinned to it (core's stored
   * link, which no e-mail moves), else the Slack user with its e-mail (`users.lookupByEmail`) —
   * unless core maps that Slack user to another account, then nobody (null).
   */
  const directTo = (account: { readonly id: string; readonly email: string; readonly slackUserId: string | null }) =>
    account.slackUserId !== null
      ? Effect.succeed<string | null>(account.slackUserId)
      : Effect.flatMap(recipientByEmail(account.email), (found) =>
        found === null
          ? Effect.succeed<string | null>(null)
          : Core.Jobs.slackDirectoryUser(found, account.email).pipe(
            Core.Jobs.asSystem("slack"),
            Effect.map((mapped): string | null => mapped.id === account.id ? found : null),
            Effect.orElseSucceed((): string | null => null)
          ))

  return { verifiedEmail, actor, target, slackIdOf, directTo }
}

/** The identity resolver of one bot. */
export type Identity = ReturnType<typeof makeIdentity>
