import { main } from "../cli/main.js"

// A reader that stops early (`usher users list | head`), or a terminal that hung up (SSH gone), is
// not an error: there is nobody left to tell.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "EIO") process.exit(process.exitCode ?? 0)
    throw error
  })
}

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdin: async () => {
    const chunks: Array<Buffer> = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString("utf8")
  },
  // the server's code (ssh2, and the dashboard's) loads only for ssh-serve
  sshServe: async (start) => {
    // Ink reads CI once, at import: the dashboards it draws on SSH channels are watched too
    delete process.env["CI"]
    delete process.env["CONTINUOUS_INTEGRATION"]
    // and its styles from whether the server's own output is a terminal, which a server's seldom
    // is: the sessions are terminals (xterm-256color or better; NO_COLOR from a client still drops colours)
    process.env["FORCE_COLOR"] = "2"
    const { runSshServe } = await import("../ssh/serve.js")
    return runSshServe({ ...start, env: process.env, stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) })
  },
  // the HTTP server's code loads only for serve
  serve: async (start) => {
    const { runServe } = await import("@usher/web")
    return runServe({ ...start, env: process.env, stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) })
  },
  // the dashboard's code loads only when it opens, so commands start as fast as before
  ...(process.stdin.isTTY && process.stdout.isTTY
    ? {
      dashboard: async (start) => {
        // Ink draws nothing but the last frame when CI is set (it reads the variable once, at
        // import). Both ends are a terminal here, so whoever runs this is watching it.
        delete process.env["CI"]
        delete process.env["CONTINUOUS_INTEGRATION"]
        const { runDashboard } = await import("../app/main.js")
        return runDashboard({ ...start, env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: (text) => process.stderr.write(text) })
      }
    }
    : {})
})
process.exitCode = code
