/**
 * Side-by-side timing: variants run interleaved, round after round, so that drift (CPU frequency,
 * GC, other load) hits them all alike; each gets the median of its rounds. Only ratios between
 * variants measured in the same run are meant to be compared.
 */

/** A named piece of work; one call is one sample. */
export interface Variant {
  name: string;
  run: () => unknown;
  /** Untimed setup before each sample (a fresh cache for a cold render, say). */
  prepare?: () => void;
}

/** Milliseconds per call of each variant, one sample per round, rounds in the same order for all. */
export function sample(variants: readonly Variant[], { rounds = 200, warmup = 20 } = {}): Map<string, number[]> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  let sink = 0;
  for (let round = 0; round < warmup + rounds; round++) {
    for (const variant of variants) {
      variant.prepare?.();
      const start = process.hrtime.bigint();
      const result = variant.run();
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      sink += typeof result === 'string' ? result.length : 1; // keep the result alive
      if (round >= warmup) samples.get(variant.name)?.push(elapsed);
    }
  }
  if (sink < 0) console.log(sink);
  return samples;
}

/** Median milliseconds per call of each variant, in input order. */
export function measure(variants: readonly Variant[], options: { rounds?: number; warmup?: number } = {}): Map<string, number> {
  return new Map([...sample(variants, options)].map(([name, times]) => [name, median(times)]));
}

/**
 * The median of the per-round ratios `a[i] / b[i]`: each round's pair ran back to back, so a
 * slow moment (GC, another process) affects both sides of a ratio rather than one side's median.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, i) => value / (b[i] as number)));
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Prints a Markdown table: one row per line, one column per heading. */
export function printTable(headings: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  console.log(`| ${headings.join(' | ')} |`);
  console.log(`|${headings.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log();
}
