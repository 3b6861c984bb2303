/**
 * The HTTP client of the http and S3 drivers: `node:http`/`node:https` with a keep-alive agent.
 *
 * Why not `fetch`: Node's `fetch` (undici) closes the connection after every `HEAD` response, so
 * each check paid a TCP (and TLS) handshake — measured on 127.0.0.1, 50 sequential HEADs opened 50
 * connections, and 50 at once opened 48. A `GET` with `Range: bytes=0-0` through `fetch` reuses
 * connections one after the other, but still opens one per request in flight (undici sets no limit
 * per origin) and moves a byte per check. A keep-alive agent keeps `HEAD` (no body at all), reuses
 * 1 connection for 50 sequential checks and at most `maxSockets` for any number at once, and was the
 * fastest of the three (bench/requests.ts prints checks per connection).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isUnheld } from './guards.js';

/** What a request gives back: the status, the headers, and the body when it was asked for. */
export interface ClientResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The body, for requests made with `body: 'read'`; `undefined` otherwise. */
  readonly body: Buffer | undefined;
}

/** One request. */
export interface ClientRequest {
  readonly method: 'HEAD' | 'GET';
  readonly headers: Headers;
  readonly signal: AbortSignal;
  /** `'read'` collects the body (up to {@link MAX_BODY_BYTES}); `'discard'` drops it. */
  readonly body: 'read' | 'discard';
}

/** The longest body read (an S3 listing page of 1,000 keys is ~0.3–1.5 MB). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** A discarded body this short is drained so that its connection is reused; a longer one closes it. */
const DRAIN_BYTES = 64 * 1024;

/** A keep-alive HTTP(S) client bounded to `maxSockets` connections per origin. */
export interface KeepAliveClient {
  request(url: string, init: ClientRequest): Promise<ClientResponse>;
}

function toHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      try {
        headers.append(name, item);
      } catch {
        // A header value `Headers` refuses (a stray control character) is one we never read.
      }
    }
  }
  return headers;
}

/** Creates a client with one keep-alive agent per protocol. */
export function keepAliveClient(maxSockets: number): KeepAliveClient {
  // Idle sockets are unref'd by Node's agent: they never keep a process alive.
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };

  function once(url: URL, init: ClientRequest): Promise<ClientResponse> {
    return new Promise((resolve, reject) => {
      const module = url.protocol === 'https:' ? https : http;
      const request = module.request(url, {
        method: init.method,
        headers: Object.fromEntries(init.headers),
        agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
        signal: init.signal,
      });
      // A background check's socket must not keep the process alive: the caller who waits holds
      // it with a timer of its own (see unheldSignal). A reused socket is ref'd again by the agent
      // before 'socket' fires; a freed one is unref'd by it.
      if (isUnheld(init.signal)) request.once('socket', (socket) => socket.unref());
      // An aborted request (the deadline, hardTimeout) destroys its socket: a hung connection is
      // closed, never returned to the pool.
      request.on('error', (error) => reject(Object.assign(error, { reusedSocket: request.reusedSocket })));
      request.on('response', (response) => {
        const answer = { status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: toHeaders(response) };
        if (init.body === 'discard') {
          const declared = Number(response.headers['content-length'] ?? Number.NaN);
          if (init.method === 'HEAD' || (Number.isFinite(declared) && declared <= DRAIN_BYTES)) response.resume();
          else response.destroy();
          resolve({ ...answer, body: undefined });
          return;
        }
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > MAX_BODY_BYTES) {
            response.destroy(new Error(`the answer is longer than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => resolve({ ...answer, body: Buffer.concat(chunks) }));
      });
      request.end();
    });
  }

  return {
    async request(url, init) {
      const target = new URL(url);
      try {
        return await once(target, init);
      } catch (error) {
        // A server may close an idle keep-alive connection just as it is reused: the request never
        // reached it, and both methods are idempotent, so it is sent once more on a new connection
        // (as Node's documentation advises for `reusedSocket`).
        const { reusedSocket, code } = error as { reusedSocket?: boolean; code?: string };
        if (reusedSocket === true && code === 'ECONNRESET' && !init.signal.aborted) return once(target, init);
        throw error;
      }
    },
  };
}
