"""Every model, imported once here so metadata (and Alembic) sees the whole schema."""

from app.models.account import Membership, Role, TeamInvitation, User
from app.models.ai import AiSettings, Generation, GenerationStatus
from app.models.analytics import BROWSER_KINDS, AnalyticsCounter, EventKind
from app.models.billing import (
    BillingEvent,
    BillingInterval,
    BillingProvider,
    Subscription,
    SubscriptionStatus,
    UsageKind,
    UsageRecord,
)
from app.models.catalog import Product, ProductStatus, Variant
from app.models.design import Design, DesignStatus
from app.models.headless import HeadlessKey, HeadlessOrigin
from app.models.merchant_asset import (
    ClipartKind,
    MerchantClipart,
    MerchantClipartSet,
    MerchantFont,
)
from app.models.order import Order, OrderItem, Personalization
from app.models.partner import Partner, ShopPartner
from app.models.partner_ops import (
    ASSIGNMENT_TRANSITIONS,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    IdempotencyRecord,
    JobAssignment,
    PartnerApiKey,
    PartnerKind,
    PartnerRole,
    PartnerUser,
    PushStatus,
    RoutingRule,
    ShipmentPush,
    TrackingUpdate,
)
from app.models.production import (
    InvalidTransition,
    ProductionFile,
    ProductionJob,
    ProductionStatus,
    Proof,
    ProofStatus,
)
from app.models.scoping import ShopScope, owned_row
from app.models.shop import Platform, Shop
from app.models.stored_file import FileKind, StorageDeletion, StoredFile
from app.models.template import (
    EditorMode,
    LowDpiPolicy,
    PrintArea,
    PrintAreaView,
    ProofAtDeadline,
    ProofSend,
    Template,
)
from app.models.webhook import WebhookEvent, WebhookStatus

__all__ = [
    "EditorMode",
    "EventKind",
    "LowDpiPolicy",
    "ASSIGNMENT_TRANSITIONS",
    "AiSettings",
    "AnalyticsCounter",
    "BROWSER_KINDS",
    "AssignmentStatus",
    "AuditAction",
    "AuditEvent",
    "BillingEvent",
    "BillingInterval",
    "BillingProvider",
    "ClipartKind",
    "Design",
    "DesignStatus",
    "FileKind",
    "Generation",
    "GenerationStatus",
    "HeadlessKey",
    "HeadlessOrigin",
    "IdempotencyRecord",
    "InvalidTransition",
    "JobAssignment",
    "Membership",
    "MerchantClipart",
    "MerchantClipartSet",
    "MerchantFont",
    "Order",
    "OrderItem",
    "Personalization",
    "Partner",
    "PartnerApiKey",
    "PartnerKind",
    "PartnerRole",
    "PartnerUser",
    "Platform",
    "PrintArea",
    "PrintAreaView",
    "Product",
    "ProductStatus",
    "ProductionFile",
    "ProductionJob",
    "ProductionStatus",
    "Proof",
    "ProofAtDeadline",
    "ProofSend",
    "ProofStatus",
    "PushStatus",
    "Role",
    "RoutingRule",
    "ShipmentPush",
    "Shop",
    "ShopPartner",
    "ShopScope",
    "owned_row",
    "StorageDeletion",
    "StoredFile",
    "Subscription",
    "SubscriptionStatus",
    "TeamInvitation",
    "Template",
    "TrackingUpdate",
    "UsageKind",
    "UsageRecord",
    "User",
    "Variant",
    "WebhookEvent",
    "WebhookStatus",
]
