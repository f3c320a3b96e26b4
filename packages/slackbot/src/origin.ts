import type { BlockAction, ButtonAction } from "@slack/bolt"
import type { DecisionValue } from "./blocks/approvals.js"

/**
 * Where a person clicked a request's button: its message in the approvals channel (updated in
 * place after a decision), a `/usher pending` list (an ephemeral message, replaced through its
 * response URL), the app's Home tab (published again), or the direct message asking them to
 * decide (updated in place with the outcome; never taken for the approvals message).
 */
export type Origin =
  | { readonly _tag: "Channel"; readonly channel: string; readonly ts: string }
  | { readonly _tag: "Direct"; readonly channel: string; readonly ts: string }
  | { readonly _tag: "Pending"; readonly channel: string; readonly responseUrl: string }
  | { readonly _tag: "Home" }

/** Whether a channel id is a direct-message conversation (`D…`). */
const isDirect = (channel: string) => channel.startsWith("D")

/** Where a click came from, by its container: a view (the Home tab), an ephemeral message, a direct message or a channel message. */
export const originOf = (body: BlockAction<ButtonAction>): Origin => {
  const container = body.container as { readonly type?: unknown; readonly is_ephemeral?: unknown; readonly channel_id?: unknown; readonly message_ts?: unknown }
  if (container.type === "view") return { _tag: "Home" }
  const channel = typeof container.channel_id === "string" ? container.channel_id : body.channel?.id ?? ""
  if (container.is_ephemeral === true) return { _tag: "Pending", channel, responseUrl: body.response_url ?? "" }
  const ts = typeof container.message_ts === "string" ? container.message_ts : body.message?.ts ?? ""
  return isDirect(channel) ? { _tag: "Direct", channel, ts } : { _tag: "Channel", channel, ts }
}

/** The approvals message a click was on, when it was one (a pending list's ephemeral message is not). */
export const clickedMessage = (origin: Origin): { readonly channel: string; readonly ts: string } | undefined =>
  origin._tag === "Channel" && origin.channel !== "" && origin.ts !== "" ? { channel: origin.channel, ts: origin.ts } : undefined

/**
 * What an Approve or Deny modal carries to its submission (its `private_metadata`, at most 3,000
 * characters: ids, a channel, a ts and a response URL are far shorter). Flat, so that a modal
 * opened before `from` existed (`{ id, requester, channel, ts }`) still reads as a channel click.
 */
export interface DecisionMetadata extends DecisionValue {
  readonly from?: "channel" | "pending" | "home" | "direct"
  readonly channel?: string
  readonly ts?: string
  readonly responseUrl?: string
}

/** The modal's metadata for a request clicked at `origin`. */
export const encodeMetadata = (value: DecisionValue, origin: Origin): string => {
  switch (origin._tag) {
    case "Channel":
      return JSON.stringify({ ...value, from: "channel", channel: origin.channel, ts: origin.ts } satisfies DecisionMetadata)
    case "Pending":
      return JSON.stringify({ ...value, from: "pending", channel: origin.channel, responseUrl: origin.responseUrl } satisfies DecisionMetadata)
    case "Home":
      return JSON.stringify({ ...value, from: "home" } satisfies DecisionMetadata)
    case "Direct":
      return JSON.stringify({ ...value, from: "direct", channel: origin.channel, ts: origin.ts } satisfies DecisionMetadata)
  }
}

const text = (value: unknown): string => typeof value === "string" ? value : ""

/** Reads a modal's metadata back: the request (empty id when unreadable: core answers it is unknown) and where it was clicked. Total. */
export const decodeMetadata = (metadata: string): { readonly id: string; readonly requester: string | null; readonly origin: Origin } => {
  let m: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(metadata)
    if (typeof parsed === "object" && parsed !== null) m = parsed as Record<string, unknown>
  } catch {
    // not ours: an empty request id, which core refuses as unknown
  }
  const origin: Origin = m["from"] === "home"
    ? { _tag: "Home" }
    : m["from"] === "pending"
    ? { _tag: "Pending", channel: text(m["channel"]), responseUrl: text(m["responseUrl"]) }
    : m["from"] === "direct"
    ? { _tag: "Direct", channel: text(m["channel"]), ts: text(m["ts"]) }
    : { _tag: "Channel", channel: text(m["channel"]), ts: text(m["ts"]) }
  return { id: text(m["id"]), requester: typeof m["requester"] === "string" ? m["requester"] : null, origin }
}
