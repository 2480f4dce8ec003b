// Text the print cannot hold, refused before saving: the twin of app/design/scripts.py (the
// server refuses the same with a 422, and names any other letter a font lacks; the English
// messages are the server's: tests/integration/widget/test_widget_scripts.py). The layout
// places characters one by one, left to right, and Luneo's fonts are Latin, Greek and Cyrillic:
// right-to-left scripts would print reversed, joined scripts unjoined, and CJK or emoji as boxes.
const RTL = ["Hebrew", "Arabic", "Syriac", "Thaana", "Nko"];
const COMPLEX = ["Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar", "Khmer"];
const script = (names) => new RegExp("[" + names.map((n) => "\\p{Script=" + n + "}").join("") + "]", "u");
const CLASSES = [
  ["rtl", script(RTL), RTL],
  ["complex", script(COMPLEX), COMPLEX],
  ["cjk", /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303f]/u],
  ["emoji", /[\u{1F000}-\u{1FAFF}\u200d\ufe0f]/u],
];

// {key, name} for the first refused class the text holds (in the server's order), or null.
export function scriptProblem(text) {
  for (const [key, re, names] of CLASSES) {
    const m = re.exec(String(text || ""));
    if (!m) continue;
    const name = (names || []).find((n) => script([n]).test(m[0])) || "";
    return { key, name: name === "Nko" ? "N'Ko" : name };
  }
  return null;
}
