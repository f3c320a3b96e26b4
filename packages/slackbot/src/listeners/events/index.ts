import type { App } from "@slack/bolt"
import type { Bot } from "../../bot.js"
import { publishHome } from "../../home.js"

/**
 * Registers the Home tab: Bolt acknowledges an event before any listener runs; opening the tab
 * (`app_home_opened` with `tab: home`, not the Messages tab) publishes it fresh from core.
 */
export const register = (app: App, bot: Bot): void => {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== undefined && event.tab !== "home") return
    await publishHome(bot, event.user)
  })
}
