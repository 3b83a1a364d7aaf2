// The few gauges the gateway reads from a model server's `/metrics`: the
// samples of the Prometheus text format (version 0.0.4, which OpenMetrics
// servers also answer with), by metric name. Comments, histograms and labels
// are skipped over; a name with several series (one per engine, per model)
// keeps every value. Not a general parser: only names asked for are kept.
//
// parse-prometheus-text-format was weighed and left: unmaintained since 2019,
// untyped, and it builds every series of a server's page (vLLM's histograms
// run to hundreds of lines) where a handful of gauges are wanted.

/** Each wanted name's sample values, in page order; names absent from the page are absent. */
export function readGauges(text: string, wanted: ReadonlySet<string>): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = endOfName(line);
    const name = line.slice(0, nameEnd);
    if (!wanted.has(name)) continue;
    let rest = line.slice(nameEnd);
    if (rest.startsWith('{')) {
      const close = closingBrace(rest);
      if (close === -1) continue;
      rest = rest.slice(close + 1);
    }
    // The value, then an optional timestamp.
    const value = Number(rest.trim().split(/\s+/)[0]);
    if (!Number.isFinite(value)) continue;
    const values = found.get(name);
    if (values) values.push(value);
    else found.set(name, [value]);
  }
  return found;
}

function endOfName(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '{' || c === ' ' || c === '\t') return i;
  }
  return line.length;
}

/** The `}` that ends the label set, skipping any inside quoted (escaped) label values. */
function closingBrace(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '}') return i;
  }
  return -1;
}

/** The sum of a gauge's series, undefined when the page has none. */
export function sumOf(gauges: Map<string, number[]>, name: string): number | undefined {
  const values = gauges.get(name);
  return values === undefined ? undefined : values.reduce((a, b) => a + b, 0);
}

/** The highest of a gauge's series (a cache share: the fullest engine), undefined when the page has none. */
export function maxOf(gauges: Map<string, number[]>, name: string): number | undefined {
  const values = gauges.get(name);
  return values === undefined ? undefined : Math.max(...values);
}
