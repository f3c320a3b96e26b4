import { benchResolver } from "./resolver.js"
const r = await benchResolver((l) => console.log(l))
console.log(r)
