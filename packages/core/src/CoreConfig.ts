import { Config, Context, Effect, Option } from "effect"
import { dirname, join, resolve } from "node:path"
import type { DatabaseLocation } from "./Database.js"

/** Process-level settings read from the environment (DESIGN §9); directory rules live in `Settings`. */
export interface CoreConfigShape {
  /** base of the links usher mails (`${publicUrl}/invite/<token>`) */
  readonly publicUrl: string
  /** where the embedded mailer writes its `.eml` files (`<dataDir>/outbox/`); null: nowhere (in-memory databases) */
  readonly dataDir: string | null
  /** `smtp://…` or `smtps://…`: mail goes out through this server instead of the embedded outbox */
  readonly smtpUrl: string | null
  /** the sender of every mail */
  readonly mailFrom: string
  /** the Ed25519 key that signs audit checkpoints (unset or null: `<dataDir>/audit-signing.key`) */
  readonly auditKeyFile?: string | null
  /** where signed audit checkpoints are appended, one JSON per line (unset or null: `<dataDir>/audit-checkpoints.jsonl`) */
  readonly auditCheckpoints?: string | null
}

/** The audit signing key and checkpoint file of a configuration (none for an in-memory directory without explicit paths). */
export const auditFiles = (config: CoreConfigShape): { readonly keyFile: string; readonly checkpoints: string } | null => {
  const keyFile = config.auditKeyFile ?? (config.dataDir === null ? null : join(config.dataDir, "audit-signing.key"))
  const checkpoints = config.auditCheckpoints ?? (config.dataDir === null ? null : join(config.dataDir, "audit-checkpoints.jsonl"))
  return keyFile === null || checkpoints === null ? null : { keyFile, checkpoints }
}

/** The process's configuration, provided by `CoreLive`. */
export class CoreConfig extends Context.Tag("@usher/core/CoreConfig")<CoreConfig, CoreConfigShape>() {}

const DEFAULT_PUBLIC_URL = "http://localhost:8080"
const DEFAULT_FROM = "usher <usher@localhost>"

/** The configuration a directory gets when its front-end sets nothing: mail kept beside the database file. */
export const defaultConfig = (location: DatabaseLocation): CoreConfigShape => ({
  publicUrl: DEFAULT_PUBLIC_URL,
  dataDir: location.path === ":memory:" ? null : dirname(location.path),
  smtpUrl: null,
  mailFrom: DEFAULT_FROM
})

const optional = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((v) => v.trim() !== "")), Config.map(Option.getOrNull))

const absolute = (path: string | null) => (path === null ? null : resolve(path))

/**
 * Reads `USHER_PUBLIC_URL`, `USHER_DATA_DIR`, `USHER_SMTP_URL`, `USHER_MAIL_FROM`,
 * `USHER_AUDIT_KEY_FILE` and `USHER_AUDIT_CHECKPOINTS`. The data
 * directory defaults to the database file's folder, so a `--db` elsewhere keeps its mail with it.
 */
export const configFromEnv = (location: DatabaseLocation) =>
  Effect.gen(function*() {
    const base = defaultConfig(location)
    const publicUrl = (yield* optional("USHER_PUBLIC_URL")) ?? base.publicUrl
    const dataDir = yield* optional("USHER_DATA_DIR")
    return {
      publicUrl: publicUrl.replace(/\/+$/, ""),
      dataDir: dataDir === null ? base.dataDir : resolve(dataDir),
      smtpUrl: yield* optional("USHER_SMTP_URL"),
      mailFrom: (yield* optional("USHER_MAIL_FROM")) ?? base.mailFrom,
      auditKeyFile: absolute(yield* optional("USHER_AUDIT_KEY_FILE")),
      auditCheckpoints: absolute(yield* optional("USHER_AUDIT_CHECKPOINTS"))
    } satisfies CoreConfigShape
  })
