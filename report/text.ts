/**
 * How wide a label will be, estimated without a browser: the report is rendered in Node, so the
 * charts lay their labels out from a table of glyph advances instead of measuring them.
 */

// Advances of ASCII 32–126 in DejaVu Sans, in hundredths of an em (measured in Chromium). It is
// what Debian's Chromium picks for the stylesheet's system-ui stack and is wider than the fonts
// macOS and Windows pick (San Francisco, Segoe UI), so estimates err on the wide side there.
const ADVANCES = [
  32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34,
  34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56, 86, 75, 79, 60, 79, 69, 63, 61, 73,
  68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61, 63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63,
  63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84,
] as const;
// Anything else (…, accented letters, CJK) is taken as a full em: too wide rather than too narrow.
const OTHER = 100;
// Hinting and kerning differ between renderers; a little slack keeps neighbours apart.
const SLACK = 1.04;

/** Estimated width of `text` set at `fontPx`, in the same units as `fontPx`. */
export function textWidth(text: string, fontPx: number): number {
  let hundredths = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    hundredths += ADVANCES[code - 32] ?? OTHER;
  }
  return (hundredths / 100) * fontPx * SLACK;
}

/** A label broken into lines that fit a width; `cut` when text had to be dropped to fit. */
export interface WrappedText {
  readonly lines: readonly string[];
  readonly cut: boolean;
}

/**
 * Breaks `text` at spaces into at most `maxLines` lines no wider than `maxWidth`; what still does
 * not fit is cut and ends in an ellipsis (the caller shows the whole text in a `<title>`).
 */
export function wrapText(text: string, maxWidth: number, fontPx: number, maxLines: number): WrappedText {
  const fits = (line: string) => textWidth(line, fontPx) <= maxWidth;
  const lines: string[] = [];
  let rest = text.trim().split(/\s+/);
  while (rest.length > 0 && lines.length < maxLines) {
    let take = rest.length;
    while (take > 1 && !fits(rest.slice(0, take).join(' '))) take -= 1;
    lines.push(rest.slice(0, take).join(' '));
    rest = rest.slice(take);
  }
  const last = lines.length - 1;
  const tooWide = lines.some((line) => !fits(line));
  if (rest.length === 0 && !tooWide) return { lines, cut: false };
  return {
    lines: lines.map((line, i) => (i === last || !fits(line) ? ellipsize(line, maxWidth, fontPx) : line)),
    cut: true,
  };
}

function ellipsize(line: string, maxWidth: number, fontPx: number): string {
  let kept = [...line];
  while (kept.length > 0 && textWidth(`${kept.join('')}…`, fontPx) > maxWidth) kept = kept.slice(0, -1);
  return `${kept.join('').trimEnd()}…`;
}
