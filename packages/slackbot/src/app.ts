import { App, LogLevel, SocketModeReceiver, webApi, type Logger } from "@slack/bolt"
import type * as Core from "@usher/core"
import { Effect, Fiber, type ManagedRuntime } from "effect"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { syncLoop } from "./approvals.js"
import { loopFriendly, makeWorkQueue, type Bot } from "./bot.js"
import type { BotConfig } from "./config.js"
import { makeIdentity, slackErrorCode } from "./identity.js"
import * as Actions from "./listeners/actions/index.js"
import * as Commands from "./listeners/commands/index.js"
import * as Events from "./listeners/events/index.js"
import * as Views from "./listeners/views/index.js"
import { noticeLoop } from "./notices.js"
import { makeBackoff, makePacer } from "./pace.js"
import { GuardedHTTPReceiver } from "./receiver.js"
import { refusal, type Served } from "./workspace.js"

/** Where Slack sends slash commands and interactions in HTTP mode (the manifest's request URLs). */
export const EVENTS_PATH = "/slack/events"

/**
 * How many listeners' work runs at once (acks are never queued). Enough to overlap the Web API
 * calls of several commands, few enough that synchronous database work cannot hold the event
 * loop for long between two reads of incoming requests.
 */
export const WORK_CONCURRENCY = 8

/** The bot token or the app-level token was refused by Slack (or Slack could not be reached) at start-up. */
export class SlackUnreachable extends Error {
  readonly _tag = "SlackUnreachable"
}

/** A running bot: its Bolt app, the port it listens on (HTTP mode), and how to stop it. */
export interface RunningBot {
  readonly app: App
  readonly bot: Bot
  /** the bound port in HTTP mode; undefined in Socket Mode */
  readonly port: number | undefined
  /** the address it listens on in HTTP mode (`HOST`); undefined in Socket Mode */
  readonly host: string | undefined
  readonly stop: () => Promise<void>
}

/** Options that tests and the executable set differently. */
export interface StartOptions {
  readonly logLevel?: LogLevel
  readonly logger?: Logger
  /** run the loop that updates messages of requests decided elsewhere (default true) */
  readonly sync?: boolean
  /** run the loop that sends notices (approvers, reminders, expiring requests and grants, dormant accounts) and publishes changed Home tabs again (default true) */
  readonly notices?: boolean
}

/** How long a Web API call someone is waiting on may take before it fails. */
export const INTERACTIVE_TIMEOUT_MS = 2_500

const baseClientOptions = (config: BotConfig, logLevel: LogLevel) => ({
  ...(config.apiUrl === undefined ? {} : { slackApiUrl: config.apiUrl }),
  logLevel
})

/**
 * The client for calls someone waits on: a 429 fails at once (`rejectRateLimitedCalls`) instead of
 * pausing every call for its `Retry-After`, a call that takes longer than the timeout fails, and
 * nothing is retried: a call is never repeated long after the person clicked.
 */
const interactiveClientOptions = (config: BotConfig, logLevel: LogLevel) => ({
  ...baseClientOptions(config, logLevel),
  rejectRateLimitedCalls: true,
  timeout: config.interactiveTimeoutMs ?? INTERACTIVE_TIMEOUT_MS,
  retryConfig: { retries: 0 }
})

/** The client for work nobody waits on: it waits out rate limits and retries a few times. */
const backgroundClientOptions = (config: BotConfig, logLevel: LogLevel) => ({
  ...baseClientOptions(config, logLevel),
  timeout: config.backgroundTimeoutMs ?? 10_000,
  retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 }
})

/**
 * The workspaces and the app the bot serves: `SLACK_ALLOWED_TEAMS`, or else the bot token's own
 * workspace (and Enterprise Grid organization); `SLACK_APP_ID`, or else the app of the bot user.
 */
const servedWorkspaces = async (
  config: BotConfig,
  client: webApi.WebClient,
  auth: { readonly team_id?: string; readonly enterprise_id?: string; readonly bot_id?: string }
): Promise<Served> => {
  const own = [auth.team_id, auth.enterprise_id].filter((t): t is string => typeof t === "string" && t !== "")
  const teams = new Set(config.allowedTeams !== undefined && config.allowedTeams.length > 0 ? config.allowedTeams : own)
  if (config.appId !== undefined) return { teams, appId: config.appId }
  if (auth.bot_id === undefined) return { teams, appId: undefined }
  const info = await client.bots.info({ bot: auth.bot_id }).catch(() => undefined)
  return { teams, appId: info?.bot?.app_id }
}

/**
 * Starts the bot: checks the bot token with `auth.test`, builds the Bolt app on the receiver the
 * mode asks for (HTTP with the timestamp guard, or Socket Mode), registers the listeners, starts
 * listening, the approval-message sync loop and the notice loop.
 */
export const startBot = async (
  config: BotConfig,
  runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>,
  options: StartOptions = {}
): Promise<RunningBot> => {
  const logLevel = options.logLevel ?? LogLevel.INFO
  const clientOptions = backgroundClientOptions(config, logLevel)
  const interactive = new webApi.WebClient(config.botToken, interactiveClientOptions(config, logLevel))
  // start-up is not in a hurry: one try, with more time than a person would wait
  const probe = new webApi.WebClient(config.botToken, { ...baseClientOptions(config, logLevel), timeout: 10_000, retryConfig: { retries: 0 } })
  const auth = await probe.auth.test().catch((error: unknown) => {
    throw new SlackUnreachable(`Slack refused SLACK_BOT_TOKEN or could not be reached (${slackErrorCode(error)}); check the token on your Slack app's "OAuth & Permissions" page.`)
  })
  const served = await servedWorkspaces(config, probe, auth)
  const receiver: GuardedHTTPReceiver | SocketModeReceiver = config.mode._tag === "http"
    ? new GuardedHTTPReceiver({
      signingSecret: config.mode.signingSecret,
      endpoints: EVENTS_PATH,
      logLevel,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      customRoutes: [{ path: "/healthz", method: ["GET"], handler: (_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok\n") }]
    })
    : new SocketModeReceiver({
      appToken: config.mode.appToken,
      logLevel,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      installerOptions: { clientOptions }
    })
  const app = new App({
    token: config.botToken,
    receiver,
    ...(auth.bot_id === undefined ? {} : { botId: auth.bot_id }),
    ...(auth.user_id === undefined ? {} : { botUserId: auth.user_id }),
    clientOptions,
    logLevel,
    ...(options.logger === undefined ? {} : { logger: options.logger })
  })
  const bot: Bot = {
    config,
    runtime,
    client: interactive,
    background: app.client,
    identity: makeIdentity(interactive, { background: app.client }),
    logger: app.logger,
    work: makeWorkQueue(WORK_CONCURRENCY),
    pace: makePacer(config.postIntervalMs ?? 1_000),
    retries: makeBackoff(config.syncIntervalMs, 5 * 60_000)
  }
  if (served.appId === undefined) bot.logger.warn("usher-slack: could not learn the app's id from Slack (bots.info); set SLACK_APP_ID so that requests for other apps are refused too")
  // before any listener: a request from another workspace or for another app is acknowledged and dropped
  app.use(async ({ body, ack, next }) => {
    const why = refusal(body, served)
    if (why === undefined) return next()
    bot.logger.warn(`usher-slack: refused a request from ${why}`)
    if (ack !== undefined) await (ack as () => Promise<void>)()
  })
  Commands.register(app, bot)
  Actions.register(app, bot)
  Views.register(app, bot)
  Events.register(app, bot)
  app.error(async (error) => bot.logger.error(`usher-slack: ${error.message}`))

  let port: number | undefined
  let host: string | undefined
  if (config.mode._tag === "http") {
    const server = (await app.start({ port: config.mode.port, host: config.mode.host })) as Server
    const address = server.address() as AddressInfo
    port = address.port
    host = address.address
  } else {
    await app.start().catch(async (error: unknown) => {
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect().catch(() => undefined)
      throw new SlackUnreachable(`Slack refused SLACK_APP_TOKEN or could not be reached (${slackErrorCode(error)}); check the App-Level Token (xapp-…, scope connections:write) on your Slack app's "Basic Information" page and that Socket Mode is on.`)
    })
  }
  const sync = options.sync === false ? undefined : runtime.runFork(Effect.withScheduler(syncLoop(bot), loopFriendly))
  const notices = options.notices === false ? undefined : runtime.runFork(Effect.withScheduler(noticeLoop(bot), loopFriendly))
  return {
    app,
    bot,
    port,
    host,
    stop: async () => {
      if (sync !== undefined) await runtime.runPromise(Fiber.interrupt(sync))
      if (notices !== undefined) await runtime.runPromise(Fiber.interrupt(notices))
      // Bolt's Socket Mode stop does not wait for the close handshake; wait for it here
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect()
      await app.stop()
    }
  }
}
