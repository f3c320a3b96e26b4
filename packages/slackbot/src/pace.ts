/** A post that would have waited longer for its channel's turn than its caller allows. */
export class ChannelBusy extends Error {
  readonly _tag = "ChannelBusy"
  /** read as Slack's own error code by `slackErrorCode` */
  readonly data = { error: "ratelimited" }
  constructor(readonly channel: string, readonly waitMs: number) {
    super(`posting to ${channel} would wait ${Math.round(waitMs)} ms for its turn`)
  }
}

/**
 * Spaces the messages posted to each channel at least `intervalMs` apart (Slack allows about one
 * message a second per channel and answers bursts with 429s). Each post reserves the channel's
 * next free moment and waits for it; a caller that cannot wait long (someone is waiting on the
 * answer) gives `maxWaitMs` and gets `ChannelBusy` at once, reserving nothing, when the turn is further away.
 */
export const makePacer = (intervalMs: number, now: () => number = () => performance.now()) => {
  const nextFree = new Map<string, number>()
  return async <A>(channel: string, send: () => Promise<A>, options: { readonly maxWaitMs?: number } = {}): Promise<A> => {
    const at = now()
    if (nextFree.size > 1_000) for (const [key, free] of nextFree) if (free <= at) nextFree.delete(key)
    const turn = Math.max(at, nextFree.get(channel) ?? 0)
    const wait = turn - at
    if (options.maxWaitMs !== undefined && wait > options.maxWaitMs) throw new ChannelBusy(channel, wait)
    nextFree.set(channel, turn + intervalMs)
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    return send()
  }
}

/** Posts paced per channel (see `makePacer`). */
export type Pacer = ReturnType<typeof makePacer>

/** How one failing piece of the sync loop's work stands: tries so far, and when it may be tried next. */
interface Attempts {
  readonly tries: number
  readonly nextAt: number
}

/**
 * The sync loop's back-off: a piece of work (a message update, a post) that failed is tried
 * again after `baseMs`, then twice as long each time, at most `maxMs` apart; `failed` says how
 * many tries have failed so that the caller can give up after its limit.
 */
export const makeBackoff = (baseMs: number, maxMs: number, now: () => number = Date.now) => {
  const attempts = new Map<string, Attempts>()
  return {
    /** whether the work may be tried now */
    ready: (key: string): boolean => (attempts.get(key)?.nextAt ?? 0) <= now(),
    /** records a failed try; returns how many tries have failed in a row */
    failed: (key: string): number => {
      const tries = (attempts.get(key)?.tries ?? 0) + 1
      attempts.set(key, { tries, nextAt: now() + Math.min(maxMs, baseMs * 2 ** (tries - 1)) })
      return tries
    },
    /** forgets a piece of work (done, or given up) */
    forget: (key: string): void => void attempts.delete(key)
  }
}

/** The sync loop's back-off state (see `makeBackoff`). */
export type Backoff = ReturnType<typeof makeBackoff>
