/**
 * The few things usher does for the system rather than for a person: the Slack bot's sync,
 * delivery and notice bookkeeping, the expiry sweep, mapping a Slack user to their account before anyone
 * acts, the change marker front-ends poll and the grant graph the resolver indexes. Each needs
 * `SystemActor`, which only the binaries provide (`asSystem`), so a front-end handling a
 * person's request cannot reach them by accident; every other use case needs `Actor` (checked by
 * the type-level test `test/Types.test.ts`).
 */
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, type Duration, Effect, Option, Stream } from "effect"
import * as ActorModule from "./Actor.js"
import { Actor } from "./Actor.js"
import * as ApiTokens from "./ApiTokens.js"
import * as Checks from "./Checks.js"
import * as Approvals from "./Approvals.js"
import * as DatabaseCopy from "./DatabaseCopy.js"
import * as Policies from "./Policies.js"
import * as Directory from "./Directory.js"
import type { Via } from "./Domain/Audit.js"
import * as RateLimits from "./RateLimits.js"
import * as SelfService from "./SelfService.js"
import * as Sessions from "./Sessions.js"
import * as Slack from "./Slack.js"
import * as SlackNotices from "./SlackNotices.js"
import * as SshKeys from "./SshKeys.js"
import { CHANGES_CHANNEL } from "./internal/tx.js"
import * as Activity from "./Views/Activity.js"

/** The system itself, running a job: provided only by the binaries (the bot's loops, the dashboard's poller). */
export class SystemActor extends Context.Tag("@usher/core/SystemActor")<SystemActor, { readonly via: Via }>() {}

/** Runs jobs as the system, through a front-end (`via`, recorded on any audit row they write). */
export const asSystem = (via: Via) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, SystemActor>> =>
  Effect.provideService(effect, SystemActor, { via })

/** A job: needs `SystemActor`, and writes any audit row as `system` through its `via`. */
const job = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, Actor> | SystemActor> =>
  Effect.flatMap(SystemActor, ({ via }) => Effect.provideService(effect, Actor, { id: "system", via }))

/** Marks pending requests past their date `expired`, one audit row each (the bot's sync loop). */
export const expireApprovals = job(Approvals.expireApprovals)

/**
 * One pass of the policy runner (see `Policies.runPolicies`): expired grants revoked, invitations
 * and requests past their date recorded, dormant accounts notified and suspended; skipped when
 * another runner holds the lease. `usher policies run`.
 */
export const runPolicies = (options?: Policies.PolicyOptions) => job(Policies.runPolicies(options))

/** A pass every `every`, for as long as it runs (see `Policies.policyLoop`); for `usher serve` and the bot. */
export const policyLoop = (every: Duration.DurationInput, options?: Policies.PolicyOptions) => job(Policies.policyLoop(every, options))

/** Records where a request was posted in Slack (audited). */
export const recordSlackMessage = (id: string, channel: string, ts: string) => job(Approvals.recordSlackMessage(id, channel, ts))

/** Requests posted to Slack whose message no longer shows their state. */
export const slackMessagesToSync = job(Approvals.slackMessagesToSync)

/** Pending requests never posted to Slack, oldest first. */
export const unpostedApprovals = job(Approvals.unpostedApprovals)

/** Marks a request's Slack message as showing `version`. */
export const markSlackSynced = (id: string, version: number) => job(Approvals.markSlackSynced(id, version))

/** The accounts that may decide a request now, by e-mail (see `Approvals.possibleDeciders`). */
export const possibleDeciders = (id: string) => job(Approvals.possibleDeciders(id))

/** Plans the Slack notices that have come due, once across replicas (see `SlackNotices.planNotices`). */
export const planSlackNotices = job(SlackNotices.planNotices)

/** The planned Slack notices not sent yet, as things are now (see `SlackNotices.noticesToSend`). */
export const slackNoticesToSend = (limit?: number) => job(SlackNotices.noticesToSend(limit))

/** Takes Slack notices for sending, none twice across replicas: the keys taken. */
export const claimSlackNotices = (keys: ReadonlyArray<string>) => job(SlackNotices.claimNotices(keys))

/** Records how taken Slack notices went (`sent`, or why they were given up). */
export const settleSlackNotices = (keys: ReadonlyArray<string>, outcome: string) => job(SlackNotices.settleNotices(keys, outcome))

/** Gives taken Slack notices back after a passing failure. */
export const releaseSlackNotices = (keys: ReadonlyArray<string>) => job(SlackNotices.releaseNotices(keys))

/** The mark a Home tab built now reflects (see `SlackNotices.homeMark`). */
export const slackHomeMark = job(SlackNotices.homeMark)

/** Remembers a published Home tab: whose, as which account, reflecting which mark. */
export const recordSlackHome = (slackUserId: string, userId: string, mark: number) => job(SlackNotices.recordHome(slackUserId, userId, mark))

/** Home tabs whose lists changed since they were published. */
export const slackHomesToRefresh = (limit?: number) => job(SlackNotices.homesToRefresh(limit))

/** Takes a Home tab for publishing again (false: another replica did). */
export const claimSlackHome = (home: SlackNotices.HomeRow, mark: number) => job(SlackNotices.claimHome(home, mark))

/** Gives a Home tab back after a failed publish. */
export const releaseSlackHome = (home: SlackNotices.HomeRow, mark: number) => job(SlackNotices.releaseHome(home, mark))

/** Claims one Slack delivery across replicas (see `Slack.claimSlackDelivery`). */
export function claimSlackDelivery(key: string): Effect.Effect<boolean, never, SqlClient.SqlClient | SystemActor>
export function claimSlackDelivery<A, E, R>(key: string, work: Effect.Effect<A, E, R>): Effect.Effect<Option.Option<A>, E, R | SqlClient.SqlClient | SystemActor>
export function claimSlackDelivery<A, E, R>(key: string, work?: Effect.Effect<A, E, R>): Effect.Effect<unknown, E, R | SqlClient.SqlClient | SystemActor> {
  const claim: Effect.Effect<unknown, E, R | SqlClient.SqlClient> = work === undefined ? Slack.claimSlackDelivery(key) : Slack.claimSlackDelivery(key, work)
  return Effect.zipRight(SystemActor, claim)
}

/** The directory user a Slack user maps to (see `Slack.slackDirectoryUser`). */
export const slackDirectoryUser = (slackUserId: string, verifiedEmail: string | null) =>
  Effect.zipRight(SystemActor, Slack.slackDirectoryUser(slackUserId, verifiedEmail))

/** The directory user a Slack user acts as, pinned at first use (see `Slack.slackActor`). */
export const slackActor = (slackUserId: string, verifiedEmail: string | null) =>
  Effect.zipRight(SystemActor, Slack.slackActor(slackUserId, verifiedEmail))

/** A marker that changes whenever anyone commits to the directory (front-ends poll it). */
export const changeMarker = Effect.zipRight(SystemActor, Activity.changeMarker)

/** The whole grant graph, for the indexed resolver. */
export const loadDirectoryGraph = Effect.zipRight(SystemActor, Directory.loadDirectoryGraph)

/** Who holds a session token, before anyone acts: the HTTP front-ends' first step (see `Sessions.authenticate`). */
export const authenticate = (token: string) => Effect.zipRight(SystemActor, Sessions.authenticate(token))

/** The directory's name for the pages' header (see `SelfService.organizationName`). */
export const organizationName = Effect.zipRight(SystemActor, SelfService.organizationName)

/** The invitation behind a link, before anyone accepts it: the invitation page (see `SelfService.previewInvitation`). */
export const previewInvitation = (token: string) => Effect.zipRight(SystemActor, SelfService.previewInvitation(token))

/** Whether a password-reset link still works, before anyone uses it (see `SelfService.checkResetLink`). */
export const checkResetLink = (token: string) => Effect.zipRight(SystemActor, SelfService.checkResetLink(token))

/** An invitee whose link stopped working asks for a new one (see `SelfService.requestInvitationLink`). */
export const requestInvitationLink = (token: string) => job(SelfService.requestInvitationLink(token))

/** Counts a hit against a rate-limited key shared by every instance (see `RateLimits.hitRateLimit`). */
export const hitRateLimit = (key: string, limit: RateLimits.RateLimit) => Effect.zipRight(SystemActor, RateLimits.hitRateLimit(key, limit))

/** Who acts for a front-end started with `--as` (or the only provider admin), before anyone acts. */
export const resolveActorId = (email: string | undefined) => Effect.zipRight(SystemActor, ActorModule.resolveActorId(email))

/** The active provider admins, to say who could act when `--as` is missing. */
export const providerAdmins = Effect.zipRight(SystemActor, ActorModule.providerAdmins)

/** A user's grant paths, fresh from the database (the resolver's benchmarks and checks). */
export const loadSubject = (userId: string) => Effect.zipRight(SystemActor, ActorModule.loadSubject(userId))

/** Who a presented API token's secret acts as, before anyone acts: the APIs' first step (see `ApiTokens.authenticateApiToken`). */
export const authenticateApiToken = (secret: string, surface: ApiTokens.TokenSurface) => Effect.zipRight(SystemActor, ApiTokens.authenticateApiToken(secret, surface))

/** The check API's request: the secret authenticated for `check`, then each question answered as its owner (see `Checks.checkWithSecret`). */
export const checkWithSecret = (secret: string, questions: ReadonlyArray<Checks.CheckQuestion>) => Effect.zipRight(SystemActor, Checks.checkWithSecret(secret, questions))

/** Who a presented SSH public key (its blob) acts as, before anyone acts: `ssh-serve`'s sign-in check (see `SshKeys.sshKeyUser`). */
export const sshKeyUser = (blob: Uint8Array) => Effect.zipRight(SystemActor, SshKeys.sshKeyUser(blob))

/** Records an SSH session opening as the key's user via `ssh` (see `SshKeys.openSshSession`). */
export const openSshSession = (fingerprint: string, kind: "dashboard" | "exec", command?: string) =>
  Effect.zipRight(SystemActor, SshKeys.openSshSession(fingerprint, kind, command))

/**
 * The migrations the directory's database has run (`usher db migrate`): opening it runs any that
 * are missing, once however many processes start together (the migrator locks its table).
 */
export const appliedMigrations = Effect.zipRight(
  SystemActor,
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ migrationId: number; name: string; createdAt: unknown }>`SELECT migration_id, name, created_at FROM effect_sql_migrations ORDER BY migration_id`).pipe(
      Effect.map((rows) => rows.map((r) => ({ id: Number(r.migrationId), name: r.name, at: r.createdAt instanceof Date ? r.createdAt.toISOString() : String(r.createdAt) }))),
      Effect.orDie
    )
)

/** Copies a directory into an empty database of another engine (`usher db copy`; see `DatabaseCopy.copyDatabase`). */
export const copyDatabase = (...args: Parameters<typeof DatabaseCopy.copyDatabase>) => Effect.zipRight(SystemActor, DatabaseCopy.copyDatabase(...args))

/**
 * A signal for every change another process (or this one) commits to the directory, as soon as
 * it commits: on PostgreSQL, LISTEN on a dedicated connection (every write transaction notifies);
 * on SQLite, which has no such channel, nothing — front-ends poll `changeMarker` there (and keep
 * polling on PostgreSQL too, should the listening connection drop).
 */
export const changes: Stream.Stream<void, never, SystemActor | SqlClient.SqlClient> = Stream.unwrap(Effect.gen(function*() {
  yield* SystemActor
  const pg = yield* Effect.serviceOption(PgClient.PgClient)
  if (Option.isNone(pg)) return Stream.never
  const [schema] = yield* pg.value<{ name: string }>`SELECT current_schema() AS name`.pipe(Effect.orDie)
  return pg.value.listen(CHANGES_CHANNEL).pipe(
    Stream.filter((payload) => payload === schema?.name),
    Stream.map(() => undefined),
    Stream.catchAll(() => Stream.never)
  )
}))
