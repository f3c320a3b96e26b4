import { randomUUID } from "node:crypto"
import { once } from "node:events"
import type { AddressInfo } from "node:net"
import { WebSocketServer, type WebSocket } from "ws"
import type { FakeSlackApi } from "./FakeSlackApi.js"

/** What the app answered to one envelope (its `ack`). */
export interface EnvelopeAck {
  readonly envelope_id: string
  readonly payload?: unknown
}

/**
 * Slack's Socket Mode on loopback: `apps.connections.open` on the fake Web API hands out this
 * WebSocket server's URL; a connecting app gets `hello`, and `send` delivers an envelope
 * (slash command, interaction) and resolves with the app's acknowledgement.
 */
export class FakeSocketMode {
  private socket: WebSocket | undefined
  private readonly acks = new Map<string, (ack: EnvelopeAck) => void>()
  private readonly connectedWaiters: Array<() => void> = []
  /** the app tokens that opened connections */
  readonly appTokens: Array<string | null> = []

  private constructor(private readonly server: WebSocketServer, readonly url: string) {}

  /** Starts the WebSocket server on 127.0.0.1 and answers `apps.connections.open` of the fake API with it. */
  static async start(api: FakeSlackApi): Promise<FakeSocketMode> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
    await once(server, "listening")
    const fake = new FakeSocketMode(server, `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`)
    api.override("apps.connections.open", (_args, request) => {
      fake.appTokens.push(request.token)
      return { ok: true, url: fake.url }
    })
    server.on("connection", (socket) => {
      fake.socket = socket
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as EnvelopeAck
        fake.acks.get(message.envelope_id)?.(message)
        fake.acks.delete(message.envelope_id)
      })
      socket.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake" }, connection_info: { app_id: "A0USHER1" } }))
      for (const waiter of fake.connectedWaiters.splice(0)) waiter()
    })
    return fake
  }

  /** Resolves once an app is connected. */
  connected(): Promise<void> {
    return this.socket === undefined ? new Promise((resolve) => this.connectedWaiters.push(resolve)) : Promise.resolve()
  }

  /**
   * Delivers an envelope (`slash_commands` or `interactive`) and waits for the app's ack. A
   * redelivery is the same payload in a new envelope with `retryAttempt` ≥ 1 and its reason.
   */
  send(
    type: "slash_commands" | "interactive",
    payload: Record<string, unknown>,
    options: { readonly retryAttempt?: number; readonly retryReason?: string; readonly timeoutMs?: number } = {}
  ): Promise<EnvelopeAck> {
    const timeoutMs = options.timeoutMs ?? 10_000
    const socket = this.socket
    if (socket === undefined) return Promise.reject(new Error("no app is connected"))
    const envelope_id = randomUUID()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for envelope ${envelope_id}`)), timeoutMs)
      this.acks.set(envelope_id, (ack) => {
        clearTimeout(timer)
        resolve(ack)
      })
      socket.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: true, retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? "" }))
    })
  }

  /** Closes the server and any connection. */
  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
