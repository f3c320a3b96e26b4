import { HTTPReceiver, type HTTPReceiverOptions } from "@slack/bolt"
import type { IncomingMessage, ServerResponse } from "node:http"

/**
 * How far ahead of this host's clock a request's timestamp may be: 30 seconds of clock skew
 * between Slack and a host whose clock sync lags (Slack's own rule allows five minutes either
 * way). Anything later is refused: it would let a captured request be replayed for longer.
 */
export const MAX_FUTURE_SKEW_SECONDS = 30

/** How old a request may be; Bolt enforces the same five minutes on the signed timestamp. */
export const MAX_AGE_SECONDS = 300

/**
 * Whether a request's `x-slack-request-timestamp` is acceptable at `nowMs`: a whole number of
 * seconds, at most 300 s old and not from the future (beyond 30 s of clock skew). A
 * future timestamp would let a captured request be replayed for longer than five minutes.
 */
export const timestampAcceptable = (header: string | ReadonlyArray<string> | undefined, nowMs: number): boolean => {
  if (typeof header !== "string" || !/^\d{1,12}$/.test(header)) return false
  const age = Math.floor(nowMs / 1000) - Number(header)
  return age <= MAX_AGE_SECONDS && age >= -MAX_FUTURE_SKEW_SECONDS
}

/**
 * Bolt's HTTP receiver with one more check in front: a POST whose timestamp is stale, from the
 * future or missing gets 401 before its body is read or parsed. Bolt then verifies the signature
 * (401 when wrong) as usual. A GET (the health check) passes through.
 */
export class GuardedHTTPReceiver extends HTTPReceiver {
  constructor(options: HTTPReceiverOptions, now: () => number = Date.now) {
    super(options)
    const inner = this.requestListener
    this.requestListener = (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === "POST" && !timestampAcceptable(req.headers["x-slack-request-timestamp"], now())) {
        res.writeHead(401, { connection: "close" })
        res.end()
        req.resume()
        return
      }
      return inner(req, res)
    }
  }
}
