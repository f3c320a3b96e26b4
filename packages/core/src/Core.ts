import { type SqlClient } from "@effect/sql"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Actor, resolveActorId } from "./Actor.js"
import { AuditCheckpointer } from "./Audit/Checkpointer.js"
import { AuditCheckpointerLive } from "./Audit/Checkpoints.js"
import { CoreConfig, defaultConfig, type CoreConfigShape } from "./CoreConfig.js"
import type { Via } from "./Domain/Audit.js"
import { Database, layerDatabase, locationFromEnv, parseUrl, type DatabaseLocation, type DatabaseUnavailable } from "./Database.js"
import { Mailer, MailerLive } from "./Mail.js"

/** What a front-end's runtime provides to every use case (the Actor is provided per call). */
export type CoreServices = SqlClient.SqlClient | Database | CoreConfig | Mailer | AuditCheckpointer

/**
 * Opens the directory at a location with the process's configuration (default: links to
 * localhost, mail kept as `.eml` files beside the database): the one layer every front-end
 * builds its runtime from. Closing it signs the audit head when this process wrote events.
 */
export const CoreLive = (
  location: DatabaseLocation,
  config: CoreConfigShape = defaultConfig(location)
): Layer.Layer<CoreServices, DatabaseUnavailable> => {
  const configLayer = Layer.succeed(CoreConfig, config)
  const base = Layer.mergeAll(layerDatabase(location), configLayer, MailerLive.pipe(Layer.provide(configLayer)))
  return Layer.provideMerge(AuditCheckpointerLive, base)
}

/** Resolves the database from `--db` or the environment. */
export const resolveLocation = (db: string | undefined) => db !== undefined ? parseUrl(db) : locationFromEnv

/** A runtime for one front-end process; dispose it on exit. */
export const makeCoreRuntime = (location: DatabaseLocation, config?: CoreConfigShape) => ManagedRuntime.make(CoreLive(location, config))

/** Provides an actor to a use case. */
export const as = (id: Actor["Type"]["id"], via: Via) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, Actor>> =>
  Effect.provideService(effect, Actor, { id, via })

/** Resolves the acting user (by e-mail, or the sole provider admin) and provides it. */
export const asUser = (email: string | undefined, via: Via) =>
<A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(resolveActorId(email), (id) => as(id, via)(effect))

export { Database }
