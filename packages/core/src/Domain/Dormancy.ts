/**
 * Dormant accounts (settings `dormant.notify-days`, `dormant.suspend-days`): when an active
 * account that nobody used for a while gets its one notice, and when it is suspended. Pure.
 */

const DAY_MS = 86_400_000

/** The rule as the settings give it; `null` turns that half off. */
export interface DormancyRule {
  readonly notifyDays: number | null
  readonly suspendDays: number | null
}

/** What the rule reads of an account. */
export interface DormancyFacts {
  /** its last activity: `last_active_at`, else when it registered, else when it was made (`inactiveSince`) */
  readonly inactiveSince: string
  /** when it was last sent the notice (null: never) */
  readonly notifiedAt: string | null
}

/** What one policy pass does to an account. */
export type DormancyStep = "none" | "notify" | "suspend"

/** The instant an account's inactivity counts from. */
export const inactiveSince = (user: { readonly lastActiveAt: string | null; readonly registeredAt: string | null; readonly createdAt: string }): string =>
  user.lastActiveAt ?? user.registeredAt ?? user.createdAt

/** Whether the rule does anything at all. */
export const enabled = (rule: DormancyRule): boolean => rule.notifyDays !== null || rule.suspendDays !== null

/** The account was sent a notice during its current spell of inactivity (activity after a notice starts a new spell). */
const noticeStands = (facts: DormancyFacts): boolean =>
  facts.notifiedAt !== null && Date.parse(facts.notifiedAt) >= Date.parse(facts.inactiveSince)

/**
 * When an account notified at `notifiedAt` is suspended: `suspend-days` after its last activity,
 * but never before the warning it was given has run its course (`suspend-days` − `notify-days`
 * after the notice). So turning the rule on over long-dormant accounts warns them first instead
 * of suspending them at once.
 */
export const suspensionDue = (rule: DormancyRule, facts: DormancyFacts): Date | null => {
  if (rule.suspendDays === null) return null
  const bySilence = Date.parse(facts.inactiveSince) + rule.suspendDays * DAY_MS
  if (rule.notifyDays === null) return new Date(bySilence)
  if (!noticeStands(facts)) return null
  const warning = Math.max(0, rule.suspendDays - rule.notifyDays) * DAY_MS
  return new Date(Math.max(bySilence, Date.parse(facts.notifiedAt!) + warning))
}

/** The step a pass at `at` takes for an active, not exempt account: one notice per spell, then suspension. */
export const step = (rule: DormancyRule, facts: DormancyFacts, at: Date): DormancyStep => {
  const idle = at.getTime() - Date.parse(facts.inactiveSince)
  const due = suspensionDue(rule, facts)
  if (due !== null && at.getTime() >= due.getTime()) return "suspend"
  const noticeAfter = rule.notifyDays ?? null
  if (noticeAfter !== null && idle >= noticeAfter * DAY_MS && !noticeStands(facts)) return "notify"
  return "none"
}

/** The shortest inactivity the rule acts on, in days (what a pass selects candidates by); null when it is off. */
export const shortestDays = (rule: DormancyRule): number | null => {
  const days = [rule.notifyDays, rule.suspendDays].filter((d): d is number => d !== null)
  return days.length === 0 ? null : Math.min(...days)
}
