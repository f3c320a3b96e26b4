/** usher's one style sheet, served from `/assets/usher.css` (no CDN, no script). */
export const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --accent: #0b57d0; --bad: #b3261e; --good: #146c2e; --panel: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --line: #30363d; --accent: #7cacf8; --bad: #f2b8b5; --good: #7ee2a8; --panel: #161b22; } }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.5; color: var(--fg); background: var(--bg); }
body { margin: 0; }
header.site { border-bottom: 1px solid var(--line); padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; justify-content: space-between; }
header.site .org { font-weight: 700; font-size: 1.1rem; }
header.site nav { display: flex; gap: 1rem; flex-wrap: wrap; }
main { max-width: 44rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
p, ul, dl { margin: 0 0 1rem; }
a { color: var(--accent); }
form { margin: 0 0 1rem; }
.field { margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { display: block; color: var(--muted); font-size: .9rem; margin-top: .25rem; }
input[type=text], input[type=email], input[type=password], input[type=tel] { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid var(--muted); border-radius: .35rem; background: var(--bg); color: var(--fg); }
button { font: inherit; font-weight: 600; padding: .6rem 1.1rem; border-radius: .35rem; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; min-height: 2.75rem; }
button.secondary { background: transparent; color: var(--accent); }
button.link { border: 0; background: none; color: var(--accent); padding: 0; min-height: 0; text-decoration: underline; font-weight: 400; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
input:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
.notice { border: 1px solid var(--line); border-left: 4px solid var(--accent); background: var(--panel); padding: .75rem 1rem; border-radius: .35rem; margin: 0 0 1rem; }
.notice.error { border-left-color: var(--bad); }
.notice.ok { border-left-color: var(--good); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
ul.items { list-style: none; padding: 0; }
ul.items li { border-bottom: 1px solid var(--line); padding: .6rem 0; }
ul.sessions li { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; }
ul.sessions li form { margin: 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .95em; }
header.site nav form { margin: 0; display: inline; }
a.button { display: inline-block; font-weight: 600; padding: .6rem 1.1rem; border-radius: .35rem; border: 1px solid var(--accent); text-decoration: none; }
.row { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 30rem) { dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .5rem; } }
`
