// The esbuild plugin that changes how Ink assembles a frame, for usher's bundle (bin/usher.mjs).
// Kept apart so a test can build Ink's output.js with it and compare it with Ink's own path.

/**
 * Ink's Output.get() lays every write onto a grid of styled characters and turns each row back
 * into text, every frame, for every row: most of a frame's time, though a key press changes two
 * rows. This get() gives the same text per row without the grid where it can: a row written by
 * one write at column 0 is that write's text (Ink's own Text output, well-formed ANSI); any other
 * row goes through the grid, and its text is kept for the next frame under the writes that made
 * it (and the width). Frames with clipping take Ink's own path (getSlow).
 */
export const FAST_GET = `
    get() {
        if (this.operations.some((o) => o.type === 'clip')) return this.getSlow();
        const rows = [];
        for (let y = 0; y < this.height; y++) rows.push([]);
        for (const operation of this.operations) {
            if (operation.type !== 'write') continue;
            const { text, transformers, x, y } = operation;
            let offsetY = 0;
            for (let [index, line] of text.split('\\n').entries()) {
                const row = rows[y + offsetY];
                if (!row) continue;
                for (const transformer of transformers) line = transformer(line, index);
                row.push(x, line);
                offsetY++;
            }
        }
        if (rowTexts.size > 4000) rowTexts.clear();
        const lines = rows.map((writes) => {
            if (writes.length === 0) return '';
            if (writes.length === 2 && writes[0] === 0) return writes[1].trimEnd();
            // the text of a row depends on the screen's width too (blank cells, writes past the edge)
            const key = this.width + '\\u0000' + writes.join('\\u0000');
            let done = rowTexts.get(key);
            if (done === undefined) {
                const line = [];
                for (let x = 0; x < this.width; x++) line.push({ type: 'char', value: ' ', fullWidth: false, styles: [] });
                for (let i = 0; i < writes.length; i += 2) {
                    let offsetX = writes[i];
                    for (const character of this.caches.getStyledChars(writes[i + 1])) {
                        line[offsetX] = character;
                        const characterWidth = Math.max(1, this.caches.getStringWidth(character.value));
                        for (let index = 1; index < characterWidth; index++) line[offsetX + index] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
                        offsetX += characterWidth;
                    }
                }
                done = styledCharsToString(line.filter((item) => item !== undefined)).trimEnd();
                rowTexts.set(key, done);
            }
            return done;
        });
        return { output: lines.join('\\n'), height: rows.length };
    }`

/** The esbuild plugin that applies both changes to Ink's output.js; the build fails if Ink's code changed. */
export const inkOutputPlugin = {
  // Ink draws every frame through a fresh Output whose caches (each line's styled
  // characters, each text's width) start empty, so every unchanged line is parsed again on
  // every key press: half of a frame's time. One bounded cache for all frames keeps a
  // keystroke's frame within budget. The caches map text to pure results, so sharing is safe;
  // the build fails if Ink's code no longer has the expected shape.
  name: "ink-shared-output-caches",
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]output\.js$/ }, async (args) => {
      const { readFile } = await import("node:fs/promises")
      let source = await readFile(args.path, "utf8")
      const edits = [
        ["caches = new OutputCaches();", "caches = sharedCaches;"],
        ["export default class Output {", "const sharedCaches = new OutputCaches();\nconst rowTexts = new Map();\nexport default class Output {"],
        ["getStyledChars(line) {", "getStyledChars(line) {\n        if (this.styledChars.size > 5000) this.styledChars.clear();"],
        ["getStringWidth(text) {", "getStringWidth(text) {\n        if (this.widths.size > 20000) this.widths.clear();"],
        ["getWidestLine(text) {", "getWidestLine(text) {\n        if (this.blockWidths.size > 5000) this.blockWidths.clear();"],
        ["    get() {", `${FAST_GET}\n    getSlow() {`]
      ]
      for (const [from, to] of edits) {
        if (!source.includes(from)) return { errors: [{ text: `ink's output.js changed: "${from}" not found; review the shared-cache edit` }] }
        source = source.replace(from, to)
      }
      return { contents: source, loader: "js" }
    })
  }
}
