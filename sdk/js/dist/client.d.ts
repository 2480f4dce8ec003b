import type { AnalyticsEvent, Design, DesignInput, ErrorBody, EventsRecorded, Generation, Quote, SavedDesign, Template, TemplateList, Upload, Variants } from "./generated/openapi";
export declare const HEADLESS_PATH = "/storefront/headless/v1";
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
export declare class LuneoApiError extends Error {
    readonly status: number;
    readonly code: string;
    readonly fields: Record<string, string>;
    readonly problems: Array<Record<string, unknown>>;
    readonly retryAfter: number | null;
    constructor(status: number, body: ErrorBody | null, retryAfter: string | null);
}
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
    aiBackgroundRemoval(input: {
        template_id: number;
        area: string;
        src: string;
    }): Promise<Generation>;
    /** Count analytics events in one request (at most 100: batch them, never one per keystroke). */
    recordEvents(events: AnalyticsEvent[]): Promise<EventsRecorded>;
    /** Poll an AI request until it is finished (succeeded, failed or refused). */
    waitForGeneration(generationId: string, options?: {
        intervalMs?: number;
        timeoutMs?: number;
    }): Promise<Generation>;
}
export declare function createClient(options: ClientOptions): LuneoClient;
