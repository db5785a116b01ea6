/**
 * MongoDB document shapes shared by webhook-service (which writes them from Stripe webhooks) and
 * billing-service (which reads them to resolve customers, subscriptions and metered items). Plain classes with
 * public fields and a field named {@code id} (stored as {@code _id}), usable with the MongoDB POJO codec.
 */
package io.meterline.model.billing;
