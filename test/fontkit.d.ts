declare module 'fontkit' {
  interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
    characterSet: number[];
  }
  export function openSync(path: string): Font & { fonts?: Font[] };
}
