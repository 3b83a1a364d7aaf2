// The tiny model's vocabulary. A token's id is its index. The multi-byte entries make sure
// every stream carries UTF-8 that a byte-level chunker can split mid-character.

export const BOS_ID = 1;
export const EOS_ID = 2;
export const EOS_TEXT = '</s>';

export const VOCABULARY: readonly string[] = [
  '<unk>', '<s>', EOS_TEXT,
  ' the', ' a', ' of', ' and', ' to', ' in', ' is', ' that', ' it', ' for',
  ' model', ' token', ' stream', ' gateway', ' learning', ' deep', ' network', ' data',
  ' quick', ' brown', ' fox', ' jumps', ' over', ' lazy', ' dog', ' river', ' light',
  ' simple', ' graph', ' query', ' answer', ' server', ' signal', ' value', ' window',
  ',', '.', '!', '?', ' (', ')', ':', ';', ' -', '\n',
  ' café', ' naïve', ' über', ' façade', ' résumé', ' Ωmega', ' λ', ' π', ' ∑',
  ' 日本語', ' 中文', ' 한국어', ' Привет', ' مرحبا', ' 🙂', ' 🚀', ' 👩‍💻', ' ✓',
];

/** Tokens a generation may draw: everything after the special ones. */
export const FIRST_WORD_ID = 3;

export function tokenText(id: number): string {
  return VOCABULARY[id] ?? '<unk>';
}

const ID_BY_TEXT = new Map(
  VOCABULARY.map((text, id): [string, number] => [text, id]).filter(([, id]) => id >= FIRST_WORD_ID),
);

/** Prompt pieces outside the vocabulary get stable ids above it, like a real BPE's long tail. */
export function pieceId(piece: string, hash: (text: string) => number): number {
  return ID_BY_TEXT.get(piece) ?? VOCABULARY.length + (hash(piece) % 30_000);
}
