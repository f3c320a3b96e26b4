import { describe, expectTypeOf, it } from "@effect/vitest"
import type { Context, Effect, Either, Option } from "effect"
import * as Core from "../src/index.js"

/** A value that is an Effect only by its type: a pure result (Either, Option) or a service's tag. */
type NotRun = Either.Either<any, any> | Option.Option<any> | Context.Tag<any, any>

/** Whether an export is an Effect, or a function that makes one (pure results and tags aside). */
type MakesEffect<T> = T extends NotRun ? false
  : T extends Effect.Effect<infer _A, infer _E, infer _R> ? true
  : T extends (...args: ReadonlyArray<any>) => infer Out ? (Out extends NotRun ? false : Out extends Effect.Effect<infer _A, infer _E, infer _R> ? true : false)
  : false

/** What such an export needs from its context. */
type Needs<T> = T extends Effect.Effect<infer _A, infer _E, infer R> ? R
  : T extends (...args: ReadonlyArray<any>) => Effect.Effect<infer _A, infer _E, infer R> ? R
  : never

/** An export that is an Effect (or makes one) and needs neither the acting user nor the system. */
type Unchecked<M> = {
  [K in keyof M]: MakesEffect<M[K]> extends false ? never
    : [Needs<M[K]>] extends [never] ? K
    : [Core.Actor] extends [Needs<M[K]>] ? never
    : [Core.SystemActor] extends [Needs<M[K]>] ? never
    : K
}[keyof M]

/** Exports that make Effects without being use cases: running, layering, configuring and acting-as helpers, the password hash, the page addresses. */
type NotUseCases = "as" | "asUser" | "CoreLive" | "makeCoreRuntime" | "layerSqlite" | "resolveLocation" | "locationFromEnv" | "parseUrl" | "configFromEnv"
  | "hashPassword" | "verifyPassword" | "pageUrls"

describe("checks the types can see (issue part K)", () => {
  it("every exported use case needs the acting user (Actor) or, for the jobs, the system (SystemActor)", () => {
    expectTypeOf<Exclude<Unchecked<typeof Core>, NotUseCases>>().toEqualTypeOf<never>()
    expectTypeOf<Unchecked<typeof Core.Jobs>>().toEqualTypeOf<never>()
  })

  it("the test itself catches an export that needs neither", () => {
    const unchecked = {
      fine: null as unknown as Effect.Effect<number, never, Core.Actor>,
      job: null as unknown as Effect.Effect<number, never, Core.SystemActor>,
      leaky: null as unknown as Effect.Effect<number, never, never>,
      leakyFunction: null as unknown as (id: string) => Effect.Effect<number, never, { readonly db: true }>
    }
    expectTypeOf<Unchecked<typeof unchecked>>().toEqualTypeOf<"leaky" | "leakyFunction">()
  })
})

/** What such an export fails with. */
type Fails<T> = T extends Effect.Effect<infer _A, infer E, infer _R> ? E
  : T extends (...args: ReadonlyArray<any>) => Effect.Effect<infer _A, infer E, infer _R> ? E
  : never

/** The exports that make an Effect failing with anything that is not one of core's typed errors. */
type Uncatalogued<M> = {
  [K in keyof M]: MakesEffect<M[K]> extends false ? never : [Exclude<Fails<M[K]>, Core.CoreError>] extends [never] ? never : K
}[keyof M]

/** Reading the process's configuration at startup fails with Effect's ConfigError, before any use case runs. */
type StartupConfig = "configFromEnv" | "locationFromEnv" | "resolveLocation"

describe("the error catalogue (issue 11)", () => {
  it("every exported Effect fails only with errors of CoreError, each of which has an HTTP status", () => {
    expectTypeOf<Exclude<Uncatalogued<typeof Core>, StartupConfig>>().toEqualTypeOf<never>()
    // the combinators pass on whatever the effect they are given fails with
    expectTypeOf<Exclude<Uncatalogued<typeof Core.Jobs>, "asSystem" | "claimSlackDelivery">>().toEqualTypeOf<never>()
    expectTypeOf<(typeof Core.coreErrors)[number]["httpStatus"]>().toExtend<Core.HttpStatus>()
    expectTypeOf(Core.httpStatusOf).parameter(0).toEqualTypeOf<Core.CoreError>()
  })

  it("the test itself catches an export failing with an error outside the catalogue", () => {
    class Stray extends Error { readonly _tag = "Stray" }
    const exports = {
      fine: null as unknown as Effect.Effect<number, Core.UserNotFound | Core.PermissionDenied, Core.Actor>,
      stray: null as unknown as (id: string) => Effect.Effect<number, Core.UserNotFound | Stray, Core.Actor>,
      opaque: null as unknown as Effect.Effect<number, unknown, Core.Actor>
    }
    expectTypeOf<Uncatalogued<typeof exports>>().toEqualTypeOf<"stray" | "opaque">()
  })
})
