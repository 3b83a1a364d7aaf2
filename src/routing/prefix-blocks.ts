// A prompt as the prefix cache of a model server sees it: fixed-size blocks,
// each named by a hash of itself and of every block before it, so that equal
// names mean equal prefixes. Servers cache whole blocks only (vLLM's 16-token
// pages, SGLang's radix nodes), so the last, partial block is left out.
// The text is read once, in one pass: linear in the prompt, once per request.
import { hash } from 'node:crypto';

/** Characters per block: about 32 tokens of English, a few of a server's pages. */
export const BLOCK_CHARS = 128;

/** The chained block hashes of `text`, first block first. */
export function prefixBlocks(text: string, blockChars: number = BLOCK_CHARS): string[] {
  const blocks: string[] = [];
  let previous = '';
  for (let end = blockChars; end <= text.length; end += blockChars) {
    previous = hash('sha1', previous + text.slice(end - blockChars, end), 'base64');
    blocks.push(previous);
  }
  return blocks;
}

/**
 * The messages of a chat in order, as one text: the server renders them with
 * its chat template, which keeps their order, so a conversation that grows by
 * a turn keeps every block of its earlier turns.
 */
export function conversationText(messages: readonly { readonly role: string; readonly content: string }[]): string {
  let text = '';
  for (const message of messages) text += `${message.role}\u0000${message.content}\u0001`;
  return text;
}
