-- 0120_late_payments.sql — money that arrived after its checkout ended (expired or cancelled):
-- nothing waits for it any more (seats freed, invoices still open), so it goes back to the payer.
-- One row per provider transaction, recorded in the notification's transaction as owed
-- ('to_refund'); the provider's refund then makes it 'refunded'. What the provider cannot refund
-- (Systempay without its REST API password) stays 'to_refund' for the treasury, which refunds it
-- in the provider's back office and marks it done (resolved_by).
CREATE TABLE late_payments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    checkout_id  uuid NOT NULL REFERENCES checkouts (id),
    provider     text NOT NULL,
    provider_ref text NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    status       text NOT NULL DEFAULT 'to_refund' CHECK (status IN ('to_refund', 'refunded')),
    refund_ref   text,
    note         text, -- why the provider did not refund it, for the treasury
    resolved_by  uuid, -- the treasury agent who marked a manual refund done (NULL: the provider)
    created_at   timestamptz NOT NULL DEFAULT now(),
    refunded_at  timestamptz,
    UNIQUE (provider, provider_ref)
);
CREATE INDEX late_payments_checkout ON late_payments (checkout_id);
CREATE INDEX late_payments_to_refund ON late_payments (created_at) WHERE status = 'to_refund';

CREATE FUNCTION late_payment_json(l late_payments) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', l.id, 'checkout_id', l.checkout_id, 'provider', l.provider,
        'provider_ref', l.provider_ref, 'amount_cents', l.amount_cents, 'status', l.status,
        'refund_ref', l.refund_ref, 'note', l.note, 'manual', l.resolved_by IS NOT NULL,
        'created_at', iso(l.created_at), 'refunded_at', iso(l.refunded_at))
$$;
