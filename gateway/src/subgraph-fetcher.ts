import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What @apollo/gateway's RemoteGraphQLDataSource sends with and reads. */
type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/** Why a subgraph fetch got no answer: the socket's error, or the deadline. */
export class SubgraphFetchError extends Error {
  constructor(
    message: string,
    /** `ETIMEDOUT` for the deadline, else the socket's code (`ECONNREFUSED`, `ECONNRESET`...). */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SubgraphFetchError';
  }
}

export interface SubgraphFetcher extends Fetcher {
  /** Closes the pooled connections. */
  close(): void;
}

/**
 * How the gateway reaches subgraphs in other processes: Node's http client over pooled keep-alive connections,
 * answering with just what @apollo/gateway reads of a response (decision 038). Node's fetch wraps every answer in
 * web streams (the request body teed, a byte stream per response, a promise per chunk) that live as long as the
 * fetch: under load they outlived young collections and were most of what the gateway promoted to the old space.
 * A fetch without an answer within `timeoutMs` (the request deadline, OPSORCH_REQUEST_TIMEOUT_MS; 0 = none) is
 * given up and its connection closed, so no subgraph holds a caller longer than the caller's own deadline.
 */
export function createSubgraphFetcher({ timeoutMs }: { timeoutMs: number }): SubgraphFetcher {
  const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };
  const fetcher = (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`subgraph URL ${url} is neither http: nor https:`);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const body = init.body;
      const headers: Record<string, string | number> = { ...init.headers };
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      const req = send(target, { method: init.method ?? 'GET', headers, agent: agents[target.protocol], signal: init.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        // An answer cut off mid-body ends in an error (ECONNRESET, "aborted"), never in 'end' with half a body.
        res.on('error', fail);
        res.once('end', () => {
          clearTimeout(timer);
          resolve(new SubgraphResponse(url, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
        });
      });
      // Given up as a timeout even when the answer had begun: destroying the request then errors its response.
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              fail(new SubgraphFetchError(`no answer within ${timeoutMs} ms (OPSORCH_REQUEST_TIMEOUT_MS)`, 'ETIMEDOUT'));
              req.destroy();
            }, timeoutMs)
          : undefined;
      // The first error settles the fetch; later ones (a destroyed request errors its response too) are ignored.
      function fail(error: Error & { code?: string }) {
        clearTimeout(timer);
        reject(error instanceof SubgraphFetchError ? error : new SubgraphFetchError(error.message, error.code ?? 'ECONNRESET', { cause: error }));
      }
      req.on('error', fail);
      req.end(body);
    });
  return Object.assign(fetcher, {
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}

/** A subgraph's answer, read whole: the response interface @apollo/gateway expects of a fetcher. */
class SubgraphResponse implements FetcherResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: FetcherHeaders;
  readonly redirected = false;
  bodyUsed = false;

  constructor(
    readonly url: string,
    message: IncomingMessage,
    private readonly body: Buffer,
  ) {
    this.status = message.statusCode ?? 0;
    this.statusText = message.statusMessage ?? '';
    // The Fetch API's own Headers (names case-insensitive), one per answer: cheap beside fetch's streams.
    const headers = new Headers();
    const raw = message.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    this.headers = headers;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer;
  }

  clone(): FetcherResponse {
    return Object.assign(Object.create(SubgraphResponse.prototype) as SubgraphResponse, this, { bodyUsed: false });
  }
}
