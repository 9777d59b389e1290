// Resilience of provider calls (decision 005): one deadline per call, retries with backoff and jitter for reads
// only, 429 Retry-After honoured, a circuit breaker per provider instance (cockatiel), and in-flight dedup of
// identical reads within one auth scope. The registry runs every provider call through here.
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type { Capability, Env } from './capabilities.ts';
import type { ProviderContext } from './context.ts';
import { OpsOrchError, toOpsOrchError, type ErrorCode } from './errors.ts';
import type { ProviderBase, ProviderMap } from './spi/index.ts';

/**
 * The methods of each SPI that change the tool. Every other provider method is a read: reads are retried and
 * deduplicated, writes never are (a write that failed may still have happened). Writes are the optional methods
 * of an SPI, and the type check below makes an optional method missing from this list a compile error.
 */
export const WRITE_METHODS = {
  incidents: ['createIncident', 'acknowledgeIncident', 'resolveIncident', 'updateIncident', 'addIncidentNote'],
  alerts: ['acknowledgeAlert', 'silenceAlert'],
  logs: [],
  metrics: [],
  tickets: ['createTicket', 'updateTicket', 'transitionTicket', 'commentOnTicket'],
  messaging: ['sendMessage'],
  services: [],
  teams: [],
  deployments: [],
  orchestration: ['startRun', 'completeManualStep', 'cancelRun'],
} as const satisfies { readonly [C in Capability]: readonly (keyof ProviderMap[C])[] };

/** Optional SPI methods that are reads after all (none today); listed so the completeness check stays honest. */
export const OPTIONAL_READ_METHODS = {} as const satisfies { readonly [C in Capability]?: readonly (keyof ProviderMap[C])[] };

type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];
type ListedOf<L, C extends Capability> = C extends keyof L ? (L[C] extends readonly (infer M)[] ? M : never) : never;
/** Optional SPI methods (beyond ProviderBase's) that are neither a declared write nor a declared optional read. */
type UndeclaredOptionalMethods = {
  [C in Capability]: Exclude<
    OptionalKeys<ProviderMap[C]>,
    keyof ProviderBase | ListedOf<typeof WRITE_METHODS, C> | ListedOf<typeof OPTIONAL_READ_METHODS, C>
  >;
}[Capability];
// A compile error here names an optional SPI method to add to WRITE_METHODS (or OPTIONAL_READ_METHODS).
const everyOptionalMethodDeclared: [UndeclaredOptionalMethods] extends [never] ? true : UndeclaredOptionalMethods = true;
void everyOptionalMethodDeclared;

const WRITES = new Map<string, ReadonlySet<string>>(Object.entries(WRITE_METHODS).map(([c, m]) => [c, new Set<string>(m)]));

/** Whether `method` of a capability's SPI is a declared write. Anything else is a read. */
export function isWriteMethod(capability: Capability, method: string): boolean {
  return WRITES.get(capability)?.has(method) ?? false;
}

/** How provider calls are retried, broken and deduplicated. Defaults in DEFAULT_RESILIENCE. */
export interface ResilienceOptions {
  /** Attempts of a read that fails transiently (PROVIDER_UNAVAILABLE, PROVIDER_TIMEOUT, PROVIDER_RATE_LIMITED); 1 = no retry. */
  readAttempts: number;
  /** First backoff in ms; doubled per attempt up to `maxBackoffMs`, with jitter (half fixed, half random). */
  backoffMs: number;
  maxBackoffMs: number;
  /** A 429's Retry-After longer than this is not waited for: the call fails PROVIDER_RATE_LIMITED with `retryAfter`. */
  maxRetryAfterMs: number;
  /** Consecutive provider failures (unavailable or timed out) that open an instance's circuit. */
  breakerFailures: number;
  /** How long an open circuit answers PROVIDER_UNAVAILABLE at once before one probe call may through (half-open). */
  breakerCooldownMs: number;
  /** Share one upstream call among identical concurrent reads of the same auth scope. */
  dedupReads: boolean;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  readAttempts: 3,
  backoffMs: 100,
  maxBackoffMs: 2_000,
  maxRetryAfterMs: 5_000,
  breakerFailures: 5,
  breakerCooldownMs: 10_000,
  dedupReads: true,
};

const RESILIENCE_ENV: Record<Exclude<keyof ResilienceOptions, 'dedupReads'>, { name: string; min: number }> = {
  readAttempts: { name: 'OPSORCH_PROVIDER_READ_ATTEMPTS', min: 1 },
  backoffMs: { name: 'OPSORCH_PROVIDER_BACKOFF_MS', min: 0 },
  maxBackoffMs: { name: 'OPSORCH_PROVIDER_MAX_BACKOFF_MS', min: 0 },
  maxRetryAfterMs: { name: 'OPSORCH_PROVIDER_MAX_RETRY_AFTER_MS', min: 0 },
  breakerFailures: { name: 'OPSORCH_BREAKER_FAILURES', min: 1 },
  breakerCooldownMs: { name: 'OPSORCH_BREAKER_COOLDOWN_MS', min: 1 },
};

/** Reads resilience settings from the environment; a bad value names the variable and what it expects. */
export function resilienceFromEnv(env: Env = process.env): ResilienceOptions {
  const options: ResilienceOptions = { ...DEFAULT_RESILIENCE };
  for (const [key, { name, min }] of Object.entries(RESILIENCE_ENV) as [keyof typeof RESILIENCE_ENV, { name: string; min: number }][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new OpsOrchError('BAD_USER_INPUT', `${name}: expected an integer of at least ${min}, got "${raw}"`);
    }
    options[key] = value;
  }
  const dedup = env.OPSORCH_PROVIDER_DEDUP;
  if (dedup !== undefined && dedup !== '') {
    if (!['true', 'false'].includes(dedup)) throw new OpsOrchError('BAD_USER_INPUT', `OPSORCH_PROVIDER_DEDUP: expected true or false, got "${dedup}"`);
    options.dedupReads = dedup === 'true';
  }
  return options;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What the registry reports of provider calls (metrics, tests). Every hook is optional and must not throw. */
export interface ProviderObserver {
  /** A call finished, after any retries: `code` null on success. Deduplicated joiners are reported too. */
  call?(event: ProviderCallEvent): void;
  /** A read failed transiently and is tried again after `delayMs`. */
  retry?(event: { capability: Capability; instance: string; method: string; attempt: number; delayMs: number; code: ErrorCode; requestId?: string }): void;
  /** An instance's circuit changed state. */
  breaker?(event: { capability: Capability; instance: string; state: BreakerState; requestId?: string }): void;
  /** A read joined an identical call already in flight (hit) or started one (miss). */
  dedup?(event: { capability: Capability; instance: string; method: string; hit: boolean }): void;
}

export interface ProviderCallEvent {
  capability: Capability;
  instance: string;
  kind: string;
  method: string;
  write: boolean;
  durationMs: number;
  /** Upstream attempts made for this call (0 when it joined another call or was refused before trying). */
  attempts: number;
  deduplicated: boolean;
  code: ErrorCode | null;
}

/** One provider call as the resilience layer runs it. */
export interface PlannedCall {
  method: string;
  write: boolean;
  timeoutMs: number;
  /** Abandoned when every caller has gone: the call stops, and the failure does not count against the circuit. */
  callers?: Abandon;
  requestId?: string;
  /** One upstream attempt; `abandon.signal` fires when this attempt is abandoned. */
  attempt(abandon: Abandon, attemptNo: number): Promise<unknown>;
}

/** Where a context made by `withAbandon` keeps its Abandon: not enumerable, so a spread of the context leaves it. */
const ABANDON = Symbol('abandon');

/**
 * The `signal` of every context made by `withAbandon`: one accessor shared by all of them. A getter written into
 * each context (`{ ...ctx, get signal() {...} }`) made V8 build a hidden class per context, and that class kept the
 * context's objects, and its request's, alive through minor collections into the old generation (decision 036).
 */
const signalOfAbandon: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: { [ABANDON]: Abandon }) {
    return this[ABANDON].signal;
  },
};

/**
 * Gives `context` (which must not have a `signal` of its own yet) the AbortSignal of `abandon`, made only if it is
 * read: `Abandon.followingContext` follows the Abandon itself. On Node 20 every AbortSignal costs three new hidden
 * classes and outlives minor collections (Node makes it an EventTarget and then changes its prototype).
 */
export function withAbandon<T extends object>(context: T, abandon: Abandon): T & { readonly signal: AbortSignal } {
  Object.defineProperty(context, ABANDON, { value: abandon });
  return Object.defineProperty(context, 'signal', signalOfAbandon) as T & { readonly signal: AbortSignal };
}

/** Told when an Abandon is abandoned: an object rather than a closure, so following costs no allocation. */
interface AbandonListener {
  abandoned(reason: unknown): void;
}

/**
 * Why a provider call, or one attempt of it, was given up (deadline passed, every caller gone, attempt failed),
 * without an AbortController: making one, with its EventTarget, cost more than the rest of a provider call
 * (decision 032). Its AbortSignal is made only when a provider asks for it, already aborted when asked too late.
 */
export class Abandon implements AbandonListener {
  aborted = false;
  reason: unknown = undefined;
  private listeners: AbandonListener[] | null = null;
  private controller: AbortController | null = null;
  private followed: AbortSignal | null = null;
  private leader: Abandon | null = null;

  /** Follows a caller's AbortSignal until `unfollow`. */
  private static following(signal: AbortSignal): Abandon {
    const abandon = new Abandon();
    if (signal.aborted) abandon.abort(signal.reason);
    else {
      signal.addEventListener('abort', abandon);
      abandon.followed = signal;
    }
    return abandon;
  }

  /**
   * Follows a caller's context until `unfollow`: its Abandon when it was made by `withAbandon` (its AbortSignal is
   * then never made), else its signal, if it has one.
   */
  static followingContext(context: { signal?: AbortSignal }): Abandon | undefined {
    const leader = (context as { [ABANDON]?: Abandon })[ABANDON];
    if (!leader) return context.signal ? Abandon.following(context.signal) : undefined;
    const abandon = new Abandon();
    if (leader.aborted) abandon.abort(leader.reason);
    else {
      leader.on(abandon);
      abandon.leader = leader;
    }
    return abandon;
  }

  /** The AbortSignal a provider sees; made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const listener of listeners) listener.abandoned(reason);
  }

  /** Follows another Abandon. */
  abandoned(reason: unknown): void {
    this.abort(reason);
  }

  /** The followed AbortSignal fired (EventListenerObject). */
  handleEvent(event: Event): void {
    this.abort((event.target as AbortSignal).reason);
  }

  unfollow(): void {
    this.followed?.removeEventListener('abort', this);
    this.followed = null;
    this.leader?.off(this);
    this.leader = null;
  }

  /** Tells `listener` once when abandoned: at once when it already is. */
  on(listener: AbandonListener): void {
    if (this.aborted) listener.abandoned(this.reason);
    else (this.listeners ??= []).push(listener);
  }

  off(listener: AbandonListener): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at >= 0) this.listeners!.splice(at, 1);
  }

  /** `promise`'s outcome, or this one's reason when it is abandoned first (`follower` is then abandoned with it). */
  settleOrAbandon<T>(promise: Promise<T>, follower?: Abandon): Promise<T> {
    if (this.aborted) {
      follower?.abort(this.reason);
      return Promise.reject(this.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter = new Waiter(reject, follower);
      this.on(waiter);
      promise.then(
        (value) => {
          this.off(waiter);
          resolve(value);
        },
        (error: unknown) => {
          this.off(waiter);
          reject(error);
        },
      );
    });
  }
}

/** One wait in `settleOrAbandon`: rejects it, and abandons the follower, when the Abandon it waits on is. */
class Waiter implements AbandonListener {
  constructor(
    private readonly reject: (reason: unknown) => void,
    private readonly follower: Abandon | undefined,
  ) {}
  abandoned(reason: unknown): void {
    this.follower?.abort(reason);
    this.reject(reason);
  }
}

/** Codes that say the tool is down or hanging: they count against the circuit. */
const BREAKER_CODES = new Set<ErrorCode>(['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT']);
/** Codes a read is retried on. */
const RETRY_CODES = new Set<ErrorCode>(['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'PROVIDER_RATE_LIMITED']);

/** Failures caused by the caller leaving (not the tool): never counted against the circuit, never retried. */
const callerGone = new WeakSet<object>();

/** Writes cut at their deadline (or left by their caller) whose provider call is still running, by the error answered. */
const unfinishedWrites = new WeakMap<object, Promise<unknown>>();

/**
 * The provider call behind a write that failed only because its deadline passed or its caller left: it may
 * still apply the write, and settles with the tool's real answer. Undefined for every other failure.
 */
export function unfinishedWrite(error: unknown): Promise<unknown> | undefined {
  return typeof error === 'object' && error !== null ? unfinishedWrites.get(error) : undefined;
}

/** Waits `ms`, or rejects with the reason when `abandon` is abandoned first. */
function sleep(ms: number, abandon: Abandon): Promise<void> {
  if (abandon.aborted) return Promise.reject(abandon.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      abandon.off(wake);
      resolve();
    }, ms);
    const wake: AbandonListener = {
      abandoned(reason) {
        clearTimeout(timer);
        reject(reason);
      },
    };
    abandon.on(wake);
  });
}

const CIRCUIT_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * The resilience state of one provider instance: its circuit breaker, its rate-limit gate (after a 429 with
 * Retry-After, calls wait or fail fast until then instead of hammering the tool) and its in-flight reads.
 */
export class InstanceResilience {
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;
  private lastFailure: OpsOrchError | null = null;
  private rateLimitedUntil = 0;
  private readonly inflight = new Map<string, Flight>();
  /** The request whose call is running, so a state change can be logged with the request that caused it. */
  private currentRequestId: string | undefined;

  constructor(
    readonly capability: Capability,
    readonly instance: string,
    private readonly options: ResilienceOptions,
    private readonly observer: ProviderObserver = {},
  ) {
    this.breaker = circuitBreaker(
      handleWhen((error) => {
        if (!(error instanceof OpsOrchError) || callerGone.has(error) || !BREAKER_CODES.has(error.code)) return false;
        this.lastFailure = error;
        return true;
      }),
      { halfOpenAfter: options.breakerCooldownMs, breaker: new ConsecutiveBreaker(options.breakerFailures) },
    );
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
      this.observer.breaker?.({ capability, instance, state: CIRCUIT_STATES[state], requestId: this.currentRequestId });
    });
  }

  get breakerState(): BreakerState {
    return CIRCUIT_STATES[this.breaker.state];
  }

  /**
   * Runs a call: gate, circuit, deadline and, for reads, retries. Throws an attributed OpsOrchError.
   * `progress.attempts` counts the upstream attempts made, also when the call fails.
   */
  async run(call: PlannedCall, progress: { attempts: number } = { attempts: 0 }): Promise<unknown> {
    const { capability, instance } = this;
    const started = Date.now();
    const deadline = started + call.timeoutMs;
    const overall = new Abandon();
    // The error is made only when the deadline passes: building one (and its stack) per call was a measurable
    // share of every request's CPU (decision 021).
    const timer = setTimeout(
      () =>
        overall.abort(
          new OpsOrchError('PROVIDER_TIMEOUT', `${capability} provider ${instance} did not answer ${call.method} within ${call.timeoutMs} ms`, {
            capability,
            provider: instance,
          }),
        ),
      call.timeoutMs,
    );
    call.callers?.on(overall);
    const maxAttempts = call.write ? 1 : this.options.readAttempts;
    try {
      for (let attemptNo = 1; ; attemptNo++) {
        await this.passGate(call, deadline, overall);
        // cockatiel queues calls behind the half-open probe; answer them now instead, as while open.
        if (this.breaker.state === CircuitState.HalfOpen) throw this.probing();
        this.currentRequestId = call.requestId;
        try {
          return await this.breaker.execute(() => {
            progress.attempts++;
            return this.attemptOnce(call, attemptNo, overall);
          });
        } catch (raw) {
          const error = this.normalize(raw, call);
          if (overall.aborted || callerGone.has(error)) throw error;
          if (error.code === 'PROVIDER_RATE_LIMITED' && error.retryAfter !== undefined) {
            this.rateLimitedUntil = Math.max(this.rateLimitedUntil, Date.now() + error.retryAfter * 1000);
          }
          const brokenCircuit = raw instanceof BrokenCircuitError;
          if (brokenCircuit || attemptNo >= maxAttempts || !RETRY_CODES.has(error.code)) throw error;
          const delay =
            error.code === 'PROVIDER_RATE_LIMITED' && error.retryAfter !== undefined ? error.retryAfter * 1000 : this.backoff(attemptNo);
          if (error.code === 'PROVIDER_RATE_LIMITED' && delay > this.options.maxRetryAfterMs) throw error;
          // Not enough time left to wait and try again: answer now rather than at the deadline.
          if (Date.now() + delay >= deadline) throw error;
          this.observer.retry?.({ capability, instance, method: call.method, attempt: attemptNo, delayMs: delay, code: error.code, requestId: call.requestId });
          await sleep(delay, overall).catch((reason: unknown) => {
            throw this.normalize(reason, call);
          });
        }
      }
    } finally {
      clearTimeout(timer);
      call.callers?.off(overall);
    }
  }

  /** One attempt, bounded by the call's deadline even when the provider ignores its AbortSignal. */
  private async attemptOnce(call: PlannedCall, attemptNo: number, overall: Abandon): Promise<unknown> {
    const abandon = new Abandon();
    const attempt = Promise.resolve().then(() => call.attempt(abandon, attemptNo));
    try {
      return await overall.settleOrAbandon(attempt, abandon);
    } catch (raw) {
      abandon.abort(raw);
      const error = this.normalize(raw, call);
      // A write sent to the tool and then abandoned may still land: keep its outcome for the idempotency store.
      if (call.write && overall.aborted) {
        attempt.catch(() => {});
        unfinishedWrites.set(error, attempt);
      }
      throw error;
    }
  }

  private normalize(raw: unknown, call: PlannedCall): OpsOrchError {
    if (raw instanceof BrokenCircuitError) {
      const waitMs = Math.max(0, this.openedAt + this.options.breakerCooldownMs - Date.now());
      const last = this.lastFailure ? ` (last failure: ${this.lastFailure.message})` : '';
      return new OpsOrchError(
        'PROVIDER_UNAVAILABLE',
        `${this.capability} provider ${this.instance} is unavailable: its circuit is open after ${this.options.breakerFailures} consecutive failures${last}; the next call goes through in ${Math.ceil(waitMs / 1000)} s`,
        { capability: this.capability, provider: this.instance, retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) },
      );
    }
    const error = toOpsOrchError(raw, this.capability, this.instance);
    if (call.callers?.aborted) callerGone.add(error);
    return error;
  }

  private probing(): OpsOrchError {
    const last = this.lastFailure ? ` (last failure: ${this.lastFailure.message})` : '';
    return new OpsOrchError(
      'PROVIDER_UNAVAILABLE',
      `${this.capability} provider ${this.instance} is unavailable: its circuit is open after ${this.options.breakerFailures} consecutive failures${last}; one probe call is checking whether it is back`,
      { capability: this.capability, provider: this.instance, retryAfter: 1 },
    );
  }

  private backoff(attemptNo: number): number {
    const cap = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (attemptNo - 1));
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }

  /** After a 429 with Retry-After: wait when it fits the budget, else fail at once with the time left. */
  private async passGate(call: PlannedCall, deadline: number, overall: Abandon): Promise<void> {
    const waitMs = this.rateLimitedUntil - Date.now();
    if (waitMs <= 0) return;
    if (waitMs > this.options.maxRetryAfterMs || Date.now() + waitMs >= deadline) {
      throw new OpsOrchError(
        'PROVIDER_RATE_LIMITED',
        `${this.capability} provider ${this.instance} is rate limited by its tool; retry after ${Math.ceil(waitMs / 1000)} s`,
        { capability: this.capability, provider: this.instance, retryAfter: Math.ceil(waitMs / 1000) },
      );
    }
    await sleep(waitMs, overall).catch((reason: unknown) => {
      throw this.normalize(reason, call);
    });
  }

  private landed(key: string, flight: Flight): void {
    if (this.inflight.get(key) === flight) this.inflight.delete(key);
  }

  /**
   * Runs `start` once for every concurrent caller with the same key: the first starts the upstream call, the
   * others join it. The shared call stops only when every caller has left; each caller leaves when its own
   * `caller` is abandoned.
   */
  async dedupe<T>(key: string, method: string, caller: Abandon | undefined, start: (callers: Abandon) => Promise<T>): Promise<{ value: T; joined: boolean }> {
    let flight = this.inflight.get(key) as Flight<T> | undefined;
    const joined = flight !== undefined;
    this.observer.dedup?.({ capability: this.capability, instance: this.instance, method, hit: joined });
    if (!flight) {
      const created: Flight<T> = { callers: new Abandon(), count: 0, promise: undefined as unknown as Promise<T> };
      created.promise = start(created.callers);
      created.promise.then(
        () => this.landed(key, created),
        () => this.landed(key, created),
      );
      this.inflight.set(key, created as Flight);
      flight = created;
    }
    flight.count++;
    try {
      const value = await (caller ? caller.settleOrAbandon(flight.promise) : flight.promise);
      return { value, joined };
    } finally {
      if (--flight.count === 0 && caller?.aborted) {
        // Everyone left: stop the upstream call, and let the next caller start a fresh one.
        if (this.inflight.get(key) === flight) this.inflight.delete(key);
        flight.callers.abort(caller.reason);
      }
    }
  }
}

interface Flight<T = unknown> {
  promise: Promise<T>;
  /** Abandoned when the last caller leaves. */
  callers: Abandon;
  count: number;
}

/**
 * The dedup key of a read: instance, method, arguments and the caller's auth scope (the whole actor and the
 * environment), so no answer crosses from one principal to another. A request pinned to another `now` only
 * shares with requests pinned to the same instant. Null when the arguments cannot be keyed (no dedup then).
 */
export function dedupKey(method: string, args: readonly unknown[], ctx: ProviderContext): string | null {
  const scope = scopeKey(ctx);
  const keyedArgs = stableStringify(args);
  if (scope === null || keyedArgs === null) return null;
  return `${method}\u0000${scope}\u0000${keyedArgs}`;
}

/**
 * The clock part of a sharing key: "live" for a request on the present clock (within a second of it), else the
 * pinned instant, so a request pinned to another `now` only shares with requests pinned to the same instant.
 */
export function clockKey(now: Date): string {
  return isLive(now.getTime()) ? 'live' : now.toISOString();
}

/** Whether a request's `now` is the present clock (within a second of it) rather than a pinned instant. */
function isLive(nowMs: number): boolean {
  return Math.abs(nowMs - Date.now()) <= 1_000;
}

/**
 * One request's contexts share actor, environment and clock: their key is built once per context, and again only
 * when one of them changes or the request's clock stops being live.
 */
const scopeKeys = new WeakMap<ProviderContext, { actor: unknown; environment: unknown; nowMs: number; live: boolean; key: string | null }>();

function scopeKey(ctx: ProviderContext): string | null {
  const nowMs = ctx.now.getTime();
  const live = isLive(nowMs);
  const cached = scopeKeys.get(ctx);
  if (cached && cached.nowMs === nowMs && cached.live === live && cached.actor === ctx.actor && cached.environment === ctx.environment) return cached.key;
  const key = stableStringify({ actor: ctx.actor, environment: ctx.environment ?? null, now: clockKey(ctx.now) });
  scopeKeys.set(ctx, { actor: ctx.actor, environment: ctx.environment, nowMs, live, key });
  return key;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** The objects being written by `stableStringify`, outermost first: a value met again inside itself is a cycle. */
const writing: object[] = [];

/**
 * JSON with sorted keys and dates as ISO strings; null for what cannot be keyed (functions, cycles, symbols).
 * Idempotency fingerprints are made of it, so its output for a given value must not change.
 */
export function stableStringify(value: unknown): string | null {
  try {
    return stable(value);
  } finally {
    writing.length = 0;
  }
}

// Written into one string as it goes, with the cycle check on a shared stack: this keys every provider read
// (about 2 % of a war-room request's CPU when it made an array, a Set and a string per value).
function stable(value: unknown): string | null {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      break;
    default:
      return null;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (writing.includes(value)) return null;
  writing.push(value);
  let out: string | null;
  if (Array.isArray(value) && value.every(isString)) {
    // A batch's ids, the most common argument: one native call writes the same text.
    out = JSON.stringify(value);
  } else if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      const part = stable(value[i]);
      if (part === null) {
        out = null;
        break;
      }
      out += i === 0 ? part : `,${part}`;
    }
    if (out !== null) out += ']';
  } else {
    out = '{';
    let first = true;
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      const part = stable(v);
      if (part === null) {
        out = null;
        break;
      }
      out += `${first ? '' : ','}${JSON.stringify(key)}:${part}`;
      first = false;
    }
    if (out !== null) out += '}';
  }
  writing.pop();
  return out;
}
