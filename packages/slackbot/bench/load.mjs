// The load generator of the benchmark, in its own thread so that sending requests does not
// compete with the bot for the bot's event loop (Slack's requests come from elsewhere too).
// For each round the main thread asks for, it sends `concurrency` signed slash commands at
// once to a loopback URL and reports how long each took to be acknowledged.
import { createHmac, randomUUID } from "node:crypto"
import { request } from "node:http"
import { parentPort, workerData } from "node:worker_threads"

const { url, secret, teamId, responseBase, concurrency, userId, text } = workerData
// `{n}` in the text becomes the request's number, so each request can name someone else
if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`not a loopback URL: ${url}`)

const send = (round, i) => {
  const id = `bench-${round}-${i}-${randomUUID().slice(0, 8)}`
  const body = new URLSearchParams({
    team_id: teamId, channel_id: "C0BENCH", user_id: userId, command: "/usher", text: text.replaceAll("{n}", String(round * concurrency + i)),
    response_url: `${responseBase}/respond/${id}`, trigger_id: id, api_app_id: "A0USHER1"
  }).toString()
  const timestamp = Math.floor(Date.now() / 1000)
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), "x-slack-request-timestamp": String(timestamp), "x-slack-signature": signature }
    }, (res) => {
      res.resume()
      res.on("end", () => res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`)))
    })
    req.on("error", reject)
    req.end(body)
  })
}

parentPort.on("message", async (message) => {
  if (message.stop) return process.exit(0)
  const samples = await Promise.all(Array.from({ length: concurrency }, (_, i) => send(message.round, i)))
  parentPort.postMessage({ samples })
})
