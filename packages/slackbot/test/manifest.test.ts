import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { parse } from "yaml"
import { EVENTS_PATH } from "../src/app.js"

interface Manifest {
  readonly features: {
    readonly slash_commands: ReadonlyArray<{ readonly command: string; readonly url: string; readonly should_escape: boolean }>
    readonly app_home: { readonly home_tab_enabled: boolean; readonly messages_tab_enabled: boolean }
  }
  readonly oauth_config: { readonly scopes: { readonly bot: ReadonlyArray<string> } }
  readonly settings: {
    readonly interactivity: { readonly is_enabled: boolean; readonly request_url: string }
    readonly event_subscriptions: { readonly request_url: string; readonly bot_events: ReadonlyArray<string> }
    readonly socket_mode_enabled: boolean
  }
}

describe("manifest.yml", () => {
  it("declares the slash command, interactivity, the Home tab and its event, and exactly the scopes the bot uses, all pointing at the events path", () => {
    const manifest = parse(readFileSync(new URL("../manifest.yml", import.meta.url), "utf8")) as Manifest
    const [command, ...more] = manifest.features.slash_commands
    assert.lengthOf(more, 0)
    assert.strictEqual(command?.command, "/usher")
    assert.isTrue(command?.should_escape, "mentions arrive as user ids")
    assert.isTrue(command?.url.endsWith(EVENTS_PATH))
    assert.isTrue(manifest.settings.interactivity.is_enabled)
    assert.isTrue(manifest.settings.interactivity.request_url.endsWith(EVENTS_PATH))
    assert.deepStrictEqual([...manifest.oauth_config.scopes.bot].sort(), ["chat:write", "commands", "users:read", "users:read.email"])
    assert.isTrue(manifest.features.app_home.home_tab_enabled, "the Home tab the bot publishes")
    assert.isTrue(manifest.features.app_home.messages_tab_enabled, "requesters' notices are direct messages")
    assert.deepStrictEqual(manifest.settings.event_subscriptions.bot_events, ["app_home_opened"])
    assert.isTrue(manifest.settings.event_subscriptions.request_url.endsWith(EVENTS_PATH))
    assert.isFalse(manifest.settings.socket_mode_enabled, "HTTP mode as shipped; the comment says how to switch")
  })
})
