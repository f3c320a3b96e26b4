#!/usr/bin/env node
// Runs the TypeScript entry through tsx's loader, so the workspace needs no build step.
import { register } from "tsx/esm/api"

register()
await import("../src/bin/usher.ts")
