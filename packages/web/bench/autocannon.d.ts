/** The part of autocannon's API the benchmark uses (the package ships no types). */
declare module "autocannon" {
  interface Options {
    readonly url: string
    readonly connections?: number
    readonly duration?: number
    readonly amount?: number
    readonly headers?: Record<string, string>
  }
  interface Result {
    readonly latency: { readonly p50: number; readonly p99: number; readonly average: number }
    readonly requests: { readonly average: number; readonly total: number }
    readonly errors: number
    readonly non2xx: number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
