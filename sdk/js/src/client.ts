// The storefront API's typed client: one method per operation of app/storefront/openapi.json,
// whose types (src/generated/openapi.ts) are generated from that document at build time.
import { OPERATIONS } from "./generated/openapi";
import type {
  AnalyticsEvent,
  Design,
  DesignInput,
  ErrorBody,
  EventsRecorded,
  Generation,
  Operations,
  Quote,
  SavedDesign,
  Template,
  TemplateList,
  Upload,
  Variants,
} from "./generated/openapi";


export const HEADLESS_PATH = "/storefront/headless/v1";

export interface ClientOptions {
  /** Luneo's address, e.g. "https://luneo.example.com" (the headless surface is under it). */
  luneoUrl: string;
  /** The store's headless key (Luneo admin → Headless): public, it names the store. */
  key: string;
  /** Another surface's base (tests, a proxy of your own); defaults to luneoUrl + HEADLESS_PATH. */
  apiBase?: string;
  fetch?: typeof fetch;
}

/** A refusal from Luneo: the HTTP status, Luneo's error code, its message and field problems. */
export class LuneoApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  readonly problems: Array<Record<string, unknown>>;
  readonly retryAfter: number | null;

  constructor(status: number, body: ErrorBody | null, retryAfter: string | null) {
    super(body?.error?.message || `HTTP ${status}`);
    this.name = "LuneoApiError";
    this.status = status;
    this.code = body?.error?.code || `http_${status}`;
    this.fields = body?.error?.fields || {};
    this.problems = body?.error?.errors || [];
    this.retryAfter = retryAfter ? Number(retryAfter) : null;
  }
}

type Name = keyof Operations;
type Params<K extends Name> = Operations[K]["params"];
type Body<K extends Name> = Operations[K]["body"];
type Answer<K extends Name> = Operations[K]["response"];

export interface PreviewInput {
  template_id: number;
  document: DesignInput["document"];
  area: string;
  view?: number;
}

export interface GenerateInput {
  template_id: number;
  area: string;
  prompt: string;
  style?: string;
  variants?: number;
  fresh?: boolean;
}

export interface LuneoClient {
  readonly apiBase: string;
  readonly key: string;
  /** The store's customizable products (active templates). */
  templates(): Promise<TemplateList>;
  template(productId: string | number): Promise<Template>;
  saveDesign(input: DesignInput): Promise<SavedDesign>;
  quote(input: DesignInput): Promise<Quote>;
  design(designId: string): Promise<Design>;
  upload(file: Blob, filename?: string): Promise<Upload>;
  removeBackground(src: string): Promise<Upload>;
  preview(input: PreviewInput, format?: "image/png" | "image/webp"): Promise<Blob>;
  generateImage(input: GenerateInput): Promise<Generation>;
  generation(generationId: string): Promise<Generation>;
  variants(generationIds: string[]): Promise<Variants>;
  aiBackgroundRemoval(input: { template_id: number; area: string; src: string }): Promise<Generation>;
  /** Count analytics events in one request (at most 100: batch them, never one per keystroke). */
  recordEvents(events: AnalyticsEvent[]): Promise<EventsRecorded>;
  /** Poll an AI request until it is finished (succeeded, failed or refused). */
  waitForGeneration(generationId: string, options?: { intervalMs?: number; timeoutMs?: number }): Promise<Generation>;
}

function pathOf<K extends Name>(name: K, params: Params<K>): string {
  const values = params as Record<string, string>;
  return OPERATIONS[name].path.replace(/\{([^}]+)\}/g, (_m, key: string) => encodeURIComponent(values[key]));
}

const FINISHED = new Set(["succeeded", "failed", "refused"]);

export function createClient(options: ClientOptions): LuneoClient {
  const luneo = options.luneoUrl.replace(/\/+$/, "");
  const apiBase = (options.apiBase || luneo + HEADLESS_PATH).replace(/\/+$/, "");
  const doFetch = options.fetch || globalThis.fetch.bind(globalThis);

  async function send<K extends Name>(name: K, params: Params<K>, body?: Body<K>, accept = "application/json"): Promise<Response> {
    const headers: Record<string, string> = { "X-Luneo-Key": options.key, Accept: accept };
    const init: RequestInit = { method: OPERATIONS[name].method, headers, credentials: "omit", mode: "cors" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await doFetch(apiBase + pathOf(name, params), init);
    if (!response.ok) {
      let payload: ErrorBody | null = null;
      try {
        payload = (await response.json()) as ErrorBody;
      } catch {
        payload = null;
      }
      throw new LuneoApiError(response.status, payload, response.headers.get("Retry-After"));
    }
    return response;
  }

  async function json<K extends Name>(name: K, params: Params<K>, body?: Body<K>): Promise<Answer<K>> {
    return (await (await send(name, params, body)).json()) as Answer<K>;
  }

  const none = {} as Record<string, never>;
  const client: LuneoClient = {
    apiBase,
    key: options.key,
    templates: () => json("listTemplates", none),
    template: (productId) => json("getTemplate", { product_id: String(productId) }),
    saveDesign: (input) => json("saveDesign", none, input),
    quote: (input) => json("quoteDesign", none, input),
    design: (designId) => json("getDesign", { design_id: designId }),
    upload(file, filename = "photo") {
      const form = new FormData();
      form.append("file", file, filename);
      return json("upload", none, form);
    },
    removeBackground: (src) => json("removeBackground", none, { src }),
    preview: async (input, format = "image/png") => (await send("preview", none, input, format)).blob(),
    generateImage: (input) => json("generateImage", none, input),
    generation: (generationId) => json("getGeneration", { generation_id: generationId }),
    variants: (generationIds) => json("getVariants", { ids_list: generationIds.join(",") }),
    aiBackgroundRemoval: (input) => json("aiBackgroundRemoval", none, input),
    recordEvents: (events) => json("recordEvents", none, { events }),
    async waitForGeneration(generationId, { intervalMs = 1000, timeoutMs = 120000 } = {}) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const state = await client.generation(generationId);
        if (FINISHED.has(state.status) || Date.now() > until) return state;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
  };
  return client;
}
