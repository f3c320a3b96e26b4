import * as Core from "@usher/core"
import { Cause, Effect, Exit, Option, type ManagedRuntime } from "effect"
import { formatDashboardCause } from "../../present/dashboardError.js"
import type { ShownError } from "../../present/formatError.js"
import { defectLog, type DefectLog } from "./defectLog.js"

/** Who the dashboard acts as. */
export interface Acting {
  readonly id: Core.UserId
  readonly email: string
}

/** A refusal as the user reads it; for a malformed value, also the field core named and what is wrong with it. */
export interface Refusal extends ShownError {
  readonly field?: { readonly name: string; readonly reason: string }
}

/** What a finished use case gave: its value, or the error as the user reads it. */
export type Outcome<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: Refusal }

/** The field and reason of a typed failure that names them (`InvalidInput`, `InvalidProfile`), so a form can say it with its own label. */
const fieldOf = (cause: Cause.Cause<unknown>): Refusal["field"] => {
  const failure = Option.getOrUndefined(Cause.failureOption(cause))
  if (typeof failure !== "object" || failure === null) return undefined
  const { field, reason } = failure as { readonly field?: unknown; readonly reason?: unknown }
  return typeof field === "string" && typeof reason === "string" ? { name: field, reason } : undefined
}

/** An effect that needs only core's services and an actor (every use case). */
export type UseCase<A, E = unknown> = Effect.Effect<A, E, Core.CoreServices | Core.Actor>

/**
 * The dashboard's bridge to core: one runtime for the process, and the acting user. Every call
 * goes through `run`, which provides the actor (via `tui`, or `ssh`) and turns any failure into a readable
 * message, never a thrown stack trace.
 */
export class Dashboard {
  private acting: Acting | undefined

  constructor(
    readonly runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>,
    readonly location: Core.DatabaseLocation,
    readonly readonly: boolean,
    acting?: Acting | undefined,
    /** the front-end its audit rows name: `tui` on the local terminal, `ssh` over `usher ssh-serve` */
    readonly via: Core.AuditLog.Via = "tui",
    /** where a defect goes when the screen says "Details were logged" */
    readonly logDefect: DefectLog = defectLog(null)
  ) {
    this.acting = acting
  }

  /** The acting user; undefined until the setup screen created the first admin. */
  get actor(): Acting | undefined {
    return this.acting
  }

  /** Acts as this user from now on (after setup). */
  actAs(acting: Acting): void {
    this.acting = acting
  }

  /** Runs a use case as the acting user. */
  run<A, E>(useCase: UseCase<A, E>): Promise<Outcome<A>> {
    const acting = this.acting
    if (acting === undefined) {
      return Promise.resolve({ ok: false, error: { _tag: "ActorUnknown", message: "Nobody is signed in to act as." } })
    }
    return this.settle(Core.as(acting.id, this.via)(useCase))
  }

  private notedAt = Number.NEGATIVE_INFINITY

  /**
   * A key was pressed: the acting user's last activity is noted in the directory (core's
   * `noteActivity`), at most once a minute from this dashboard, in the background. Resolves
   * once it is written (undefined when nothing was due), so the views can show it: the change
   * marker does not move for a write of this connection without an audit row.
   */
  noteKey(now = Date.now()): Promise<void> | undefined {
    if (this.acting === undefined || now - this.notedAt < 60_000) return undefined
    this.notedAt = now
    return this.run(Core.noteActivity).then(() => undefined)
  }

  /** Runs something that needs no actor, or runs as `system` (setting up an empty directory). */
  runAsSystem<A, E>(useCase: UseCase<A, E>): Promise<Outcome<A>> {
    return this.settle(Core.as("system", this.via)(useCase))
  }

  private async settle<A, E>(effect: Effect.Effect<A, E, Core.CoreServices>): Promise<Outcome<A>> {
    const exit = await this.runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
    const error = formatDashboardCause(exit.cause)
    if (error._tag === "InternalError") this.logDefect(exit.cause)
    const field = fieldOf(exit.cause)
    return { ok: false, error: field === undefined ? error : { ...error, field } }
  }
}

/** Whether the directory is still empty (the setup screen creates its first organization and admin). */
export const isEmptyDirectory = Effect.map(Core.directoryInfo, (info) => info.users === 0 && info.defaultOrg === null)

/**
 * Resolves who acts: the given e-mail, else the only provider admin (`Core.resolveActorId`),
 * with the e-mail to show in the header.
 */
export const resolveActing = (email: string | undefined) =>
  Effect.gen(function*() {
    const id = yield* Core.Jobs.resolveActorId(email).pipe(Core.Jobs.asSystem("tui"))
    const shown = email !== undefined && email.trim() !== ""
      ? email.trim().toLowerCase()
      : yield* Core.showUser(id).pipe(Core.as(id, "tui"), Effect.map((d) => d.user.email), Effect.orElseSucceed(() => id))
    return { id, email: shown } satisfies Acting
  })
