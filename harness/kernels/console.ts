import { StringDecoder } from 'node:string_decoder';

/**
 * A guest's console as lines: chunks from the guest's output streams are split into lines (each
 * stream on its own, a line may arrive in pieces), carriage returns from the guest's tty dropped,
 * and the last lines kept for errors.
 */
export class ConsoleLines {
  readonly #onLine: (line: string) => void;
  readonly #tailSize: number;
  readonly #tail: string[] = [];
  readonly #partial = new Map<string, { decoder: StringDecoder; text: string }>();

  constructor(onLine: (line: string) => void, tailSize = 30) {
    this.#onLine = onLine;
    this.#tailSize = tailSize;
  }

  /** Feeds a chunk of output from `stream` (any name: stdout, stderr...). */
  push(stream: string, chunk: Buffer): void {
    let state = this.#partial.get(stream);
    if (state === undefined) {
      state = { decoder: new StringDecoder('utf8'), text: '' };
      this.#partial.set(stream, state);
    }
    const lines = (state.text + state.decoder.write(chunk)).split('\n');
    state.text = lines.pop() ?? '';
    for (const line of lines) this.#emit(line);
  }

  /** Emits what is left of unfinished lines (the stream ended). */
  end(stream: string): void {
    const state = this.#partial.get(stream);
    if (state === undefined) return;
    const rest = state.text + state.decoder.end();
    this.#partial.delete(stream);
    if (rest !== '') this.#emit(rest);
  }

  /** Adds a line to the tail without emitting it (markers, the host's own notes). */
  remember(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > this.#tailSize) this.#tail.shift();
  }

  /** The last lines, oldest first. */
  get tail(): string[] {
    return [...this.#tail];
  }

  #emit(raw: string): void {
    const line = raw.replaceAll('\r', '');
    this.remember(line);
    this.#onLine(line);
  }
}
