// One answer's stream. A resumable answer outlives its connection: when the
// socket is lost (closed, gone quiet, or the browser goes offline) the stream
// subscribes to `resumeChatStream` after the last event it handed on, with
// backoff, until the gateway answers. Whoever listens sees one stream, each
// event once. Stop is graphql-ws `complete` while a subscription is attached,
// `cancelGeneration` while none is (the gateway would run the generation on).

/** The close code the page gives a socket that stopped answering its pings. */
const SOCKET_WENT_QUIET = 4408;
/** graphql-ws's own code for a socket it gave up on. */
const SOCKET_TERMINATED = 4499;
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 4000;
/** How long a lost answer is tried for; the gateway itself keeps it STREAM_RESUME_MS (30 s by default). */
const RECONNECT_GIVE_UP_MS = 120_000;

const CANCEL = 'mutation PlaygroundCancel($generationId: ID!) { cancelGeneration(generationId: $generationId) }';

/**
 * Whether graphql-ws's `error` is the connection lost rather than the
 * operation refused. Its other 4xxx codes are refusals (4401: the key) that a
 * new socket would get again.
 */
function isConnectionLost(failure) {
  if (typeof failure?.code === 'number') return failure.code < 4000 || failure.code === SOCKET_WENT_QUIET || failure.code === SOCKET_TERMINATED;
  return typeof Event === 'function' && failure instanceof Event; // the socket's own error event
}

/** The gateway turned resume off (STREAM_RESUME_MS=0) and refused `resumable: true`. */
function refusesResumable(failure) {
  const extensions = Array.isArray(failure) ? failure[0]?.extensions : undefined;
  return extensions?.code === 'BAD_USER_INPUT' && /resumable$/.test(String(extensions.field ?? ''));
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops a generation no subscription is attached to. The page may be offline
 * as its user presses Stop: the request is tried again until it gets through
 * (or the gateway would have let the generation go anyway).
 */
async function cancelGeneration(post, generationId) {
  const until = performance.now() + RECONNECT_GIVE_UP_MS;
  for (let wait = RECONNECT_FIRST_MS; ; wait = Math.min(wait * 2, RECONNECT_MAX_MS)) {
    try {
      await post(CANCEL, { generationId });
      return;
    } catch (error) {
      // Only a request that did not get through is tried again (fetch's TypeError); an answer is final.
      if (!(error instanceof TypeError) || performance.now() > until) return;
    }
    await pause(wait);
  }
}

/**
 * An answer streaming over `connection` ({ client(), drop(), post(query, variables) }),
 * told to `sink` ({ event, errors, complete, failed, reconnecting, resumed, resumeOff }).
 */
class AnswerStream {
  #connection;
  #caps;
  #input;
  #sink;
  /** live: a subscription delivers; reconnecting: none runs, one is due; resuming: one is sent, nothing came yet; over. */
  #phase = 'live';
  /** The current subscription's number: whatever an older one still says is not heard. */
  #subscription = 0;
  #unsubscribe = () => {};
  #generationId;
  #lastIndex = 0;
  #retries = 0;
  #lostAt = 0;
  #timer = 0;
  #offline = () => this.#lost();
  #online = () => {
    if (this.#phase !== 'reconnecting') return;
    clearTimeout(this.#timer);
    this.#resume();
  };

  constructor(connection, caps, input, sink) {
    this.#connection = connection;
    this.#caps = caps;
    this.#input = input;
    this.#sink = sink;
  }

  start() {
    addEventListener('offline', this.#offline);
    addEventListener('online', this.#online);
    this.#begin();
  }

  /** The user's stop: the generation ends upstream, attached or not. */
  stop() {
    if (this.#phase === 'over') return;
    // A resume sent but not yet answered may not have reached the gateway: only the mutation is sure to.
    const detached = this.#phase !== 'live' ? this.#generationId : undefined;
    if (this.#phase !== 'reconnecting') this.#unsubscribe();
    this.#over();
    if (detached) void cancelGeneration(this.#connection.post, detached);
  }

  #begin() {
    const input = this.#caps.resume ? { ...this.#input, resumable: true } : this.#input;
    this.#subscribe(chatDocument(this.#caps), { input });
  }

  #subscribe(query, variables) {
    const number = ++this.#subscription;
    const heard = () => number === this.#subscription && this.#phase !== 'over';
    this.#unsubscribe = this.#connection.client().subscribe({ query, variables }, {
      next: (result) => heard() && this.#next(result),
      error: (failure) => heard() && this.#failed(failure),
      complete: () => {
        if (!heard()) return;
        this.#attached();
        this.#over();
        this.#sink.complete();
      },
    });
  }

  #next({ data, errors }) {
    const event = data?.chatStream ?? data?.resumeChatStream;
    // A refusal, or a failure after the stream started, arrives as a payload with errors, then `complete`.
    if (errors?.length && !event && this.#phase === 'resuming') return this.#abandon(errors);
    this.#attached();
    if (errors?.length && this.#resumeRefused(errors)) return;
    if (errors?.length) this.#sink.errors(errors);
    if (!event) return;
    if (event.generationId) this.#generationId = event.generationId;
    if (typeof event.index === 'number') {
      if (event.index <= this.#lastIndex) return; // already shown: the view must not see it twice
      this.#lastIndex = event.index;
    }
    this.#sink.event(event);
  }

  #failed(failure) {
    if (isConnectionLost(failure) && this.#generationId) return this.#lost();
    if (this.#phase === 'resuming') return this.#abandon(failure);
    if (this.#resumeRefused(failure)) return;
    this.#over();
    this.#sink.failed(failure);
  }

  /** The gateway has resume off: the answer is asked again, not resumable (its `complete` is not heard). */
  #resumeRefused(errors) {
    if (!this.#caps.resume || this.#generationId || !refusesResumable(errors)) return false;
    this.#caps = { ...this.#caps, resume: false };
    this.#sink.resumeOff();
    this.#begin();
    return true;
  }

  /**
   * The resume was refused (GENERATION_EXPIRED: the events missed are gone;
   * GENERATION_NOT_FOUND) or the connection never came back. The answer cannot
   * be shown whole, so whatever still runs of it is stopped.
   */
  #abandon(failure) {
    const generationId = this.#generationId;
    this.#over();
    void cancelGeneration(this.#connection.post, generationId);
    this.#sink.failed(failure);
  }

  /** The subscription delivers: a resume is back. */
  #attached() {
    if (this.#phase !== 'resuming') return;
    this.#phase = 'live';
    this.#sink.resumed();
  }

  #lost() {
    if (this.#phase === 'over' || this.#phase === 'reconnecting' || !this.#generationId) return;
    if (this.#phase === 'live') {
      this.#lostAt = performance.now();
      this.#retries = 0;
      this.#sink.reconnecting();
    }
    this.#phase = 'reconnecting';
    this.#subscription += 1;
    // Closing the socket, never `complete`: the gateway keeps the generation running for the resume.
    this.#connection.drop();
    if (performance.now() - this.#lostAt > RECONNECT_GIVE_UP_MS) {
      return this.#abandon(new Error(`the connection to the gateway did not come back within ${RECONNECT_GIVE_UP_MS / 1000} s; the answer was given up`));
    }
    const wait = this.#retries === 0 ? 0 : Math.min(RECONNECT_FIRST_MS * 2 ** (this.#retries - 1), RECONNECT_MAX_MS);
    this.#retries += 1;
    this.#timer = setTimeout(() => this.#resume(), wait * (0.75 + Math.random() / 2));
  }

  #resume() {
    this.#phase = 'resuming';
    this.#subscribe(resumeDocument(this.#caps), { generationId: this.#generationId, afterIndex: this.#lastIndex });
  }

  #over() {
    this.#phase = 'over';
    clearTimeout(this.#timer);
    removeEventListener('offline', this.#offline);
    removeEventListener('online', this.#online);
  }
}
