import { main } from "../main.js"

const started = await main({
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text)
})
if (started === 2) {
  process.exitCode = 2
} else {
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    process.stdout.write(`usher-slack: ${signal}, stopping\n`)
    started.stop().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`usher-slack: ${String(error)}\n`)
      process.exit(1)
    })
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}
