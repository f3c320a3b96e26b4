import { createHmac, randomUUID } from "node:crypto"
import { request } from "node:http"

/** What a signed POST got back. */
export interface SlackHttpResponse {
  readonly status: number
  readonly body: string
  /** milliseconds from sending to the full response (the ack) */
  readonly elapsedMs: number
}

/** How to sign a request: defaults are the sender's secret and the current time. */
export interface SigningOptions {
  /** seconds since the epoch written into `x-slack-request-timestamp` */
  readonly timestamp?: number
  /** sign with this secret instead (a forged request) */
  readonly secret?: string
  /** send this signature instead of computing one */
  readonly signature?: string
  /** more headers, e.g. a redelivery's `x-slack-retry-num` and `x-slack-retry-reason` */
  readonly headers?: Readonly<Record<string, string>>
}

/** The headers Slack adds when it delivers a request again (`attempt` 1 is the first retry). */
export const retryHeaders = (attempt: number, reason = "http_timeout"): Record<string, string> => ({
  "x-slack-retry-num": String(attempt),
  "x-slack-retry-reason": reason
})

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export const signature = (secret: string, timestamp: number, body: string): string =>
  `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`

/** Where a request says it comes from; the sender's workspace and usher's app unless set (another workspace's, say). */
export interface Origin {
  readonly teamId?: string
  readonly enterpriseId?: string
  readonly appId?: string
}

/** A slash command as Slack sends it; `responseId` names the response URL on the fake API. */
export interface SlashCommand extends Origin {
  readonly text: string
  readonly userId: string
  readonly command?: string
  readonly channelId?: string
  readonly triggerId?: string
  readonly responseId?: string
}

/** A slash command's fields as Slack sends them (form-encoded over HTTP, as an object over Socket Mode). */
export const slashCommandFields = (
  teamId: string,
  command: SlashCommand & { readonly triggerId: string; readonly responseUrl: string }
): Record<string, string> => ({
  token: "deprecated-verification-token",
  team_id: command.teamId ?? teamId,
  ...(command.enterpriseId === undefined ? {} : { enterprise_id: command.enterpriseId }),
  team_domain: "fake",
  channel_id: command.channelId ?? "C0GENERAL",
  channel_name: "general",
  user_id: command.userId,
  user_name: command.userId.toLowerCase(),
  command: command.command ?? "/usher",
  text: command.text,
  api_app_id: command.appId ?? "A0USHER1",
  is_enterprise_install: "false",
  response_url: command.responseUrl,
  trigger_id: command.triggerId
})

/** A button click on a message the bot posted, as Slack's `block_actions` payload. */
export interface ButtonClick extends Origin {
  readonly userId: string
  readonly actionId: string
  readonly value: string
  readonly channel: string
  readonly ts: string
  /** the message is an ephemeral one (a slash command's reply), as `container.is_ephemeral` says */
  readonly ephemeral?: boolean
}

/** The `block_actions` payload of a click: the message's channel and ts, the button's `action_id` and `value`. */
export const blockActionsPayload = (teamId: string, click: ButtonClick & { readonly triggerId: string; readonly responseUrl: string }): Record<string, unknown> => ({
  type: "block_actions",
  team: { id: click.teamId ?? teamId, domain: "fake" },
  ...(click.enterpriseId === undefined ? {} : { enterprise: { id: click.enterpriseId, name: "grid" } }),
  user: { id: click.userId, username: click.userId.toLowerCase(), team_id: click.teamId ?? teamId },
  api_app_id: click.appId ?? "A0USHER1",
  token: "deprecated-verification-token",
  container: { type: "message", message_ts: click.ts, channel_id: click.channel, is_ephemeral: click.ephemeral ?? false },
  trigger_id: click.triggerId,
  channel: { id: click.channel, name: "approvals" },
  message: { type: "message", ts: click.ts, text: "" },
  response_url: click.responseUrl,
  actions: [{ type: "button", action_id: click.actionId, block_id: "decision", value: click.value, action_ts: `${Date.now() / 1000}` }]
})

/** A button click on the app's Home tab: like Slack, the payload names the view and has no channel, message or response URL. */
export interface HomeClick extends Origin {
  readonly userId: string
  readonly actionId: string
  readonly value: string
  /** the published Home view's id (the fake API's `views.publish` answers `VHOME<user id>`) */
  readonly viewId?: string
}

/** The `block_actions` payload of a click on the Home tab. */
export const homeActionsPayload = (teamId: string, click: HomeClick & { readonly triggerId: string }): Record<string, unknown> => {
  const viewId = click.viewId ?? `VHOME${click.userId}`
  return {
    type: "block_actions",
    team: { id: click.teamId ?? teamId, domain: "fake" },
    ...(click.enterpriseId === undefined ? {} : { enterprise: { id: click.enterpriseId, name: "grid" } }),
    user: { id: click.userId, username: click.userId.toLowerCase(), name: click.userId.toLowerCase(), team_id: click.teamId ?? teamId },
    api_app_id: click.appId ?? "A0USHER1",
    token: "deprecated-verification-token",
    container: { type: "view", view_id: viewId },
    trigger_id: click.triggerId,
    view: { id: viewId, type: "home", team_id: click.teamId ?? teamId, app_installed_team_id: click.teamId ?? teamId, blocks: [], private_metadata: "", callback_id: "", state: { values: {} }, hash: "h" },
    actions: [{ type: "button", action_id: click.actionId, block_id: "home", value: click.value, action_ts: `${Date.now() / 1000}` }]
  }
}

/** An Events API delivery (`event_callback`) of one event, as Slack sends it over HTTP. */
export const eventCallbackBody = (teamId: string, event: Record<string, unknown>, origin: Origin & { readonly eventId: string }): Record<string, unknown> => ({
  token: "deprecated-verification-token",
  team_id: origin.teamId ?? teamId,
  ...(origin.enterpriseId === undefined ? {} : { enterprise_id: origin.enterpriseId }),
  api_app_id: origin.appId ?? "A0USHER1",
  event,
  type: "event_callback",
  event_id: origin.eventId,
  event_time: Math.floor(Date.now() / 1000),
  authorizations: [{ enterprise_id: null, team_id: origin.teamId ?? teamId, user_id: "UBOT0001", is_bot: true, is_enterprise_install: false }],
  is_ext_shared_channel: false
})

/** A modal's submission: the view's callback id, private metadata and input values (block id → action id → state). */
export interface ViewSubmission extends Origin {
  readonly userId: string
  readonly callbackId: string
  readonly privateMetadata: string
  readonly values: Record<string, Record<string, Record<string, unknown>>>
  readonly triggerId?: string
  readonly viewId?: string
}

/** The `view_submission` payload of a modal submitted (form-encoded over HTTP, an object over Socket Mode). */
export const viewSubmissionPayload = (teamId: string, submission: ViewSubmission & { readonly triggerId: string; readonly viewId: string }): Record<string, unknown> => ({
  type: "view_submission",
  team: { id: submission.teamId ?? teamId, domain: "fake" },
  ...(submission.enterpriseId === undefined ? {} : { enterprise: { id: submission.enterpriseId, name: "grid" } }),
  user: { id: submission.userId, username: submission.userId.toLowerCase(), team_id: submission.teamId ?? teamId },
  api_app_id: submission.appId ?? "A0USHER1",
  token: "deprecated-verification-token",
  trigger_id: submission.triggerId,
  view: {
    id: submission.viewId,
    type: "modal",
    callback_id: submission.callbackId,
    private_metadata: submission.privateMetadata,
    state: { values: submission.values },
    hash: "h"
  },
  response_urls: []
})

/**
 * Sends requests to a Bolt receiver the way Slack does: form-encoded, signed with the signing
 * secret, response URLs pointing at the fake Web API. Only for loopback URLs.
 */
export class SlackSender {
  private counter = 0

  constructor(
    readonly url: string,
    readonly secret: string,
    readonly teamId: string,
    readonly responseUrl: (id: string) => string
  ) {
    if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url)) throw new Error(`refusing to send to a non-loopback URL ${url}`)
  }

  /** A fresh id (for trigger ids and response URLs). */
  nextId(prefix: string): string {
    this.counter++
    return `${prefix}-${this.counter}-${randomUUID().slice(0, 8)}`
  }

  /** POSTs a raw body, signed: form-encoded as Slack sends commands and interactions, or JSON as it sends events. */
  post(body: string, options: SigningOptions & { readonly json?: boolean } = {}): Promise<SlackHttpResponse> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
    const sig = options.signature ?? signature(options.secret ?? this.secret, timestamp, body)
    const started = performance.now()
    return new Promise((resolve, reject) => {
      const req = request(this.url, {
        method: "POST",
        headers: {
          ...options.headers,
          "content-type": options.json === true ? "application/json" : "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": sig
        }
      }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), elapsedMs: performance.now() - started }))
        res.on("error", reject)
      })
      req.on("error", reject)
      req.end(body)
    })
  }

  /** The form body of a slash command. */
  commandBody(command: SlashCommand & { readonly triggerId: string; readonly responseId: string }): string {
    return new URLSearchParams(slashCommandFields(this.teamId, { ...command, responseUrl: this.responseUrl(command.responseId) })).toString()
  }

  /** Sends a slash command; returns the HTTP answer and the response id its replies arrive under. */
  async command(command: SlashCommand, options: SigningOptions = {}) {
    const triggerId = command.triggerId ?? this.nextId("trigger")
    const responseId = command.responseId ?? this.nextId("cmd")
    const body = this.commandBody({ ...command, triggerId, responseId })
    return { ...(await this.post(body, options)), responseId, triggerId, request: body }
  }

  /** Sends an interaction payload (`block_actions`, `view_submission`) as Slack does: `payload=<json>`. */
  async interaction(payload: Record<string, unknown>, options: SigningOptions = {}) {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
    return { ...(await this.post(body, options)), request: body }
  }

  /**
   * A button click on a message the bot posted: `block_actions` with the message's channel and
   * ts, the button's `action_id` and `value`, a fresh trigger id and response URL.
   */
  async click(click: ButtonClick & { readonly triggerId?: string; readonly responseId?: string }, options: SigningOptions = {}) {
    const triggerId = click.triggerId ?? this.nextId("trigger")
    const responseId = click.responseId ?? this.nextId("click")
    const payload = blockActionsPayload(this.teamId, { ...click, triggerId, responseUrl: this.responseUrl(responseId) })
    return { ...(await this.interaction(payload, options)), responseId, triggerId }
  }

  /** A click on the app's Home tab (`block_actions` from a `home` view), with a fresh trigger id. */
  async homeClick(click: HomeClick & { readonly triggerId?: string }, options: SigningOptions = {}) {
    const triggerId = click.triggerId ?? this.nextId("trigger")
    return { ...(await this.interaction(homeActionsPayload(this.teamId, { ...click, triggerId }), options)), triggerId }
  }

  /** Delivers an event (`event_callback`, JSON) such as `app_home_opened`. */
  async event(event: Record<string, unknown>, origin: Origin & { readonly eventId?: string } = {}, options: SigningOptions = {}) {
    const eventId = origin.eventId ?? this.nextId("Ev")
    const body = JSON.stringify(eventCallbackBody(this.teamId, event, { ...origin, eventId }))
    return { ...(await this.post(body, { ...options, json: true })), eventId, request: body }
  }

  /** The person opens the app's Home tab: `app_home_opened` with `tab: home`. */
  openHome(userId: string, origin: Origin = {}, options: SigningOptions = {}) {
    return this.event({ type: "app_home_opened", user: userId, channel: `D${userId.slice(1)}`, tab: "home", event_ts: `${Date.now() / 1000}` }, origin, options)
  }

  /** A modal submitted: `view_submission` with the view's callback id, private metadata and input values. */
  async submitView(submission: ViewSubmission, options: SigningOptions = {}) {
    const triggerId = submission.triggerId ?? this.nextId("trigger")
    const payload = viewSubmissionPayload(this.teamId, { ...submission, triggerId, viewId: submission.viewId ?? this.nextId("V") })
    return { ...(await this.interaction(payload, options)), triggerId }
  }
}
