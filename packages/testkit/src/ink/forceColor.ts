// Ink's colour support is decided when chalk loads: force basic colours before it does, so
// frames carry their styles (inverse cursor, status colours) even though tests have no terminal.
process.env["FORCE_COLOR"] ??= "1"
