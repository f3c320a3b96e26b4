/** usher's Slack front-end: a Bolt app whose every command calls one core use case as the Slack user's directory identity. */
export { EVENTS_PATH, SlackUnreachable, startBot, WORK_CONCURRENCY, type RunningBot, type StartOptions } from "./app.js"
export { configFromEnv, SettingInvalid, SettingMissing, type BotConfig, type MissingSetting, type Mode } from "./config.js"
export { Ids } from "./ids.js"
export { main, type Io, type Started } from "./main.js"
export { parseCommand, USAGE, type Command, type ParseError, type Target } from "./parse/command.js"
export { GuardedHTTPReceiver, timestampAcceptable } from "./receiver.js"
