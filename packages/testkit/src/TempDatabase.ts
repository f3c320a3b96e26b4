import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import * as Core from "@usher/core"

/** A fresh directory for one test: a real SQLite file (migrated on first open) in its own temp folder. */
export interface TempDirectory {
  readonly dir: string
  readonly path: string
  readonly location: Core.DatabaseLocation
  readonly cleanup: () => void
}

/** Makes a temp folder with a database path inside; call `cleanup` when done. */
export const makeTempDirectory = (): TempDirectory => {
  const dir = mkdtempSync(join(tmpdir(), "usher-test-"))
  const path = join(dir, "usher.db")
  return {
    dir,
    path,
    location: { engine: "sqlite", path },
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}

/** A scoped layer over a migrated temp SQLite file, removed when the scope closes. */
export const TempDatabaseLive: Layer.Layer<Core.CoreServices> = Layer.unwrapScoped(
  Effect.acquireRelease(Effect.sync(makeTempDirectory), (temp) => Effect.sync(temp.cleanup)).pipe(
    Effect.map((temp) => Layer.orDie(Core.CoreLive(temp.location)))
  )
)

/** The e-mail of the provider admin that `initialized` creates. */
export const ADMIN = "admin@acme.test"

/** Runs `init` for an empty temp directory: organization `acme`, provider admin `admin@acme.test`. */
export const initialized = Core.init({ adminEmail: ADMIN, firstName: "Ada", lastName: "Admin", org: "acme", orgName: "Acme" }).pipe(
  Core.as("system", "cli")
)
