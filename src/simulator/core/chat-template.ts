// The simulated chat template. A real server renders messages with the model's Jinja
// template; the tiny model's is fixed and simple, so the prompt (and thus the tokens drawn
// and usage.prompt_tokens) is a pure function of the messages: `<|role|>\ncontent\n` per
// message, then the generation prompt `<|assistant|>\n`. A test can send that rendered text
// to /generate or /v1/completions and get the same tokens.

export interface ChatMessage {
  role: string;
  content: string;
}

/**
 * `answer` ends with the generation prompt; `continue` leaves the final
 * message open (vLLM's continue_final_message), so the model goes on with its
 * text; `none` is the messages alone.
 */
export function renderChat(messages: readonly ChatMessage[], end: 'answer' | 'continue' | 'none' = 'answer'): string {
  const turn = (message: ChatMessage) => `<|${message.role}|>\n${message.content}\n`;
  if (end === 'continue' && messages.length > 0) {
    const last = messages.at(-1)!;
    return `${messages.slice(0, -1).map(turn).join('')}<|${last.role}|>\n${last.content}`;
  }
  return `${messages.map(turn).join('')}${end === 'answer' ? '<|assistant|>\n' : ''}`;
}
