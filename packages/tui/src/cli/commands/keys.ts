import * as Core from "@usher/core"
import { Data, Effect } from "effect"
import { readFile } from "node:fs/promises"
import { table, when } from "../../present/Table.js"
import { command, flag, type Command } from "../Command.js"
import { p } from "./shared.js"

/** The key file could not be read. */
export class KeyFileUnreadable extends Data.TaggedError("KeyFileUnreadable")<{ readonly file: string; readonly reason: string }> {
  override get message() {
    return `Cannot read the key file ${this.file}: ${this.reason}.`
  }
}

const readKeyFile = (file: string) =>
  Effect.tryPromise({
    // a public key is one short line: a file far longer is not one (and is not read whole)
    try: async () => (await readFile(file, "utf8")).slice(0, 20_000),
    catch: (error) => new KeyFileUnreadable({ file, reason: (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((error as Error).message ?? error) })
  })

const access = (key: Core.SshKey) => key.readonly ? "read-only" : "full"

/** SSH keys of admins, for `usher ssh-serve`. */
export const keyCommands: ReadonlyArray<Command> = [
  command({
    name: "keys add",
    usage: "USER KEYFILE [--readonly]",
    summary: [
      "Let whoever holds the private key of KEYFILE (a .pub file, or - for standard input) act as USER over usher ssh-serve",
      "      (needs users.update on USER). --readonly: the key opens the dashboard read-only and runs only reading commands."
    ].join("\n"),
    options: { readonly: { type: "boolean" } },
    positionals: { min: 2, max: 2 },
    readsStdin: (parsed) => parsed.positionals[1] === "-",
    run: (parsed) =>
      Effect.flatMap(
        p(parsed, 1) === "-" ? Effect.succeed(parsed.stdin ?? "") : readKeyFile(p(parsed, 1)),
        (text) => Core.addSshKey(p(parsed, 0), text, { readonly: flag(parsed, "readonly") })
      ),
    text: (key) => `Added ${key.type} key ${key.fingerprint}${key.comment === "" ? "" : ` (${key.comment})`} for ${key.user}${key.readonly ? ", read-only" : ""}.`
  }),
  command({
    name: "keys list",
    usage: "[USER]",
    summary: "The SSH keys of USER, or of every user you may read, with their fingerprints as ssh-keygen -lf prints them.",
    options: {},
    positionals: { min: 0, max: 1 },
    run: (parsed) => Core.listSshKeys(parsed.positionals[0]),
    text: (keys) =>
      keys.length === 0
        ? "No SSH keys; usher keys add USER KEYFILE adds one."
        : table(
          ["FINGERPRINT", "USER", "TYPE", "COMMENT", "ACCESS", "ADDED", "LAST USED"],
          keys.map((k) => [k.fingerprint, k.status === "active" ? k.user : `${k.user} (${k.status})`, k.type, k.comment, access(k), when(k.addedAt), when(k.lastUsedAt)])
        )
  }),
  command({
    name: "keys remove",
    usage: "FINGERPRINT",
    summary: "Remove an SSH key (needs users.update on its user); its open sessions end.",
    options: {},
    positionals: { min: 1, max: 1 },
    run: (parsed) => Core.removeSshKey(p(parsed, 0)),
    text: (key) => `Removed key ${key.fingerprint} of ${key.user}.`
  })
]
