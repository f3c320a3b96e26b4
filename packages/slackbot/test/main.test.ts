import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { activeUser, databaseUrl, FakeSlackApi, FakeSocketMode, initialized, makeTempDirectory, SlackSender } from "@usher/testkit"
import { ConfigProvider, Effect, Either } from "effect"
import { LogLevel } from "@slack/bolt"
import { configFromEnv } from "../src/config.js"
import { main, type Io } from "../src/main.js"
import { SECRET } from "./support.js"

const readConfig = (env: Record<string, string>) =>
  Effect.either(configFromEnv.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))

const capture = (env: Record<string, string>) => {
  const out = { stdout: "", stderr: "" }
  const io: Io = { env, stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) }
  return { io, out }
}

const BASE = { SLACK_BOT_TOKEN: "xoxb-1-2-3", USHER_SLACK_APPROVALS_CHANNEL: "C0APPROVALS" }

/** A temp directory with `acme`, its admin, and an active bob. */
const directory = async () => {
  const temp = makeTempDirectory()
  const runtime = Core.makeCoreRuntime(temp.location, temp.config)
  await runtime.runPromise(Effect.zipRight(initialized, activeUser({ email: "bob@acme.test", firstName: "Bob" })).pipe(Effect.orDie))
  await runtime.dispose()
  return temp
}

describe("start-up", () => {
  it.effect("chooses Socket Mode when SLACK_APP_TOKEN is set, HTTP mode (PORT, HOST) otherwise", () =>
    Effect.gen(function*() {
      const read = (env: Record<string, string>) => Effect.flatMap(readConfig(env), (r) => Either.isRight(r) ? Effect.succeed(r.right) : Effect.dieMessage(r.left.message))
      const socket = yield* read({ ...BASE, SLACK_APP_TOKEN: "xapp-1-A-2", SLACK_SIGNING_SECRET: "s" })
      assert.deepStrictEqual(socket.mode, { _tag: "socket", appToken: "xapp-1-A-2" })
      const http = yield* read({ ...BASE, SLACK_SIGNING_SECRET: "s" })
      assert.deepStrictEqual([http.mode, http.command, http.apiUrl, http.approvalsChannel], [{ _tag: "http", signingSecret: "s", port: 3000, host: "0.0.0.0" }, "/usher", undefined, "C0APPROVALS"])
      const custom = yield* read({ ...BASE, SLACK_SIGNING_SECRET: "s", PORT: "8080", HOST: "127.0.0.1", SLACK_API_URL: "http://127.0.0.1:9/api", USHER_SLACK_COMMAND: "/people" })
      assert.deepStrictEqual([custom.mode, custom.command, custom.apiUrl], [{ _tag: "http", signingSecret: "s", port: 8080, host: "127.0.0.1" }, "/people", "http://127.0.0.1:9/api/"])
      assert.deepStrictEqual([http.allowedTeams, http.appId], [[], undefined], "by default: the token's own workspace, the app asked from Slack")
      const teams = yield* read({ ...BASE, SLACK_SIGNING_SECRET: "s", SLACK_ALLOWED_TEAMS: "T0TEAM01, E0GRID01", SLACK_APP_ID: "A0USHER1" })
      assert.deepStrictEqual([teams.allowedTeams, teams.appId], [["T0TEAM01", "E0GRID01"], "A0USHER1"])
    }))

  it.effect("a missing or wrong setting is named, with where to get it", () =>
    Effect.gen(function*() {
      const message = (env: Record<string, string>) => Effect.map(readConfig(env), Either.match({ onLeft: (e) => e.message, onRight: () => "started" }))
      const noToken = yield* message({ USHER_SLACK_APPROVALS_CHANNEL: "C1", SLACK_SIGNING_SECRET: "s" })
      assert.include(noToken, "SLACK_BOT_TOKEN is not set")
      assert.include(noToken, "packages/slackbot/manifest.yml")
      assert.include(yield* message({ ...BASE }), "SLACK_SIGNING_SECRET is not set")
      assert.include(yield* message({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" }), "USHER_SLACK_APPROVALS_CHANNEL is not set")
      const nothing = yield* message({})
      assert.include(nothing, "3 required settings are not set")
      for (const name of ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "USHER_SLACK_APPROVALS_CHANNEL", "packages/slackbot/manifest.yml", "README"]) assert.include(nothing, name)
      const socketMissing = yield* message({ SLACK_APP_TOKEN: "xapp-1" })
      assert.include(socketMissing, "2 required settings are not set")
      assert.notInclude(socketMissing, "SLACK_SIGNING_SECRET", "Socket Mode needs no signing secret")
      assert.include(yield* message({ ...BASE, SLACK_SIGNING_SECRET: "s", SLACK_BOT_TOKEN: "xoxp-user" }), "SLACK_BOT_TOKEN must be a bot token")
      assert.include(yield* message({ ...BASE, SLACK_APP_TOKEN: "xoxb-nope" }), "SLACK_APP_TOKEN must be an app-level token")
      assert.include(yield* message({ ...BASE, SLACK_SIGNING_SECRET: "s", PORT: "http" }), "PORT must be a port number")
      assert.include(yield* message({ ...BASE, SLACK_SIGNING_SECRET: "s", SLACK_API_URL: "slack.com" }), "SLACK_API_URL must be an http(s) URL")
      assert.include(yield* message({ ...BASE, SLACK_SIGNING_SECRET: "s", SLACK_ALLOWED_TEAMS: "acme.slack.com" }), "SLACK_ALLOWED_TEAMS must list workspace ids")
      assert.include(yield* message({ ...BASE, SLACK_SIGNING_SECRET: "s", SLACK_APP_ID: "usher" }), "SLACK_APP_ID must be the app's id")
    }))

  it.live("the executable stops with exit code 2 on a missing variable or a token Slack refuses, and serves HTTP otherwise", () =>
    Effect.gen(function*() {
      const missing = capture({ SLACK_BOT_TOKEN: "xoxb-1" })
      assert.strictEqual(yield* Effect.promise(() => main(missing.io)), 2)
      assert.match(missing.out.stderr, /^usher-slack: 2 required settings are not set:\n  SLACK_SIGNING_SECRET: .*\n  USHER_SLACK_APPROVALS_CHANNEL: .*\nIf you have no Slack app yet/)

      const temp = yield* Effect.acquireRelease(Effect.promise(directory), (t) => Effect.sync(t.cleanup))
      const fake = yield* Effect.acquireRelease(Effect.promise(() => FakeSlackApi.start([{ id: "U0ADMIN", email: "admin@acme.test" }])), (f) => Effect.promise(() => f.stop()))
      const env = { ...BASE, SLACK_SIGNING_SECRET: SECRET, PORT: "0", HOST: "127.0.0.1", SLACK_API_URL: fake.apiUrl, USHER_DATABASE_URL: databaseUrl(temp), USHER_DATA_DIR: temp.dir }
      fake.override("auth.test", () => ({ ok: false, error: "invalid_auth" }))
      const refused = capture(env)
      assert.strictEqual(yield* Effect.promise(() => main(refused.io, { logLevel: LogLevel.ERROR })), 2)
      assert.include(refused.out.stderr, "Slack refused SLACK_BOT_TOKEN or could not be reached (invalid_auth)")
      fake.override("auth.test", undefined)

      const ok = capture(env)
      const started = yield* Effect.promise(() => main(ok.io, { logLevel: LogLevel.ERROR }))
      if (started === 2) return assert.fail(ok.out.stderr)
      yield* Effect.addFinalizer(() => Effect.promise(() => started.stop()))
      assert.match(ok.out.stdout, /listening on http:\/\/127\.0\.0\.1:\d+\/slack\/events \(HTTP mode\)/)
      assert.strictEqual(started.running.host, "127.0.0.1", "bound to HOST, not every interface")
      const sender = new SlackSender(`http://127.0.0.1:${started.running.port}/slack/events`, SECRET, fake.teamId, (id) => fake.responseUrl(id))
      const sent = yield* Effect.promise(() => sender.command({ userId: "U0ADMIN", text: "whois bob@acme.test" }))
      assert.include(JSON.stringify((yield* Effect.promise(() => fake.response(sent.responseId))).args), "bob@acme.test")
    }).pipe(Effect.scoped))

  it.live("the bot runs core's policy pass: a grant whose time is up when it starts is revoked; a bad USHER_POLICY_MINUTES stops it", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.promise(directory), (t) => Effect.sync(t.cleanup))
      const fake = yield* Effect.acquireRelease(Effect.promise(() => FakeSlackApi.start([{ id: "U0ADMIN", email: "admin@acme.test" }])), (f) => Effect.promise(() => f.stop()))
      const env = { ...BASE, SLACK_SIGNING_SECRET: SECRET, PORT: "0", HOST: "127.0.0.1", SLACK_API_URL: fake.apiUrl, USHER_DATABASE_URL: databaseUrl(temp), USHER_DATA_DIR: temp.dir }
      const bad = capture({ ...env, USHER_POLICY_MINUTES: "soon" })
      assert.strictEqual(yield* Effect.promise(() => main(bad.io, { logLevel: LogLevel.ERROR })), 2)
      assert.include(bad.out.stderr, "USHER_POLICY_MINUTES must be a whole number of minutes")
      const runtime = Core.makeCoreRuntime(temp.location, temp.config)
      yield* Effect.addFinalizer(() => Effect.promise(() => runtime.dispose()))
      const admin = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices | Core.Actor>) => Effect.promise(() => runtime.runPromise(effect.pipe(Core.as("system", "cli"))))
      yield* admin(Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, scope: "org:acme", expiresAt: new Date(Date.now() + 500).toISOString() }))
      yield* Effect.sleep("700 millis")
      const ok = capture(env)
      const started = yield* Effect.promise(() => main(ok.io, { logLevel: LogLevel.ERROR }))
      if (started === 2) return assert.fail(ok.out.stderr)
      yield* Effect.addFinalizer(() => Effect.promise(() => started.stop()))
      const expired = admin(Core.listAudit({ limit: 10 })).pipe(Effect.map((events) => events.find((e) => e.action === "grant.expire")))
      let event = yield* expired
      for (let tries = 0; event === undefined && tries < 100; tries++) event = yield* Effect.zipRight(Effect.sleep("100 millis"), expired)
      assert.deepStrictEqual([event?.via, event?.actor], ["slack", "system"])
    }).pipe(Effect.scoped))

  it.live("the bot signs the audit head when it stops after writing events", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.promise(directory), (t) => Effect.sync(t.cleanup))
      const fake = yield* Effect.acquireRelease(Effect.promise(() => FakeSlackApi.start([{ id: "U0ADMIN", email: "admin@acme.test" }])), (f) => Effect.promise(() => f.stop()))
      const env = { ...BASE, SLACK_SIGNING_SECRET: SECRET, PORT: "0", HOST: "127.0.0.1", SLACK_API_URL: fake.apiUrl, USHER_DATABASE_URL: databaseUrl(temp), USHER_DATA_DIR: temp.dir }
      const ok = capture(env)
      const started = yield* Effect.promise(() => main(ok.io, { logLevel: LogLevel.ERROR }))
      if (started === 2) return assert.fail(ok.out.stderr)
      const sender = new SlackSender(`http://127.0.0.1:${started.running.port}/slack/events`, SECRET, fake.teamId, (id) => fake.responseUrl(id))
      const sent = yield* Effect.promise(() => sender.command({ userId: "U0ADMIN", text: "suspend bob@acme.test on leave" }))
      yield* Effect.promise(() => fake.response(sent.responseId))
      yield* Effect.promise(() => started.stop())
      const runtime = Core.makeCoreRuntime(temp.location, temp.config)
      const [verified, bob] = yield* Effect.promise(() =>
        runtime.runPromise(Effect.all([Core.verifyAudit, Core.showUser("bob@acme.test")]).pipe(Core.as("system", "cli")))
      ).pipe(Effect.ensuring(Effect.promise(() => runtime.dispose())))
      assert.strictEqual(bob.user.status, "suspended")
      assert.deepStrictEqual([verified.checkpoints.latest?.seq, verified.checkpoints.newerEvents], [verified.events, 0], "the bot's events are signed")
    }).pipe(Effect.scoped))

  it.live("Socket Mode with an app token Slack refuses stops with exit code 2 and names SLACK_APP_TOKEN", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.promise(directory), (t) => Effect.sync(t.cleanup))
      const fake = yield* Effect.acquireRelease(Effect.promise(() => FakeSlackApi.start()), (f) => Effect.promise(() => f.stop()))
      fake.override("apps.connections.open", () => ({ ok: false, error: "invalid_auth" }))
      const run = capture({ ...BASE, SLACK_APP_TOKEN: "xapp-1-A0USHER1-revoked", SLACK_API_URL: fake.apiUrl, USHER_DATABASE_URL: databaseUrl(temp), USHER_DATA_DIR: temp.dir })
      assert.strictEqual(yield* Effect.promise(() => main(run.io, { logLevel: LogLevel.ERROR })), 2)
      assert.include(run.out.stderr, "Slack refused SLACK_APP_TOKEN or could not be reached (invalid_auth)")
      assert.include(run.out.stderr, "connections:write")
      assert.lengthOf(fake.callsOf("apps.connections.open"), 1, "no retries in the background after giving up")
    }).pipe(Effect.scoped))

  it.live("Socket Mode: connects with the app token and answers a slash command delivered over the socket", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.promise(directory), (t) => Effect.sync(t.cleanup))
      const fake = yield* Effect.acquireRelease(Effect.promise(() => FakeSlackApi.start([{ id: "U0ADMIN", email: "admin@acme.test" }])), (f) => Effect.promise(() => f.stop()))
      const socket = yield* Effect.acquireRelease(Effect.promise(() => FakeSocketMode.start(fake)), (s) => Effect.promise(() => s.stop()))
      const run = capture({ ...BASE, SLACK_APP_TOKEN: "xapp-1-A0USHER1-1", SLACK_API_URL: fake.apiUrl, USHER_DATABASE_URL: databaseUrl(temp), USHER_DATA_DIR: temp.dir })
      const started = yield* Effect.promise(() => main(run.io, { logLevel: LogLevel.ERROR }))
      if (started === 2) return assert.fail(run.out.stderr)
      yield* Effect.addFinalizer(() => Effect.promise(() => started.stop()))
      assert.include(run.out.stdout, "connected to Slack (Socket Mode)")
      assert.deepStrictEqual(socket.appTokens, ["xapp-1-A0USHER1-1"])
      yield* Effect.promise(() => socket.connected())
      const ack = yield* Effect.promise(() => socket.send("slash_commands", {
        team_id: fake.teamId, user_id: "U0ADMIN", command: "/usher", text: "whois bob@acme.test", channel_id: "C0GENERAL",
        response_url: fake.responseUrl("socket-1"), trigger_id: "trigger-socket-1", api_app_id: "A0USHER1"
      }))
      assert.isString(ack.envelope_id)
      const reply = yield* Effect.promise(() => fake.response("socket-1"))
      assert.include(JSON.stringify(reply.args), "Bob Tester (bob@acme.test)")
    }).pipe(Effect.scoped))
})
