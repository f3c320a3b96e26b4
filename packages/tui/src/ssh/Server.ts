import * as Core from "@usher/core"
import { Cause, type Effect, Exit, type ManagedRuntime } from "effect"
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { dirname } from "node:path"
import { PassThrough, Writable } from "node:stream"
import ssh2 from "ssh2"
import { mountDashboard, type MountedDashboard } from "../app/main.js"
import { main } from "../cli/main.js"

const { Server, utils } = ssh2

/** What `startSshServer` needs: the process's one runtime, and where to listen. */
export interface SshServerOptions {
  readonly runtime: ManagedRuntime.ManagedRuntime<Core.CoreServices, unknown>
  readonly location: Core.DatabaseLocation
  readonly host: string
  readonly port: number
  /** the host key's file: made (ed25519, 0600) when missing, reused after */
  readonly hostKeyFile: string
  /** one line about a connection (who signed in, a refused key); never a key or a secret */
  readonly log: (line: string) => void
  /** how often open sessions are checked against their key (a suspended user's end) */
  readonly checkEveryMs?: number
  /** at most this many connections at once (default 64); more are refused before they sign in */
  readonly maxConnections?: number
  /** a dashboard with no key pressed for this long ends (default 30 minutes; 0: never) */
  readonly idleMs?: number
}

/** A running server. */
export interface SshServer {
  readonly host: string
  readonly port: number
  /** the host key's fingerprint (`SHA256:…`), to compare with what ssh shows at first connection */
  readonly hostKeyFingerprint: string
  /** how many sessions are open */
  readonly sessions: () => number
  /** stops listening and ends every session */
  readonly close: () => Promise<void>
}

/** A connection that has not signed in by then is dropped. */
const SIGN_IN_MS = 30_000
/** A connection that offered this many keys that do not sign in is dropped. */
const MAX_REFUSED_KEYS = 10

/** Reads the host key, or makes it on first start (the owner's alone, as sshd wants its keys). */
export const hostKey = (file: string): string => {
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) throw new Error(`the host key ${file} may be read by others; make it the owner's alone (chmod 600 ${file})`)
    return readFileSync(file, "utf8")
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const pair = utils.generateKeyPairSync("ed25519", { comment: "usher ssh-serve" })
  writeFileSync(file, pair.private, { mode: 0o600, flag: "wx" })
  writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 })
  chmodSync(file, 0o600)
  return pair.private
}

/** Splits an exec request's command line into words, as a shell would for plain words and quotes. */
export const splitCommand = (line: string): ReadonlyArray<string> => {
  const words: Array<string> = []
  let word: string | undefined
  let quote: "'" | "\"" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === "\\" && quote === "\"" && i + 1 < line.length) word = (word ?? "") + line[++i]
      else word = (word ?? "") + c
    } else if (c === "'" || c === "\"") {
      quote = c
      word ??= ""
    } else if (c === "\\" && i + 1 < line.length) word = (word ?? "") + line[++i]
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else word = (word ?? "") + c
  }
  if (word !== undefined) words.push(word)
  // `ssh host usher users list` reads as `ssh host users list`
  return words[0] === "usher" ? words.slice(1) : words
}

/** The terminal an SSH channel is, for Ink: frames with LF → CRLF (the channel has no terminal driver), and its size. */
const channelTerminal = (channel: ssh2.ServerChannel, size: { columns: number; rows: number }) => {
  let open = true
  const stdout = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      if (open) channel.write(String(chunk).replace(/\r?\n/g, "\r\n"))
      callback()
    }
  }) as Writable & { isTTY: boolean; columns: number; rows: number }
  stdout.isTTY = true
  stdout.columns = size.columns
  stdout.rows = size.rows
  const stdin = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: () => unknown; ref: () => unknown; unref: () => unknown }
  stdin.isTTY = true
  stdin.setRawMode = () => stdin
  stdin.ref = () => stdin
  stdin.unref = () => stdin
  channel.on("data", (data: Buffer) => {
    if (open) stdin.write(data)
  })
  return {
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    resize: (columns: number, rows: number) => {
      if (columns <= 0 || rows <= 0 || (columns === stdout.columns && rows === stdout.rows)) return
      stdout.columns = columns
      stdout.rows = rows
      stdout.emit("resize")
    },
    stop: () => {
      open = false
      stdin.end()
    }
  }
}

/** An open session: the key it acts by, how to end it, and its connection. */
interface Live {
  readonly signed: Signed
  readonly end: (why: string) => void
  readonly client: ssh2.Connection
}

/** A signed-in connection's user, by the key it showed. */
interface Signed {
  readonly key: Core.SshKey
  readonly blob: Buffer
}

/**
 * Serves the dashboard over SSH on one runtime: public-key sign-in against the registered keys
 * (each acts as its user while that user is active), a dashboard per shell, one CLI command per
 * exec request. A session ends when its key stops acting (removed, user suspended or deleted).
 * Touches nothing of the process: the caller owns signals and exit.
 */
export const startSshServer = async (options: SshServerOptions): Promise<SshServer> => {
  const { runtime } = options
  const privateKey = hostKey(options.hostKeyFile)
  const parsedHostKey = utils.parseKey(privateKey)
  if (parsedHostKey instanceof Error) throw parsedHostKey
  const hostKeyFingerprint = Core.fingerprintOf(parsedHostKey.getPublicSSH())
  const job = <A, E>(effect: Effect.Effect<A, E, Core.CoreServices | Core.SystemActor>) => runtime.runPromiseExit(Core.Jobs.asSystem("ssh")(effect))

  /** Open sessions: how to end each, and the key it acts by. */
  const live = new Map<symbol, Live>()
  const clients = new Set<ssh2.Connection>()
  const maxConnections = options.maxConnections ?? 64
  const idleMs = options.idleMs ?? 30 * 60_000
  const idleFor = idleMs >= 120_000 ? `${Math.round(idleMs / 60_000)} minutes` : `${Math.round(idleMs / 1000)} seconds`

  const server = new Server({ hostKeys: [privateKey] }, (client, info) => {
    if (clients.size >= maxConnections) {
      options.log(`refused a connection from ${info.ip}: ${maxConnections} connections are open`)
      client.end()
      return
    }
    clients.add(client)
    // a dashboard answers each key with one frame: sent at once, not held back for more
    // (ssh2 has it on the server's connections too; its types declare it on the client's only)
    ;(client as unknown as { setNoDelay: (noDelay: boolean) => void }).setNoDelay(true)
    let signed: Signed | undefined
    const signInTimer = setTimeout(() => {
      if (signed === undefined) client.end()
    }, SIGN_IN_MS)
    // the sessions of this connection, ended with it (a dropped connection may close no channel)
    const own = new Set<() => void>()
    client.on("close", () => {
      clearTimeout(signInTimer)
      clients.delete(client)
      for (const end of [...own]) end()
    })
    client.on("error", () => undefined)

    let refusedKeys = 0
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey") return ctx.reject(["publickey"])
      const blob = ctx.key.data
      void job(Core.Jobs.sshKeyUser(blob)).then((found) => {
        if (Exit.isFailure(found)) {
          options.log(`refused key ${Core.fingerprintOf(blob)} from ${info.ip}`)
          if (++refusedKeys >= MAX_REFUSED_KEYS) return client.end()
          return ctx.reject(["publickey"])
        }
        // without a signature the client only asks whether the key would do
        if (ctx.signature === undefined || ctx.blob === undefined) return ctx.accept()
        const presented = utils.parseKey(`${found.value.type} ${blob.toString("base64")}`)
        if (presented instanceof Error || presented.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"])
        signed = { key: found.value, blob }
        ctx.accept()
      }, () => ctx.reject(["publickey"]))
    })

    client.on("ready", () => {
      clearTimeout(signInTimer)
      const who = signed!
      options.log(`${who.key.user} signed in from ${info.ip} with key ${who.key.fingerprint}`)
      client.on("session", (acceptSession) => {
        const session = acceptSession()
        const size = { columns: 80, rows: 24 }
        let resize: ((columns: number, rows: number) => void) | undefined
        let pty = false
        session.on("pty", (accept, _reject, info) => {
          pty = true
          size.columns = info.cols || 80
          size.rows = info.rows || 24
          accept?.()
        })
        session.on("x11", (_accept, reject) => reject?.())
        session.on("window-change", (accept, _reject, change) => {
          resize?.(change.cols, change.rows)
          accept?.()
        })
        // NO_COLOR from the client (SendEnv NO_COLOR): a dashboard without colours, as locally
        let colors = true
        session.on("env", (accept, _reject, variable) => {
          if (variable.key === "NO_COLOR" && variable.val !== "") colors = false
          accept?.()
        })
        session.on("shell", (accept) => {
          const channel = accept()
          const id = Symbol("dashboard")
          const terminal = channelTerminal(channel, size)
          resize = terminal.resize
          let mounted: MountedDashboard | undefined
          let ended = false
          const end = (why?: string) => {
            if (ended) return
            ended = true
            live.delete(id)
            mounted?.close()
            terminal.stop()
            if (why !== undefined) channel.write(`\r\nusher: ${why}\r\n`)
            channel.exit(why === undefined ? 0 : 1)
            channel.end()
          }
          channel.on("close", () => end())
          own.add(() => end())
          // no key for idleMs: the session ends (each key starts the wait again)
          if (idleMs > 0) {
            let idle = setTimeout(() => end(`no key pressed for ${idleFor}; the session ended.`), idleMs)
            channel.on("data", () => {
              clearTimeout(idle)
              if (!ended) idle = setTimeout(() => end(`no key pressed for ${idleFor}; the session ended.`), idleMs)
            })
            channel.on("close", () => clearTimeout(idle))
          }
          live.set(id, { signed: who, end, client })
          void (async () => {
            const opened = await job(Core.Jobs.openSshSession(who.key.fingerprint, "dashboard"))
            if (Exit.isFailure(opened)) return end("this key may not sign in any more.")
            if (ended) return
            const started = await mountDashboard({
              runtime,
              location: options.location,
              stdin: terminal.stdin,
              stdout: terminal.stdout,
              size,
              actor: { id: who.key.userId, email: who.key.user },
              readonly: who.key.readonly,
              via: "ssh",
              logDefect: (cause) => options.log(`a dashboard of ${who.key.user} hit a defect: ${Cause.pretty(cause)}`),
              colors,
              onClose: () => end()
            })
            if (!started.ok) return end(started.message)
            mounted = started.mounted
            if (ended) mounted.close()
          })().catch(() => end("something went wrong inside usher; the session ended."))
        })
        session.on("exec", (accept, _reject, request) => {
          const channel = accept()
          const id = Symbol("exec")
          let ended = false
          const end = (code: number, why?: string) => {
            if (ended) return
            ended = true
            live.delete(id)
            if (why !== undefined) channel.stderr.write(`usher: ${why}\n`)
            channel.exit(code)
            channel.end()
          }
          channel.on("close", () => end(1))
          own.add(() => end(1))
          live.set(id, { signed: who, end: (why) => end(1, why), client })
          const input: Array<Buffer> = []
          const inputEnded = new Promise<void>((resolve) => {
            channel.on("data", (data: Buffer) => {
              if (input.reduce((n, b) => n + b.length, 0) < 1_000_000) input.push(data)
            })
            channel.on("end", () => resolve())
          })
          void (async () => {
            const opened = await job(Core.Jobs.openSshSession(who.key.fingerprint, "exec", request.command))
            if (Exit.isFailure(opened)) return end(1, "this key may not sign in any more.")
            // `ssh -t host -- COMMAND`: the client's terminal is raw, so lines end in CRLF as on the dashboard
            const lines = (text: string) => pty ? text.replace(/\r?\n/g, "\r\n") : text
            const code = await main(splitCommand(request.command), {
              stdout: (text) => {
                if (!ended) channel.write(lines(text))
              },
              stderr: (text) => {
                if (!ended) channel.stderr.write(lines(text))
              },
              env: {},
              stdin: async () => {
                await inputEnded
                return Buffer.concat(input).toString("utf8")
              },
              remote: { runtime, userId: who.key.userId, via: "ssh", readonly: who.key.readonly }
            })
            end(code)
          })().catch(() => end(1, "something went wrong inside usher."))
        })
      })
    })
  })

  // a session whose key no longer acts (removed, its user suspended or deleted) ends at the next check
  const checking = setInterval(() => {
    const byKey = new Map<string, Array<Live>>()
    for (const entry of live.values()) byKey.set(entry.signed.key.fingerprint, [...(byKey.get(entry.signed.key.fingerprint) ?? []), entry])
    for (const [fingerprint, entries] of byKey) {
      void job(Core.Jobs.sshKeyUser(entries[0]!.signed.blob)).then((found) => {
        if (Exit.isSuccess(found)) return
        if (Exit.isFailure(found) && found.cause._tag === "Fail") {
          options.log(`ended ${entries.length} session(s) of key ${fingerprint}: it no longer acts (key removed, or its user is not active)`)
          for (const entry of entries) {
            entry.end("your account or key is no longer active; the session ended.")
            // and the connection: it may not open another session
            setTimeout(() => entry.client.end(), 100).unref()
          }
        }
      })
    }
  }, options.checkEveryMs ?? 1_000)
  checking.unref()

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  return {
    host: options.host,
    port: address.port,
    hostKeyFingerprint,
    sessions: () => live.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(checking)
        for (const entry of [...live.values()]) entry.end("the server is stopping.")
        for (const client of clients) client.end()
        server.close(() => resolve())
      })
  }
}
