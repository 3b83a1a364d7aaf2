// What can be read off a document's text before graphql-js parses it. The
// parser recurses once per level of nesting, so a deep enough nest of
// brackets overflows the stack: it is refused first, by a linear scan.

/** How deeply brackets nest in the text, outside strings and comments; counting stops past `most`. */
export function nestingDepth(text: string, most: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b || c === 0x28) { // { [ (
      if (++depth > deepest && (deepest = depth) > most) return deepest;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) { // } ] )
      depth = Math.max(0, depth - 1);
    } else if (c === 0x23) { // # comment to the end of the line
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22) { // " string, or """ block string
      i = text.startsWith('"""', i) ? endOfBlockString(text, i + 3) : endOfString(text, i + 1);
    }
  }
  return deepest;
}

function endOfString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++; // \ escapes the next character
    else if (c === 0x22 || c === 0x0a) return i;
  }
  return text.length;
}

function endOfBlockString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text.charCodeAt(i) === 0x5c && text.startsWith('\\"""', i)) i += 3;
    else if (text.startsWith('"""', i)) return i + 2;
  }
  return text.length;
}
