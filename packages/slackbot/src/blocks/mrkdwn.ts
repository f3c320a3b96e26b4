import type { types } from "@slack/bolt"

/** A Block Kit block the bot may send. */
export type KnownBlock = types.KnownBlock

/** What the bot sends: a plain-text fallback (notifications, screen readers) and Block Kit blocks. */
export interface Reply {
  readonly text: string
  readonly blocks: ReadonlyArray<KnownBlock>
}

/** Escapes the three characters mrkdwn gives meaning to, so user text cannot mention or link. */
export const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** A mrkdwn section (Slack caps a section's text at 3000 characters). */
export const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text: clip(text, 3000) } })

/** A section of labelled fields, two columns. */
export const fields = (pairs: ReadonlyArray<readonly [string, string]>): KnownBlock => ({
  type: "section",
  fields: pairs.slice(0, 10).map(([label, value]) => ({ type: "mrkdwn", text: clip(`*${label}*\n${value}`, 2000) }))
})

/** A header line (plain text, at most 150 characters). */
export const header = (text: string): KnownBlock => ({ type: "header", text: { type: "plain_text", text: clip(text, 150), emoji: true } })

/** Small grey text under a message. */
export const context = (text: string): KnownBlock => ({ type: "context", elements: [{ type: "mrkdwn", text: clip(text, 3000) }] })

/** A horizontal rule. */
export const divider: KnownBlock = { type: "divider" }

/** A time Slack shows in each reader's own time zone, with the UTC text as fallback. */
export const when = (iso: string): string => {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? escape(iso) : `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${iso.slice(0, 16).replace("T", " ")} UTC>`
}

/** A text cut to `max` characters with an ellipsis. */
export const clip = (text: string, max: number): string => text.length <= max ? text : `${text.slice(0, max - 1)}…`

/** A reply of one section with the same text as its fallback. */
export const simple = (mrkdwn: string, fallback = mrkdwn): Reply => ({ text: clip(fallback, 3000), blocks: [section(mrkdwn)] })
