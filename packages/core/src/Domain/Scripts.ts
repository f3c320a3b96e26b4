/**
 * Mixed-script detection in the manner of UTS #39 (§5.1, "single script"): a string is
 * single-script when the intersection of its characters' augmented Script_Extensions sets is not
 * empty. Common and Inherited characters (digits, '-', combining marks) fit any script. Pure.
 */

// Unicode's scripts by their long property-value names; a name the running engine does not know
// (a script newer than its Unicode version) is left out when the patterns are built.
const SCRIPT_NAMES = [
  "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah", "Batak",
  "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal", "Carian",
  "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Coptic", "Cuneiform", "Cypriot", "Cypro_Minoan",
  "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic",
  "Ethiopic", "Garay", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi",
  "Gurung_Khema", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic",
  "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi", "Kayah_Li",
  "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Kirat_Rai", "Lao", "Latin", "Lepcha", "Limbu",
  "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean",
  "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive",
  "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean", "Nag_Mundari",
  "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Ol_Onal",
  "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian", "Old_South_Arabian",
  "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa",
  "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham",
  "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese", "Sunuwar", "Syloti_Nagri", "Syriac",
  "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana",
  "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Todhri", "Toto", "Tulu_Tigalari", "Ugaritic", "Vai", "Vithkuqi", "Wancho",
  "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square"
] as const

const compile = (name: string): RegExp | undefined => {
  try {
    return new RegExp(`^\\p{Script_Extensions=${name}}$`, "u")
  } catch {
    return undefined
  }
}

const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = SCRIPT_NAMES.flatMap((name) => {
  const pattern = compile(name)
  return pattern === undefined ? [] : [[name, pattern] as const]
})

const ANY_SCRIPT = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u

// UTS #39 §5.1: Han, Hiragana and Katakana together write Japanese, Han and Hangul Korean, Han and
// Bopomofo Chinese, so a label mixing them is still one writing system
const AUGMENT: Readonly<Record<string, ReadonlyArray<string>>> = {
  Han: ["Han_with_Bopomofo", "Japanese", "Korean"],
  Hiragana: ["Japanese"],
  Katakana: ["Japanese"],
  Hangul: ["Korean"],
  Bopomofo: ["Han_with_Bopomofo"]
}

/** The augmented Script_Extensions of one character; `undefined` when it fits any script. */
export const scriptsOf = (char: string): ReadonlySet<string> | undefined => {
  if (/^[a-zA-Z]$/.test(char)) return new Set(["Latin"])
  if (char.length === 1 && char.charCodeAt(0) < 0x80) return undefined
  if (ANY_SCRIPT.test(char)) return undefined
  const out = new Set<string>()
  for (const [name, pattern] of SCRIPTS) {
    if (!pattern.test(char)) continue
    out.add(name)
    for (const extra of AUGMENT[name] ?? []) out.add(extra)
  }
  return out
}

/**
 * The scripts a text is written in, as UTS #39's resolved script set: `"any"` when every
 * character fits any script, an empty set when the text mixes scripts.
 */
export const resolvedScripts = (text: string): ReadonlySet<string> | "any" => {
  let resolved: ReadonlySet<string> | undefined
  for (const char of text) {
    const scripts = scriptsOf(char)
    if (scripts === undefined) continue
    const previous = resolved
    resolved = previous === undefined ? scripts : new Set([...previous].filter((s) => scripts.has(s)))
    if (resolved.size === 0) return resolved
  }
  return resolved ?? "any"
}

/** Whether a text mixes scripts (Latin with Cyrillic, say), as a homoglyph lookalike does. */
export const isMixedScript = (text: string): boolean => {
  const resolved = resolvedScripts(text)
  return resolved !== "any" && resolved.size === 0
}

/** The scripts of a text's letters by name, in order of first use (for messages). */
export const scriptNames = (text: string): ReadonlyArray<string> => {
  const names: Array<string> = []
  for (const char of text) {
    const first = scriptsOf(char)?.values().next().value
    if (first !== undefined && !names.includes(first)) names.push(first)
  }
  return names
}
