// When a replica's /metrics is read next. A server that answers without the
// gauges its protocol knows (a 404: it has no such page; llama.cpp's 501
// without --metrics; a page with none of the known names) will answer the same
// until it is restarted with other flags or another build, so reading it every
// interval costs it a request each time for nothing; meanwhile its load is
// this gateway's in-flight count. After such an answer the next read waits 2
// intervals, then 4, 8 …, at most a minute apart (or one interval, when that is
// longer), so that a server that starts exporting them is still picked up
// within a minute. A replica that comes back (recovered from unhealthy, or
// readmitted after an ejection), the moment a restart shows, is read again at
// the next interval. A read that fails (a timeout, a refused connection, a 503) is no
// such answer: a busy server is the one whose load matters most, and it is
// read again at the next interval as before.

/** The longest wait between two reads of a server that exports no load. */
export const NO_LOAD_MAX_GAP_MS = 60_000;

export class LoadReads {
  /** Intervals still to let pass before the next read. */
  #skip = 0;
  /** Answers in a row without a load. */
  #withoutLoad = 0;

  /** Called once per interval: whether this one's read is due. */
  due(): boolean {
    if (this.#skip === 0) return true;
    this.#skip -= 1;
    return false;
  }

  /** The server answered, with its load or without one; `everyMs` is the reading interval. */
  answered(withLoad: boolean, everyMs: number): void {
    if (withLoad) {
      this.again();
      return;
    }
    this.#withoutLoad += 1;
    const most = Math.max(1, Math.floor(NO_LOAD_MAX_GAP_MS / everyMs));
    this.#skip = Math.min(2 ** Math.min(this.#withoutLoad, 30), most) - 1;
  }

  /** The server may have been restarted: read it at the next interval. */
  again(): void {
    this.#skip = 0;
    this.#withoutLoad = 0;
  }
}
