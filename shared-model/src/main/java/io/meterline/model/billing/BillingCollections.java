package io.meterline.model.billing;

/** Names of the MongoDB collections two services share. */
public final class BillingCollections {
    public static final String CUSTOMERS = "stripe_customers";
    public static final String SUBSCRIPTIONS = "stripe_subscriptions";
    /** Stripe's meter error reports ({@code v1.billing.meter.error_report_triggered}), see {@link MeterErrorReportDocument}. */
    public static final String METER_ERROR_REPORTS = "stripe_meter_error_reports";

    /** Outcomes of auto-recharge PaymentIntents, see {@link RechargePaymentDocument}. */
    public static final String RECHARGE_PAYMENTS = "recharge_payments";

    private BillingCollections() {
    }
}
