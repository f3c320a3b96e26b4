import { Config, Context, Effect, Option } from "effect"
import { basename, dirname, join, resolve } from "node:path"
import { DEFAULT_DATA_DIR, locationName, type DatabaseLocation } from "./Database.js"

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

/**
 * The checkpoint file of a database: `audit-checkpoints.jsonl` for the usual `usher.db`; a
 * database of another name in the same folder gets its own (`<name>.audit-checkpoints.jsonl`),
 * so two directories never mix their checkpoints. One key may sign for both.
 */
export const checkpointFileName = (databasePath: string): string => {
  const name = basename(databasePath)
  return name === "usher.db" ? "audit-checkpoints.jsonl" : `${name.replace(/\.(db|sqlite3?)$/, "")}.audit-checkpoints.jsonl`
}

/** The audit signing key and checkpoint file of a configuration (none for an in-memory directory without explicit paths). */
export const auditFiles = (config: CoreConfigShape): { readonly keyFile: string; readonly checkpoints: string } | null => {
  const keyFile = config.auditKeyFile ?? (config.dataDir === null ? null : join(config.dataDir, "audit-signing.key"))
  const checkpoints = config.auditCheckpoints ?? (config.dataDir === null ? null : join(config.dataDir, "audit-checkpoints.jsonl"))
  return keyFile === null || checkpoints === null ? null : { keyFile, checkpoints }
}

/** The default key and checkpoint paths of a database in a data directory. */
const auditDefaults = (location: DatabaseLocation, dataDir: string | null) => ({
  auditKeyFile: dataDir === null ? null : join(dataDir, "audit-signing.key"),
  auditCheckpoints: dataDir === null || inMemory(location) ? null : join(dataDir, checkpointFileName(locationName(location)))
})

const inMemory = (location: DatabaseLocation) => location.engine === "sqlite" && location.path === ":memory:"

/** A file's folder keeps its mail and keys; a PostgreSQL directory's live in the default data directory. */
const defaultDataDir = (location: DatabaseLocation): string | null =>
  location.engine === "pg" ? DEFAULT_DATA_DIR : location.path === ":memory:" ? null : dirname(location.path)

/**
 * The configuration a directory gets with its data directory given (`USHER_DATA_DIR`) and nothing
 * else set: its mail, signing key and checkpoint file there.
 */
export const configWithDataDir = (location: DatabaseLocation, dataDir: string): CoreConfigShape => ({
  ...defaultConfig(location),
  dataDir,
  ...auditDefaults(location, dataDir)
})

/** The process's configuration, provided by `CoreLive`. */
export class CoreConfig extends Context.Tag("@usher/core/CoreConfig")<CoreConfig, CoreConfigShape>() {}

const DEFAULT_PUBLIC_URL = "http://localhost:8080"
const DEFAULT_FROM = "usher <usher@localhost>"

/** The configuration a directory gets when its front-end sets nothing: mail kept beside the database file. */
export const defaultConfig = (location: DatabaseLocation): CoreConfigShape => ({
  publicUrl: DEFAULT_PUBLIC_URL,
  dataDir: defaultDataDir(location),
  smtpUrl: null,
  mailFrom: DEFAULT_FROM,
  ...auditDefaults(location, defaultDataDir(location))
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
    const dataDirSetting = yield* optional("USHER_DATA_DIR")
    const dataDir = dataDirSetting === null ? base.dataDir : resolve(dataDirSetting)
    const audit = auditDefaults(location, dataDir)
    return {
      publicUrl: publicUrl.replace(/\/+$/, ""),
      dataDir,
      smtpUrl: yield* optional("USHER_SMTP_URL"),
      mailFrom: (yield* optional("USHER_MAIL_FROM")) ?? base.mailFrom,
      auditKeyFile: absolute(yield* optional("USHER_AUDIT_KEY_FILE")) ?? audit.auditKeyFile,
      auditCheckpoints: absolute(yield* optional("USHER_AUDIT_CHECKPOINTS")) ?? audit.auditCheckpoints
    } satisfies CoreConfigShape
  })

/** The addresses of the pages `usher serve` gives people, for front-ends to show where a person needs one. */
export interface PageUrls {
  /** where a person signs in (a provisioned account changes its temporary password there) */
  readonly signIn: string
  /** a person's own account: profile, access and its reasons, sessions, password */
  readonly account: string
}

/** The page addresses under `USHER_PUBLIC_URL`. */
export const pageUrls: Effect.Effect<PageUrls, never, CoreConfig> = Effect.map(CoreConfig, (config) => ({
  signIn: `${config.publicUrl}/signin`,
  account: `${config.publicUrl}/account`
}))
