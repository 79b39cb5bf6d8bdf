/** The shape of an order node as our queries request it (paged nodes and bulk JSONL lines alike). */
export interface ShopifyMoneyBag {
  readonly shopMoney: { readonly amount: string; readonly currencyCode: string };
}

export interface ShopifyLineItemNode {
  readonly id: string;
  readonly name: string;
  readonly sku: string | null;
  readonly quantity: number;
  /** Units ordered less refunded and removed ones (absent in lines read before it was asked for). */
  readonly currentQuantity?: number;
  readonly product: { readonly id: string; readonly productType?: string } | null;
  readonly originalUnitPriceSet: ShopifyMoneyBag;
}

export interface ShopifyFulfillmentNode {
  readonly id: string;
  readonly createdAt: string;
  readonly displayStatus: string | null;
  readonly estimatedDeliveryAt: string | null;
  readonly deliveredAt: string | null;
  readonly trackingInfo: ReadonlyArray<{ number: string | null; company: string | null; url: string | null }>;
}

export interface ShopifyOrderNode {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly cancelledAt: string | null;
  readonly test: boolean;
  readonly tags: readonly string[];
  readonly displayFinancialStatus: string | null;
  readonly currencyCode: string;
  /** OrderReturnStatus: NO_RETURN unless a return exists. Absent in results of queries from before returns. */
  readonly returnStatus?: string;
  readonly totalRefundedSet?: ShopifyMoneyBag;
  readonly totalPriceSet: ShopifyMoneyBag;
  readonly currentTotalPriceSet: ShopifyMoneyBag;
  readonly customer: {
    readonly id: string;
    readonly firstName: string | null;
    readonly lastName: string | null;
    readonly defaultEmailAddress: { readonly emailAddress: string | null } | null;
    readonly defaultPhoneNumber: { readonly phoneNumber: string | null } | null;
  } | null;
  readonly shippingAddress: {
    readonly firstName: string | null;
    readonly lastName: string | null;
    readonly city: string | null;
    readonly provinceCode: string | null;
    readonly zip: string | null;
    readonly countryCodeV2: string | null;
    readonly phone: string | null;
  } | null;
  readonly customAttributes: ReadonlyArray<{ key: string; value: string | null }>;
  readonly fulfillments: readonly ShopifyFulfillmentNode[];
  /** Returns and refunds, attached by the follow-up read (returns-read.ts) to orders that have any. */
  readonly returnsRead?: ShopifyReturnsRead;
  /** Present on paged results; bulk results deliver line items as separate lines. */
  readonly lineItems?: { readonly pageInfo?: ShopifyPageInfo; readonly nodes: readonly ShopifyLineItemNode[] };
}

export interface ShopifyPageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export interface ThrottleStatus {
  readonly maximumAvailable: number;
  readonly currentlyAvailable: number;
  readonly restoreRate: number;
}

export interface QueryCost {
  readonly requestedQueryCost: number;
  readonly actualQueryCost: number | null;
  readonly throttleStatus: ThrottleStatus;
}

export interface ShopifyReturnLineNode {
  readonly id: string;
  readonly quantity: number;
  readonly customerNote: string | null;
  readonly returnReasonNote: string | null;
  readonly returnReasonDefinition: { readonly handle: string; readonly name: string } | null;
  /** Absent on an UnverifiedReturnLineItem (not tied to a fulfillment). */
  readonly fulfillmentLineItem?: { readonly lineItem: { readonly id: string; readonly sku: string | null; readonly name: string } } | null;
}

export interface ShopifyReturnNode {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly createdAt: string;
  readonly requestApprovedAt: string | null;
  readonly closedAt: string | null;
  readonly decline: { readonly reason: string; readonly note: string | null } | null;
  readonly returnLineItems: { readonly pageInfo: ShopifyPageInfo; readonly nodes: readonly ShopifyReturnLineNode[] };
  readonly reverseFulfillmentOrders: {
    readonly nodes: ReadonlyArray<{
      readonly id: string;
      readonly status: string;
      readonly reverseDeliveries: {
        readonly nodes: ReadonlyArray<{
          readonly id: string;
          readonly deliverable: { readonly tracking?: { readonly number: string | null; readonly carrierName: string | null; readonly url: string | null } | null } | null;
        }>;
      };
    }>;
  };
}

export interface ShopifyRefundNode {
  readonly id: string;
  readonly createdAt: string;
  readonly note: string | null;
  readonly return: { readonly id: string } | null;
  readonly totalRefundedSet: ShopifyMoneyBag;
  /** Absent for refunds past the follow-up's first ten (read through the refund list alone). */
  readonly refundShippingLines?: { readonly nodes: ReadonlyArray<{ readonly subtotalAmountSet: ShopifyMoneyBag }> };
  readonly refundLineItems?: { readonly nodes: ReadonlyArray<{ readonly quantity: number; readonly lineItem: { readonly id: string; readonly sku: string | null; readonly name: string } }> };
}

export interface ShopifyReturnsRead {
  /** Null when the token lacks `read_returns`: returns unknown, refunds still read. */
  readonly returns: readonly ShopifyReturnNode[] | null;
  readonly refunds: readonly ShopifyRefundNode[];
}
