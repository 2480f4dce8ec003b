export type ErrorBody = {
    error: {
        code: string;
        message: string;
        fields?: {
            [key: string]: string;
        };
        errors?: Array<{
            [key: string]: unknown;
        }>;
    };
};
export type Price = {
    currency: string;
    total: string;
    lines: Array<{
        label: string;
        amount: string;
        kind: string;
    }>;
};
export type PrintArea = {
    key: string;
    position: number;
};
/** A product's template: what the editor draws with (print areas, fonts, colours, clipart, fields, price rules, AI, 3D model) and the plan's features. */
export type Template = {
    id: number;
    product: {
        id: number;
        title: string;
        image_url?: string | null;
    };
    variants?: Array<{
        [key: string]: unknown;
    }>;
    name: string;
    is_active?: boolean;
    fonts: Array<string>;
    colors: Array<string>;
    font_files: {
        [key: string]: string;
    };
    fields: Array<{
        [key: string]: unknown;
    }>;
    editor_mode: "canvas" | "form" | "both";
    surcharge: string;
    currency: string;
    print_areas: Array<PrintArea>;
    model_url?: string | null;
    features: {
        ai: boolean;
        "3d_ar": boolean;
        branding: boolean;
    };
};
/** A design document (app/design/schema: `version`, `areas`, `fields`). */
export type DesignDocument = {
    [key: string]: unknown;
};
export type DesignInput = {
    template_id?: number;
    product_id?: string;
    document: DesignDocument;
    /** Update this saved draft (with its edit_token). */
    design_id?: string;
    edit_token?: string;
};
export type Finding = {
    code: string;
    severity: "error" | "warning" | "info";
    message: string;
    area?: string | null;
    layer?: number | null;
    path?: string | null;
};
export type SavedDesign = {
    design_id: string;
    preview_url: string | null;
    summary: string;
    status: "draft" | "saved" | "ordered" | "archived";
    ready: boolean;
    edit_token: string | null;
    findings: Array<Finding>;
    price: Price;
    properties: {
        [key: string]: string;
    };
    /** Shopify shops: the hidden cart line attributes the Cart Transform reads (`_luneo_design`, the signed `_luneo_price`, `_luneo_preview`). */
    cart_attributes?: {
        [key: string]: string;
    };
};
export type Design = {
    design_id: string;
    template_id: number | null;
    document: DesignDocument | null;
    preview_url: string | null;
    status: string;
    summary: string;
    price: Price | null;
    properties: {
        [key: string]: string;
    };
};
export type Quote = {
    price: Price;
    problems: Array<{
        path: string;
        message: string;
    }>;
};
export type Upload = {
    file_id: number;
    /** What a design's image layer names. */
    src: string;
    url: string;
    width_px: number;
    height_px: number;
    content_type: string;
    /** Background removal: the share made transparent. */
    removed?: number;
};
export type Generation = {
    id: string;
    status: "queued" | "running" | "succeeded" | "failed" | "refused";
    progress: number;
    message: string | null;
    provider: string;
    provider_label: string;
    image: {
        file_id?: number;
        src: string;
        url: string;
        width_px: number;
        height_px: number;
        effective_dpi?: number | null;
        native_dpi?: number | null;
    } | null;
    poll_url?: string;
    variants?: Array<Generation>;
    variants_url?: string;
};
export type TemplateList = {
    templates: Array<{
        template_id: number;
        name: string;
        /** What /products/{product_id}/template takes. */
        product_id: string;
        product_title: string;
        image_url: string | null;
    }>;
};
export type Variants = {
    variants: Array<Generation>;
};
export type EventBatch = {
    events: Array<AnalyticsEvent>;
};
export type AnalyticsEvent = {
    kind: "editor_opened" | "design_started" | "added_to_cart" | "preflight_fixed" | "preflight_ignored";
    template_id: number;
    /** Only for preflight_fixed and preflight_ignored: the warning's code, e.g. `image_dpi_low`. */
    key?: string;
};
export type EventsRecorded = {
    recorded: number;
    ignored: number;
};
/** Every operation of the storefront API, by operationId. */
export interface Operations {
    listTemplates: {
        path: "/templates";
        method: "GET";
        status: 200;
        params: Record<string, never>;
        body: never;
        response: TemplateList;
    };
    getTemplate: {
        path: "/products/{product_id}/template";
        method: "GET";
        status: 200;
        params: {
            product_id: string;
        };
        body: never;
        response: Template;
    };
    saveDesign: {
        path: "/designs";
        method: "POST";
        status: 201;
        params: Record<string, never>;
        body: DesignInput;
        response: SavedDesign;
    };
    quoteDesign: {
        path: "/designs/quote";
        method: "POST";
        status: 200;
        params: Record<string, never>;
        body: DesignInput;
        response: Quote;
    };
    getDesign: {
        path: "/designs/{design_id}";
        method: "GET";
        status: 200;
        params: {
            design_id: string;
        };
        body: never;
        response: Design;
    };
    upload: {
        path: "/uploads";
        method: "POST";
        status: 201;
        params: Record<string, never>;
        body: FormData;
        response: Upload;
    };
    removeBackground: {
        path: "/uploads/background-removal";
        method: "POST";
        status: 201;
        params: Record<string, never>;
        body: {
            src: string;
        };
        response: Upload;
    };
    preview: {
        path: "/previews";
        method: "POST";
        status: 200;
        params: Record<string, never>;
        body: {
            template_id?: number;
            product_id?: string;
            document: DesignDocument;
            area: string;
            view?: number;
        };
        response: Blob;
    };
    generateImage: {
        path: "/ai/generations";
        method: "POST";
        status: 202;
        params: Record<string, never>;
        body: {
            template_id: number;
            area: string;
            prompt: string;
            style?: string;
            variants?: number;
            fresh?: boolean;
        };
        response: Generation;
    };
    getGeneration: {
        path: "/ai/generations/{generation_id}";
        method: "GET";
        status: 200;
        params: {
            generation_id: string;
        };
        body: never;
        response: Generation;
    };
    getVariants: {
        path: "/ai/variants/{ids_list}";
        method: "GET";
        status: 200;
        params: {
            ids_list: string;
        };
        body: never;
        response: Variants;
    };
    aiBackgroundRemoval: {
        path: "/ai/background-removals";
        method: "POST";
        status: 202;
        params: Record<string, never>;
        body: {
            template_id: number;
            area: string;
            src: string;
        };
        response: Generation;
    };
    recordEvents: {
        path: "/events";
        method: "POST";
        status: 202;
        params: Record<string, never>;
        body: EventBatch;
        response: EventsRecorded;
    };
}
/** Where each operation lives: its method and path template. */
export declare const OPERATIONS: {
    readonly listTemplates: {
        readonly method: "GET";
        readonly path: "/templates";
    };
    readonly getTemplate: {
        readonly method: "GET";
        readonly path: "/products/{product_id}/template";
    };
    readonly saveDesign: {
        readonly method: "POST";
        readonly path: "/designs";
    };
    readonly quoteDesign: {
        readonly method: "POST";
        readonly path: "/designs/quote";
    };
    readonly getDesign: {
        readonly method: "GET";
        readonly path: "/designs/{design_id}";
    };
    readonly upload: {
        readonly method: "POST";
        readonly path: "/uploads";
    };
    readonly removeBackground: {
        readonly method: "POST";
        readonly path: "/uploads/background-removal";
    };
    readonly preview: {
        readonly method: "POST";
        readonly path: "/previews";
    };
    readonly generateImage: {
        readonly method: "POST";
        readonly path: "/ai/generations";
    };
    readonly getGeneration: {
        readonly method: "GET";
        readonly path: "/ai/generations/{generation_id}";
    };
    readonly getVariants: {
        readonly method: "GET";
        readonly path: "/ai/variants/{ids_list}";
    };
    readonly aiBackgroundRemoval: {
        readonly method: "POST";
        readonly path: "/ai/background-removals";
    };
    readonly recordEvents: {
        readonly method: "POST";
        readonly path: "/events";
    };
};
