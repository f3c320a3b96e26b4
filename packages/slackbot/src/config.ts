import { Config, Data, Effect, Option } from "effect"

/** How Slack reaches the bot. */
export type Mode =
  | { readonly _tag: "http"; readonly signingSecret: string; readonly port: number; readonly host: string }
  | { readonly _tag: "socket"; readonly appToken: string }

/** The bot's settings, read from the environment at start. */
export interface BotConfig {
  readonly botToken: string
  readonly mode: Mode
  /** where approval requests are posted (a channel id, or `#name`) */
  readonly approvalsChannel: string
  /** the Web API base URL (`SLACK_API_URL`), when not Slack's own */
  readonly apiUrl: string | undefined
  /** the slash command, `/usher` unless `USHER_SLACK_COMMAND` says otherwise */
  readonly command: string
  /** how often requests decided elsewhere get their Slack message updated */
  readonly syncIntervalMs: number
  /**
   * the workspaces (`T…`) and Enterprise Grid organizations (`E…`) whose requests are served
   * (`SLACK_ALLOWED_TEAMS`); empty or unset: the bot token's own workspace (from `auth.test`)
   */
  readonly allowedTeams?: ReadonlyArray<string>
  /** the Slack app's id (`SLACK_APP_ID`, `A…`); unset: asked from Slack (`bots.info`) at start-up */
  readonly appId?: string | undefined
  /** how long a Web API call someone is waiting on may take (2,500 ms) */
  readonly interactiveTimeoutMs?: number
  /** how long a background Web API call (posting, message updates) may take per try (10,000 ms) */
  readonly backgroundTimeoutMs?: number
  /** the least time between two messages posted to one channel (1,000 ms: Slack allows about one a second) */
  readonly postIntervalMs?: number
}

const MANIFEST = "create the Slack app from packages/slackbot/manifest.yml (see the README's \"Slack bot\" section)"

/** A required setting that is not set, and where to find its value. */
export interface MissingSetting {
  readonly name: string
  readonly where: string
}

/** Required settings are missing: start-up stops with one message naming each of them. */
export class SettingMissing extends Data.TaggedError("SettingMissing")<{ readonly missing: ReadonlyArray<MissingSetting> }> {
  override get message() {
    const [only] = this.missing
    return this.missing.length === 1 && only !== undefined
      ? `${only.name} is not set: ${only.where}. If you have no Slack app yet, ${MANIFEST}.`
      : `${this.missing.length} required settings are not set:\n${this.missing.map((m) => `  ${m.name}: ${m.where}\n`).join("")}If you have no Slack app yet, ${MANIFEST}.`
  }
}

/** A setting whose value cannot be used. */
export class SettingInvalid extends Data.TaggedError("SettingInvalid")<{ readonly name: string; readonly reason: string }> {
  override get message() {
    return `${this.name} ${this.reason}.`
  }
}

const optional = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((v) => v.trim() !== "")), Config.map(Option.map((v) => v.trim())), Config.map(Option.getOrUndefined))

const WHERE = {
  SLACK_BOT_TOKEN: "the bot token (xoxb-…) from your Slack app's \"OAuth & Permissions\" page",
  SLACK_SIGNING_SECRET: "the signing secret from your Slack app's \"Basic Information\" page (or set SLACK_APP_TOKEN for Socket Mode)",
  USHER_SLACK_APPROVALS_CHANNEL: "the channel approval requests are posted to (its id, e.g. C0123ABCD, or #name), with the bot invited to it"
} as const

/**
 * Reads the bot's settings: `SLACK_BOT_TOKEN` and `USHER_SLACK_APPROVALS_CHANNEL` always;
 * Socket Mode when `SLACK_APP_TOKEN` is set, otherwise HTTP mode with `SLACK_SIGNING_SECRET`,
 * `PORT` (3000) and `HOST` (0.0.0.0); `SLACK_API_URL`, `USHER_SLACK_COMMAND`, `SLACK_ALLOWED_TEAMS`
 * and `SLACK_APP_ID` optional.
 * Every required setting that is missing is named at once.
 */
export const configFromEnv = Effect.gen(function*() {
  const botToken = yield* optional("SLACK_BOT_TOKEN")
  const appToken = yield* optional("SLACK_APP_TOKEN")
  const signingSecret = appToken === undefined ? yield* optional("SLACK_SIGNING_SECRET") : undefined
  const approvalsChannel = yield* optional("USHER_SLACK_APPROVALS_CHANNEL")
  const missing: Array<MissingSetting> = []
  if (botToken === undefined) missing.push({ name: "SLACK_BOT_TOKEN", where: WHERE.SLACK_BOT_TOKEN })
  if (appToken === undefined && signingSecret === undefined) missing.push({ name: "SLACK_SIGNING_SECRET", where: WHERE.SLACK_SIGNING_SECRET })
  if (approvalsChannel === undefined) missing.push({ name: "USHER_SLACK_APPROVALS_CHANNEL", where: WHERE.USHER_SLACK_APPROVALS_CHANNEL })
  if (missing.length > 0 || botToken === undefined || approvalsChannel === undefined) return yield* Effect.fail(new SettingMissing({ missing }))
  if (!botToken.startsWith("xoxb-")) {
    return yield* Effect.fail(new SettingInvalid({ name: "SLACK_BOT_TOKEN", reason: "must be a bot token starting with xoxb- (not a user or app token)" }))
  }
  let mode: Mode
  if (appToken !== undefined) {
    if (!appToken.startsWith("xapp-")) {
      return yield* Effect.fail(new SettingInvalid({ name: "SLACK_APP_TOKEN", reason: "must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)" }))
    }
    mode = { _tag: "socket", appToken }
  } else if (signingSecret !== undefined) {
    const portText = (yield* optional("PORT")) ?? "3000"
    const port = Number(portText)
    if (!/^\d+$/.test(portText) || port > 65535) return yield* Effect.fail(new SettingInvalid({ name: "PORT", reason: `must be a port number, not "${portText}"` }))
    mode = { _tag: "http", signingSecret, port, host: (yield* optional("HOST")) ?? "0.0.0.0" }
  } else {
    return yield* Effect.fail(new SettingMissing({ missing }))
  }
  const apiUrl = yield* optional("SLACK_API_URL")
  if (apiUrl !== undefined && !/^https?:\/\/[^/]+/.test(apiUrl)) {
    return yield* Effect.fail(new SettingInvalid({ name: "SLACK_API_URL", reason: `must be an http(s) URL such as https://slack.com/api/, not "${apiUrl}"` }))
  }
  const allowedTeams = ((yield* optional("SLACK_ALLOWED_TEAMS")) ?? "").split(/[\s,]+/).filter((t) => t !== "")
  const badTeam = allowedTeams.find((t) => !/^[TE][A-Z0-9]{2,30}$/.test(t))
  if (badTeam !== undefined) {
    return yield* Effect.fail(new SettingInvalid({ name: "SLACK_ALLOWED_TEAMS", reason: `must list workspace ids (T…) or Enterprise Grid ids (E…), separated by commas, not "${badTeam}"` }))
  }
  const appId = yield* optional("SLACK_APP_ID")
  if (appId !== undefined && !/^A[A-Z0-9]{2,30}$/.test(appId)) {
    return yield* Effect.fail(new SettingInvalid({ name: "SLACK_APP_ID", reason: `must be the app's id from its "Basic Information" page (A…), not "${appId}"` }))
  }
  const command = (yield* optional("USHER_SLACK_COMMAND")) ?? "/usher"
  if (!/^\/[a-z0-9_-]{1,31}$/.test(command)) return yield* Effect.fail(new SettingInvalid({ name: "USHER_SLACK_COMMAND", reason: `must look like /usher, not "${command}"` }))
  return {
    botToken,
    mode,
    approvalsChannel,
    apiUrl: apiUrl === undefined ? undefined : apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    command,
    syncIntervalMs: 5_000,
    allowedTeams,
    appId
  } satisfies BotConfig
})
