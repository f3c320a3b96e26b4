#!/usr/bin/env node
// Starts the usher Slack bot from its TypeScript sources (a long-running process, so the few
// hundred milliseconds of loading through tsx at start do not matter).
import { register } from "tsx/esm/api"

register()
await import("../src/bin/usher-slack.ts")
