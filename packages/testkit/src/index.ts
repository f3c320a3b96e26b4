/** Shared test helpers: temp databases with migrations, fixtures. */
export * from "./TempDatabase.js"
export * from "./Fixtures.js"
export * from "./slack/FakeSlackApi.js"
export * from "./slack/SignedRequests.js"
export * from "./ink/Screen.js"
export * from "./slack/FakeSocketMode.js"
export * from "./ink/Tmux.js"
export * from "./oidc/provider.js"
