package io.meterline.billing.ops;

import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.reconciliation.ReconciliationRun;
import io.meterline.billing.reporting.ReportRun;
import io.meterline.billing.usage.UsageExplanation;
import io.meterline.model.Violation;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * The ops console: server-rendered HTML, readable without JavaScript. Signed in with an admin JWT kept in an
 * HttpOnly SameSite=Strict cookie (never in a URL); the one state-changing form (replay) carries a CSRF token.
 */
@Path("/ops")
@Produces(MediaType.TEXT_HTML)
public class OpsResource {

    private static final Logger LOG = Logger.getLogger(OpsResource.class);
    /** Differing windows listed on a reconciliation run's page (the JSON endpoint pages through all of them). */
    private static final int DIFFERING_SHOWN = 200;

    private final OpsSession session;
    private final OpsView view;
    private final PipelineStatus pipeline;
    private final WebhookEvents webhooks;
    private final OpsConfig config;
    private final Template login;
    private final Template console;
    private final Template run;
    private final Template customer;
    private final Template reconciliation;
    private final Template explain;

    public OpsResource(OpsSession session, OpsView view, PipelineStatus pipeline, WebhookEvents webhooks,
            io.meterline.billing.config.BillingConfig config,
            @Location("ops/login.html") Template login, @Location("ops/console.html") Template console,
            @Location("ops/run.html") Template run, @Location("ops/customer.html") Template customer,
            @Location("ops/reconciliation.html") Template reconciliation, @Location("ops/explain.html") Template explain) {
        this.reconciliation = reconciliation;
        this.explain = explain;
        this.session = session;
        this.view = view;
        this.pipeline = pipeline;
        this.webhooks = webhooks;
        this.config = config.ops();
        this.login = login;
        this.console = console;
        this.run = run;
        this.customer = customer;
    }

    @GET
    public Response console(@CookieParam(OpsSession.COOKIE) String token) {
        if (session.verify(token).isEmpty()) {
            return page(login.data("error", null));
        }
        List<WebhookEvents.Event> troubled = List.of();
        String webhookError = null;
        if (webhooks.configured()) {
            try {
                troubled = webhooks.troubled(token);
            } catch (RuntimeException e) {
                webhookError = e.getMessage();
            }
        }
        return page(console.data("services", pipeline.services()).data("dryRun", view.dryRun())
                .data("lag", view.lag()).data("rates", view.rates()).data("dlq", view.dlqByReason())
                .data("runs", view.recentRuns()).data("reconciliations", view.recentReconciliations()).data("webhooksConfigured", webhooks.configured())
                .data("webhookEvents", troubled).data("webhookError", webhookError)
                .data("csrf", OpsSession.csrf(token.trim())));
    }

    @POST
    @Path("/login")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("token") String token) {
        if (session.verify(token).isEmpty()) {
            LOG.info("ops console sign-in refused (token invalid, expired or without the admin role)");
            return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.TEXT_HTML)
                    .entity(login.data("error", "That token is not valid, has expired, or lacks the admin role.").render())
                    .build();
        }
        return Response.seeOther(URI.create("/ops")).cookie(cookie(token.trim(), -1)).build();
    }

    @POST
    @Path("/logout")
    public Response logout() {
        return Response.seeOther(URI.create("/ops")).cookie(cookie("", 0)).build();
    }

    @GET
    @Path("/runs/{id}")
    public Response run(@CookieParam(OpsSession.COOKIE) String token, @PathParam("id") String id) {
        if (session.verify(token).isEmpty()) {
            return Response.seeOther(URI.create("/ops")).build();
        }
        ReportRun found = view.run(id);
        if (found == null) {
            return Response.status(Response.Status.NOT_FOUND).type(MediaType.TEXT_HTML)
                    .entity(run.data("run", null).data("id", id).render()).build();
        }
        return page(run.data("run", found).data("id", id));
    }

    @GET
    @Path("/customers/{subject}")
    public Response customer(@CookieParam(OpsSession.COOKIE) String token, @PathParam("subject") String subject) {
        if (session.verify(token).isEmpty()) {
            return Response.seeOther(URI.create("/ops")).build();
        }
        return page(customer.data("subject", subject).data("charts", view.customer(subject, 24)));
    }

    @GET
    @Path("/reconciliations/{id}")
    public Response reconciliation(@CookieParam(OpsSession.COOKIE) String token, @PathParam("id") String id) {
        if (session.verify(token).isEmpty()) {
            return Response.seeOther(URI.create("/ops")).build();
        }
        ReconciliationRun found = view.reconciliation(id, DIFFERING_SHOWN);
        if (found == null) {
            return Response.status(Response.Status.NOT_FOUND).type(MediaType.TEXT_HTML)
                    .entity(reconciliation.data("run", null).data("id", id).render()).build();
        }
        return page(reconciliation.data("run", found).data("id", id));
    }

    /** One hour of one customer's meter explained ({@code GET /v1/usage/explain} for the console's session). */
    @GET
    @Path("/explain")
    public Response explain(@CookieParam(OpsSession.COOKIE) String token, @QueryParam("meter") String meter,
            @QueryParam("customer") String customer, @QueryParam("hour") String hour) {
        if (session.verify(token).isEmpty()) {
            return Response.seeOther(URI.create("/ops")).build();
        }
        require("meter", meter);
        require("customer", customer);
        require("hour", hour);
        Instant at;
        try {
            at = OffsetDateTime.parse(hour).toInstant();
        } catch (DateTimeParseException e) {
            throw BillingException.invalidParameter("hour", "invalid_time", "hour must be an RFC 3339 timestamp with offset");
        }
        UsageExplanation found = view.explain(meter, customer, at);
        if (found == null) {
            throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + meter,
                    List.of(new Violation("meter", "unknown", "no meter with key " + meter)));
        }
        return page(explain.data("x", found).data("customerHref", OpsLinks.customer(customer)));
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw BillingException.invalidParameter(field, "missing", field + " is required");
        }
    }

    /** The console's customer search form (a GET form, so it works without JavaScript). */
    @GET
    @Path("/customers")
    public Response findCustomer(@jakarta.ws.rs.QueryParam("subject") String subject) {
        String target = subject == null || subject.isBlank() ? "/ops"
                : OpsLinks.customer(subject.trim());
        return Response.seeOther(URI.create(target)).build();
    }

    @POST
    @Path("/webhook-events/{id}/replay")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response replay(@CookieParam(OpsSession.COOKIE) String token, @PathParam("id") String id,
            @FormParam("csrf") String csrf) {
        Optional<org.eclipse.microprofile.jwt.JsonWebToken> jwt = session.verify(token);
        if (jwt.isEmpty()) {
            return Response.seeOther(URI.create("/ops")).build();
        }
        if (!OpsSession.csrfMatches(token.trim(), csrf)) {
            LOG.warnf("ops replay of %s refused: CSRF token missing or wrong", id);
            return Response.status(Response.Status.FORBIDDEN).type(MediaType.TEXT_PLAIN)
                    .entity("The form's CSRF token is missing or does not match your session.").build();
        }
        webhooks.replay(token.trim(), id);
        LOG.infof("ops: %s replayed webhook event %s", jwt.get().getName(), id);
        return Response.seeOther(URI.create("/ops#webhooks")).build();
    }

    private NewCookie cookie(String value, int maxAge) {
        return new NewCookie.Builder(OpsSession.COOKIE).value(value).path("/ops").httpOnly(true)
                .secure(config.secureCookie()).sameSite(NewCookie.SameSite.STRICT).maxAge(maxAge).build();
    }

    private static Response page(io.quarkus.qute.TemplateInstance instance) {
        return Response.ok(instance.render(), MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", "no-store").header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
                .build();
    }
}
