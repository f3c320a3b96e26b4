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
export const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text: clipMrkdwn(text, 3000) } })

/** A section of labelled fields, two columns. */
export const fields = (pairs: ReadonlyArray<readonly [string, string]>): KnownBlock => ({
  type: "section",
  fields: pairs.slice(0, 10).map(([label, value]) => ({ type: "mrkdwn", text: clipMrkdwn(`*${label}*\n${value}`, 2000) }))
})

/** A header line (plain text, at most 150 characters). */
export const header = (text: string): KnownBlock => ({ type: "header", text: { type: "plain_text", text: clip(text, 150), emoji: true } })

/** Small grey text under a message. */
export const context = (text: string): KnownBlock => ({ type: "context", elements: [{ type: "mrkdwn", text: clipMrkdwn(text, 3000) }] })

/** A horizontal rule. */
export const divider: KnownBlock = { type: "divider" }

/** A time Slack shows in each reader's own time zone, with the UTC text as fallback. */
export const when = (iso: string): string => {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? escape(iso) : `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${iso.slice(0, 16).replace("T", " ")} UTC>`
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

/** Where a text cut before `end` must end so as not to split a surrogate pair. */
const codePointBoundary = (text: string, end: number) => end > 0 && isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end

/**
 * A plain text cut to at most `max` UTF-16 units (what Slack's limits count) with an ellipsis,
 * cut between code points: never half an emoji. Clip user text with this before escaping it.
 */
export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, codePointBoundary(text, Math.max(0, max - 1)))}…`

/**
 * A mrkdwn text cut to at most `max` UTF-16 units with an ellipsis, never inside a code point,
 * an entity (`&amp;`) or a `<…>` token (a mention, a date, a link): the cut moves back to before it.
 */
export const clipMrkdwn = (text: string, max: number): string => {
  if (text.length <= max) return text
  let end = codePointBoundary(text, Math.max(0, max - 1))
  for (;;) {
    const amp = text.lastIndexOf("&", end - 1)
    const semi = amp < 0 ? -1 : text.indexOf(";", amp)
    const open = text.lastIndexOf("<", end - 1)
    const close = open < 0 ? -1 : text.indexOf(">", open)
    // an entity or token that starts before the cut and ends at or after it
    const inEntity = amp >= 0 && semi >= end && semi - amp <= 10
    const inToken = open >= 0 && (close < 0 || close >= end)
    if (!inEntity && !inToken) break
    end = Math.min(inEntity ? amp : end, inToken ? open : end)
  }
  return `${text.slice(0, end)}…`
}

/** The plain-text fallback of a message (notifications, screen readers): escaped text, clipped like a section. */
export const fallback = (mrkdwn: string): string => clipMrkdwn(mrkdwn, 3000)

/** A reply of one section with the same text as its fallback. */
export const simple = (mrkdwn: string, fallbackText = mrkdwn): Reply => ({ text: fallback(fallbackText), blocks: [section(mrkdwn)] })
