/* db_payment.c — every SQL statement of the payment service, named and prepared on each
 * connection. JSON shapes come from the SQL functions of the migrations. */
#include <stddef.h>

#include "payment.h"

#define CO_READ                                                                                              \
	"SELECT status, amount_cents, currency, provider, user_id, coalesce(household_id::text, ''), "       \
	"trans_id,"                                                                                          \
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS'), expires_at < now()"                    \
	" FROM checkouts WHERE id = $1::uuid"
#define LIVE_CHECKOUT "c.status IN ('created', 'pending')"

const struct lc_sql pay_statements[] = {
    /* price grids */
    {"grid_list", "SELECT grid_json(g)::text FROM price_grids g ORDER BY g.service"},
    {"grid_get", "SELECT grid_json(g)::text, g.brackets::text, g.default_price_cents, g.label"
                 " FROM price_grids g WHERE g.service = $1"},
    {"grid_upsert",
     "INSERT INTO price_grids (service, label, brackets, default_price_cents) VALUES ($1, $2, $3::jsonb, "
     "$4::bigint)"
     " ON CONFLICT (service) DO UPDATE SET label = $2, brackets = $3::jsonb, default_price_cents = "
     "$4::bigint,"
     " revision = price_grids.revision + 1, updated_at = now() RETURNING grid_json(price_grids)::text,"
     " (xmax = 0)"},
    {"grid_upsert_plain", "INSERT INTO price_grids (service, label, brackets, default_price_cents)"
                          " VALUES ($1, $2, $3::jsonb, $4::bigint) ON CONFLICT (service) DO NOTHING"},
    {"demo_backdate",
     "WITH c AS (UPDATE checkouts SET created_at = now() - interval '32 days',"
     " paid_at = now() - interval '32 days', expires_at = now() - interval '32 days'"
     " WHERE id = $1::uuid RETURNING id)"
     " UPDATE invoices SET paid_at = now() - interval '32 days', created_at = now() - interval '40 days',"
     " due_date = (now() - interval '20 days')::date WHERE id = $2::uuid"},
    {"grid_delete", "DELETE FROM price_grids WHERE service = $1"},

    /* invoices */
    {"inv_number", "INSERT INTO invoice_counters (year, n) VALUES ($1::int, 1)"
                   " ON CONFLICT (year) DO UPDATE SET n = invoice_counters.n + 1 RETURNING n"},
    {"inv_insert",
     "INSERT INTO invoices (number, household_id, label, lines, total_cents, due_date, source, "
     "source_service,"
     " source_key, request_hash, pricing, created_by) VALUES ($1, $2::uuid, $3, $4::jsonb, $5::bigint, "
     "$6::date,"
     " $7, NULLIF($8, ''), NULLIF($9, ''), NULLIF($10, ''), NULLIF($11, '')::jsonb, NULLIF($12, '')::uuid)"
     " RETURNING invoice_json(invoices)::text"},
    {"inv_by_key", "SELECT invoice_json(i)::text, coalesce(i.request_hash, '') FROM invoices i"
                   " WHERE i.source_service = $1 AND i.source_key = $2"},
    {"inv_get", "SELECT invoice_json(i)::text, i.household_id FROM invoices i WHERE i.id = $1::uuid"},
    {"inv_lock", "SELECT household_id, status, total_cents, paid_cents, refunded_cents, number, label"
                 " FROM invoices WHERE id = $1::uuid FOR UPDATE"},
    {"inv_list_household", "SELECT invoice_json(i)::text FROM invoices i WHERE i.household_id = $1::uuid"
                           " AND ($2 = '' OR i.status = $2) ORDER BY i.created_at DESC, i.id DESC LIMIT 500"},
    {"inv_list_admin", "SELECT invoice_json(i)::text FROM invoices i WHERE ($1 = '' OR i.status = $1)"
                       " AND ($2 = '' OR i.household_id = NULLIF($2, '')::uuid)"
                       " AND ($3 = '' OR strpos(lower(i.number || ' ' || i.label), lower($3)) > 0)"
                       " ORDER BY i.created_at DESC, i.id DESC LIMIT $4::int OFFSET $5::int"},
    {"inv_cancel", "UPDATE invoices SET status = 'cancelled', cancelled_at = now() WHERE id = $1::uuid"
                   " RETURNING invoice_json(invoices)::text"},
    {"inv_pay", "UPDATE invoices SET status = 'paid', paid_cents = total_cents, paid_at = now()"
                " WHERE id = $1::uuid AND status = 'open' RETURNING number, household_id, total_cents, label,"
                " coalesce(source_service, ''), coalesce(source_key, '')"},
    {"inv_refund", "UPDATE invoices SET refunded_cents = refunded_cents + $2::bigint,"
                   " status = CASE WHEN refunded_cents + $2::bigint >= paid_cents THEN 'refunded' ELSE "
                   "'partially_refunded' END"
                   " WHERE id = $1::uuid RETURNING invoice_json(invoices)::text"},
    {"inv_live_checkouts",
     "SELECT c.id, c.user_id FROM checkout_invoices ci JOIN checkouts c ON c.id = ci.checkout_id"
     " WHERE ci.invoice_id = $1::uuid AND " LIVE_CHECKOUT " AND c.expires_at > now()"},
    {"inv_paid_checkout",
     "SELECT c.id, c.provider, coalesce(c.provider_ref, '') FROM checkout_invoices ci"
     " JOIN checkouts c ON c.id = ci.checkout_id WHERE ci.invoice_id = $1::uuid AND c.status = 'succeeded'"},

    /* checkouts */
    {"co_by_key", "SELECT id, request_hash, amount_cents, status, iso(expires_at) FROM checkouts"
                  " WHERE user_id = $1::uuid AND idempotency_key = $2"},
    {"co_insert",
     "INSERT INTO checkouts (user_id, household_id, idempotency_key, request_hash, provider, trans_id,"
     " amount_cents, expires_at) VALUES ($1::uuid, NULLIF($2, '')::uuid, $3, $4, $5,"
     " lpad(nextval('trans_seq')::text, 6, '0'), $6::bigint, now() + make_interval(mins => $7::int))"
     " RETURNING id, iso(expires_at)"},
    {"co_add_invoice", "INSERT INTO checkout_invoices (checkout_id, invoice_id, amount_cents)"
                       " VALUES ($1::uuid, $2::uuid, $3::bigint)"},
    {"co_cancel", "UPDATE checkouts SET status = 'cancelled', updated_at = now()"
                  " WHERE id = $1::uuid AND status IN ('created', 'pending')"},
    {"co_get",
     "SELECT jsonb_build_object('id', c.id, 'status', c.status, 'amount_cents', c.amount_cents, 'currency', "
     "'EUR',"
     " 'provider', c.provider, 'created_at', iso(c.created_at), 'expires_at', iso(c.expires_at),"
     " 'paid_at', iso(c.paid_at), 'invoices', coalesce((SELECT jsonb_agg(jsonb_build_object('id', i.id,"
     " 'number', i.number, 'label', i.label, 'amount_cents', ci.amount_cents) ORDER BY i.number)"
     " FROM checkout_invoices ci JOIN invoices i ON i.id = ci.invoice_id WHERE ci.checkout_id = c.id), '[]'),"
     " 'holds', coalesce((SELECT jsonb_agg(hold_json(h) ORDER BY h.created_at) FROM holds h"
     " WHERE h.checkout_id = c.id), '[]'),"
     " 'tickets', coalesce((SELECT jsonb_agg(ticket_json(t) ORDER BY t.issued_at, t.id) FROM tickets t"
     " WHERE t.checkout_id = c.id), '[]'))::text, c.user_id FROM checkouts c WHERE c.id = $1::uuid"},
    {"co_lock", CO_READ " FOR UPDATE"},
    {"co_read", CO_READ},
    {"co_mark_pending", "UPDATE checkouts SET status = 'pending', updated_at = now()"
                        " WHERE id = $1::uuid AND status = 'created'"},
    {"co_set_status",
     "UPDATE checkouts SET status = $2, provider_ref = coalesce(NULLIF($3, ''), provider_ref),"
     " paid_at = CASE WHEN $2 = 'succeeded' THEN now() ELSE paid_at END, updated_at = now() WHERE id = "
     "$1::uuid"},
    {"co_invoices",
     "SELECT i.id, i.number, i.household_id, i.total_cents, i.status, i.label FROM checkout_invoices ci"
     " JOIN invoices i ON i.id = ci.invoice_id WHERE ci.checkout_id = $1::uuid ORDER BY i.id FOR UPDATE OF "
     "i"},
    {"co_holds", "SELECT id, category_id, quantity, status FROM holds WHERE checkout_id = $1::uuid"
                 " ORDER BY id FOR UPDATE"},
    {"co_list_admin",
     "SELECT jsonb_build_object('id', c.id, 'status', c.status, 'amount_cents', c.amount_cents, 'provider',"
     " c.provider, 'provider_ref', c.provider_ref, 'created_at', iso(c.created_at), 'paid_at', "
     "iso(c.paid_at),"
     " 'refunded_cents', coalesce((SELECT sum(r.amount_cents) FROM refunds r WHERE r.checkout_id = c.id), 0),"
     " 'invoice_numbers', coalesce((SELECT jsonb_agg(i.number ORDER BY i.number) FROM checkout_invoices ci"
     " JOIN invoices i ON i.id = ci.invoice_id WHERE ci.checkout_id = c.id), '[]'),"
     " 'late_payments', coalesce((SELECT jsonb_agg(late_payment_json(l) ORDER BY l.created_at)"
     " FROM late_payments l WHERE l.checkout_id = c.id), '[]'))::text"
     " FROM checkouts c WHERE ($1 = '' OR c.status = $1) ORDER BY c.created_at DESC, c.id DESC"
     " LIMIT $2::int OFFSET $3::int"},

    /* holds and seats */
    {"cat_find", "SELECT c.id, c.price_cents, e.per_order_limit, now() < e.sales_open_at, now() > "
                 "e.sales_close_at, e.title"
                 " FROM ticket_categories c JOIN ticketed_events e ON e.event_id = c.event_id"
                 " WHERE c.event_id = $1::uuid AND c.label = $2"},
    /* A paid hold in one statement: find the category, check the sales window and the per-order
     * limit, reserve the seats and record the hold. The category row is the lock that keeps
     * capacity from being exceeded; done in one statement it is held for microseconds, not across
     * client round trips. A hold is a 15-minute reservation, so its commit need not wait for the
     * WAL flush (a crash loses at most the last instants of holds, i.e. frees seats); payments and
     * tickets keep the synchronous commit. No row: no such category. The hold's columns are NULL
     * when nothing was reserved (free category, window, limit, or seats gone); its JSON has
     * hold_json's shape, built from the rows at hand rather than read back from the hot row. */
    {"hold_take",
     "WITH k AS (SELECT c.id, c.price_cents, e.per_order_limit, now() < e.sales_open_at AS not_yet,"
     " now() > e.sales_close_at AS over FROM ticket_categories c JOIN ticketed_events e ON e.event_id = "
     "c.event_id WHERE c.event_id = $1::uuid AND c.label = $2),"
     " r AS (UPDATE ticket_categories t SET held = t.held + $4::int FROM k WHERE t.id = k.id"
     " AND k.price_cents > 0 AND NOT k.not_yet AND NOT k.over AND $4::int <= k.per_order_limit"
     " AND t.sold + t.held + $4::int <= t.capacity RETURNING t.id, t.event_id, t.label, t.price_cents),"
     " h AS (INSERT INTO holds (user_id, category_id, quantity, holder_name, status, expires_at)"
     " SELECT $3::uuid, r.id, $4::int, $5, 'active', now() + make_interval(mins => $6::int) FROM r"
     " RETURNING id, category_id, quantity, status, expires_at)"
     " SELECT k.id, k.price_cents, k.per_order_limit, k.not_yet, k.over, h.id,"
     " jsonb_build_object('id', h.id, 'category_id', h.category_id, 'event_id', r.event_id, 'category',"
     " r.label, 'quantity', h.quantity, 'unit_cents', r.price_cents, 'amount_cents', r.price_cents * "
     "h.quantity,"
     " 'status', h.status, 'expires_at', iso(h.expires_at))::text,"
     " set_config('synchronous_commit', CASE WHEN h.id IS NULL THEN current_setting('synchronous_commit')"
     " ELSE 'off' END, true)"
     " FROM k LEFT JOIN (h JOIN r ON r.id = h.category_id) ON true"},
    /* Many holds of one category in one statement (hold_batch.c): $3 is [{n, u: user, q:
     * quantity, h: holder}]. The requests the category accepts (paid, sales open, within the
     * per-order limit) are granted all together or not at all: ONE guarded UPDATE adds their
     * sum to held only if sold + held + sum <= capacity still holds on the row as locked (the
     * same re-checked condition as hold_take), then one INSERT records a hold for each. A row
     * per granted hold (n, id, JSON), or a single row with n NULL when none was; no row: no
     * such category. `free` is the seats left as this statement's snapshot saw them, for the
     * one-by-one fallback when the sum does not fit. Commit without waiting for the WAL flush,
     * as hold_take. */
    {"hold_batch",
     "WITH k AS (SELECT c.id, c.price_cents, e.per_order_limit, now() < e.sales_open_at AS not_yet,"
     " now() > e.sales_close_at AS over, c.capacity - c.sold - c.held AS free"
     " FROM ticket_categories c JOIN ticketed_events e ON e.event_id = c.event_id"
     " WHERE c.event_id = $1::uuid AND c.label = $2),"
     " q AS (SELECT r.n, r.u, r.q, r.h, gen_random_uuid() AS hold_id"
     " FROM k, jsonb_to_recordset($3::jsonb) AS r(n int, u uuid, q int, h text)"
     " WHERE k.price_cents > 0 AND NOT k.not_yet AND NOT k.over AND r.q BETWEEN 1 AND k.per_order_limit),"
     " r AS (UPDATE ticket_categories t SET held = t.held + s.total"
     " FROM k, (SELECT sum(q)::int AS total FROM q) s"
     " WHERE t.id = k.id AND s.total > 0 AND t.sold + t.held + s.total <= t.capacity"
     " RETURNING t.id, t.event_id, t.label, t.price_cents),"
     " h AS (INSERT INTO holds (id, user_id, category_id, quantity, holder_name, status, expires_at)"
     " SELECT q.hold_id, q.u, r.id, q.q, q.h, 'active', now() + make_interval(mins => $4::int) FROM q, r"
     " RETURNING id, quantity, expires_at)"
     " SELECT k.id, k.price_cents, k.per_order_limit, k.not_yet, k.over, k.free, q.n, h.id,"
     " jsonb_build_object('id', h.id, 'category_id', r.id, 'event_id', r.event_id, 'category', r.label,"
     " 'quantity', h.quantity, 'unit_cents', r.price_cents, 'amount_cents', r.price_cents * h.quantity,"
     " 'status', 'active', 'expires_at', iso(h.expires_at))::text,"
     " set_config('synchronous_commit', CASE WHEN h.id IS NULL THEN current_setting('synchronous_commit')"
     " ELSE 'off' END, true)"
     " FROM k LEFT JOIN (h JOIN q ON q.hold_id = h.id CROSS JOIN r) ON true ORDER BY q.n"},
    {"cat_reserve", "UPDATE ticket_categories SET held = held + $2::int WHERE id = $1::uuid"
                    " AND sold + held + $2::int <= capacity RETURNING id"},
    {"cat_sell",
     "UPDATE ticket_categories SET held = held - $2::int, sold = sold + $2::int WHERE id = $1::uuid"},
    {"cat_sell_direct", "UPDATE ticket_categories SET sold = sold + $2::int WHERE id = $1::uuid"
                        " AND sold + held + $2::int <= capacity RETURNING id"},
    {"cat_unhold", "UPDATE ticket_categories SET held = held - $2::int WHERE id = $1::uuid"},
    {"cat_unsell", "UPDATE ticket_categories SET sold = sold - 1 WHERE id = $1::uuid"},
    {"cat_free_lock", "SELECT capacity - sold - held FROM ticket_categories WHERE id = $1::uuid FOR UPDATE"},
    {"hold_insert", "INSERT INTO holds (user_id, category_id, quantity, holder_name, status, expires_at)"
                    " VALUES ($1::uuid, $2::uuid, $3::int, $4, $5, now() + make_interval(mins => $6::int))"
                    " RETURNING id, hold_json(holds)::text"},
    {"hold_get", "SELECT hold_json(h)::text, h.user_id FROM holds h WHERE h.id = $1::uuid"},
    {"tickets_of_hold",
     "SELECT ticket_json(t)::text FROM tickets t WHERE t.hold_id = $1::uuid ORDER BY t.id"},
    {"hold_lock",
     "SELECT h.user_id, h.status, h.expires_at > now(), coalesce(c.status, ''), cat.price_cents * h.quantity,"
     " coalesce(c.expires_at > now(), false), coalesce(h.checkout_id::text, '')"
     " FROM holds h JOIN ticket_categories cat ON cat.id = h.category_id"
     " LEFT JOIN checkouts c ON c.id = h.checkout_id WHERE h.id = $1::uuid FOR UPDATE OF h"},
    {"hold_attach",
     "UPDATE holds SET checkout_id = $2::uuid,"
     " expires_at = (SELECT expires_at FROM checkouts WHERE id = $2::uuid) WHERE id = $1::uuid"},
    {"hold_paid", "UPDATE holds SET status = 'paid' WHERE id = $1::uuid AND status = 'active'"
                  " RETURNING category_id, quantity"},
    {"hold_release", "UPDATE holds SET status = 'released' WHERE id = $1::uuid AND status = 'active'"
                     " RETURNING category_id, quantity"},
    {"hold_cancel_own", "SELECT h.id FROM holds h WHERE h.id = $1::uuid AND h.user_id = $2::uuid"
                        " AND h.status = 'active' AND h.checkout_id IS NULL FOR UPDATE"},
    {"hold_for_tickets",
     "SELECT h.user_id, h.category_id, h.quantity, h.holder_name, c.event_id, c.price_cents"
     " FROM holds h JOIN ticket_categories c ON c.id = h.category_id WHERE h.id = $1::uuid"},

    /* tickets */
    {"ticket_insert",
     "INSERT INTO tickets (id, code, event_id, category_id, hold_id, checkout_id, user_id, holder_name, "
     "price_cents)"
     " VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5::uuid, NULLIF($6, '')::uuid, $7::uuid, $8, $9::bigint)"},
    {"tickets_of_user", "SELECT ticket_json(t)::text FROM tickets t WHERE t.user_id = $1::uuid"
                        " ORDER BY t.issued_at DESC, t.id LIMIT 500"},
    {"ticket_get", "SELECT ticket_json(t)::text, t.user_id, t.code FROM tickets t WHERE t.id = $1::uuid"},
    {"ticket_use",
     "UPDATE tickets SET used_at = now() WHERE code = $1 AND used_at IS NULL AND status = 'valid'"
     " RETURNING ticket_json(tickets)::text"},
    {"ticket_by_code", "SELECT ticket_json(t)::text, t.status FROM tickets t WHERE t.code = $1"},
    {"ticket_lock", "SELECT t.status, t.used_at IS NOT NULL, t.price_cents, coalesce(t.checkout_id::text, "
                    "''), t.category_id,"
                    " t.user_id, coalesce(c.provider, ''), coalesce(c.provider_ref, '') FROM tickets t"
                    " LEFT JOIN checkouts c ON c.id = t.checkout_id WHERE t.id = $1::uuid FOR UPDATE OF t"},
    {"ticket_refund",
     "UPDATE tickets SET status = 'refunded' WHERE id = $1::uuid RETURNING ticket_json(tickets)::text"},

    /* ticketing setup */
    {"tev_upsert",
     "INSERT INTO ticketed_events (event_id, title, starts_at, sales_open_at, sales_close_at, "
     "per_order_limit)"
     " VALUES ($1::uuid, $2, NULLIF($3, '')::timestamptz, $4::timestamptz, $5::timestamptz, $6::int)"
     " ON CONFLICT (event_id) DO UPDATE SET title = $2, starts_at = NULLIF($3, '')::timestamptz,"
     " sales_open_at = $4::timestamptz, sales_close_at = $5::timestamptz, per_order_limit = $6::int,"
     " updated_at = now()"},
    {"cat_upsert",
     "INSERT INTO ticket_categories (event_id, label, price_cents, capacity, position)"
     " VALUES ($1::uuid, $2, $3::bigint, $4::int, $5::int) ON CONFLICT (event_id, label) DO UPDATE"
     " SET price_cents = $3::bigint, capacity = $4::int, position = $5::int"},
    {"cat_remove_others",
     "DELETE FROM ticket_categories WHERE event_id = $1::uuid AND NOT (label = ANY($2::text[]))"
     " AND sold = 0 AND held = 0 AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.category_id = "
     "ticket_categories.id)"},
    {"cat_count_others", "SELECT count(*) FROM ticket_categories WHERE event_id = $1::uuid"
                         " AND NOT (label = ANY($2::text[]))"},
    {"tev_get", "SELECT ticketing_json(e)::text FROM ticketed_events e WHERE e.event_id = $1::uuid"},
    {"tev_list",
     "SELECT ticketing_json(e)::text FROM ticketed_events e ORDER BY e.starts_at NULLS LAST, e.title"},

    /* waiting list */
    {"wl_join",
     "INSERT INTO waiting_list (category_id, user_id, quantity) VALUES ($1::uuid, $2::uuid, $3::int)"
     " ON CONFLICT (category_id, user_id) DO UPDATE SET quantity = EXCLUDED.quantity, status = 'waiting',"
     " created_at = CASE WHEN waiting_list.status = 'waiting' THEN waiting_list.created_at ELSE now() END"
     " RETURNING (SELECT count(*) FROM waiting_list w WHERE w.category_id = $1::uuid AND w.status = 'waiting'"
     " AND w.created_at < waiting_list.created_at) + 1"},
    {"wl_next", "SELECT w.id, w.user_id, w.quantity, coalesce((SELECT h.holder_name FROM holds h"
                " WHERE h.user_id = w.user_id ORDER BY h.created_at DESC LIMIT 1), '') FROM waiting_list w"
                " WHERE w.category_id = $1::uuid AND w.status = 'waiting' ORDER BY w.created_at, w.id LIMIT 1"
                " FOR UPDATE"},
    {"wl_offer", "UPDATE waiting_list SET status = 'offered', hold_id = $2::uuid WHERE id = $1::uuid"},
    {"wl_leave", "UPDATE waiting_list SET status = 'left' WHERE category_id = $1::uuid AND user_id = $2::uuid"
                 " AND status = 'waiting'"},
    {"cat_event", "SELECT c.event_id, c.label, e.title FROM ticket_categories c"
                  " JOIN ticketed_events e ON e.event_id = c.event_id WHERE c.id = $1::uuid"},

    /* provider notifications */
    {"notif_insert", "INSERT INTO provider_notifications (provider, checkout_id, verified, outcome, "
                     "trans_status, fields, client_ip)"
                     " VALUES ($1, NULLIF($2, '')::uuid, $3::boolean, $4, NULLIF($5, ''), $6::jsonb, $7)"},

    /* late payments (late.c) */
    {"late_insert", "INSERT INTO late_payments (checkout_id, provider, provider_ref, amount_cents)"
                    " VALUES ($1::uuid, $2, $3, $4::bigint) ON CONFLICT (provider, provider_ref) DO NOTHING"
                    " RETURNING id"},
    {"late_get",
     "SELECT id, provider, provider_ref, amount_cents, status FROM late_payments WHERE id = $1::uuid"},
    {"late_refunded",
     "UPDATE late_payments l SET status = 'refunded', refund_ref = $2, refunded_at = now(),"
     " resolved_by = NULLIF($3, '')::uuid FROM checkouts c WHERE l.id = $1::uuid AND l.status = 'to_refund'"
     " AND c.id = l.checkout_id RETURNING late_payment_json(l)::text, c.user_id, l.amount_cents"},
    {"late_note", "UPDATE late_payments SET note = $2 WHERE id = $1::uuid"},
    {"late_list", "SELECT late_payment_json(l)::text FROM late_payments l WHERE ($1 = '' OR l.status = $1)"
                  " ORDER BY l.created_at DESC, l.id LIMIT 500"},

    /* refunds */
    {"refund_insert",
     "INSERT INTO refunds (checkout_id, invoice_id, ticket_id, amount_cents, reason, provider_ref, by_id)"
     " VALUES ($1::uuid, NULLIF($2, '')::uuid, NULLIF($3, '')::uuid, $4::bigint, $5, NULLIF($6, ''), "
     "$7::uuid)"
     " RETURNING jsonb_build_object('id', id, 'amount_cents', amount_cents, 'reason', reason,"
     " 'provider_ref', provider_ref, 'created_at', iso(created_at))::text"},
    {"refunds_of_invoice",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'amount_cents', r.amount_cents, 'reason', "
     "r.reason,"
     " 'created_at', iso(r.created_at)) ORDER BY r.created_at), '[]')::text FROM refunds r"
     " WHERE r.invoice_id = $1::uuid"},

    /* sweeper */
    {"sweep_checkouts",
     "UPDATE checkouts SET status = 'expired', updated_at = now() WHERE id IN (SELECT id FROM checkouts"
     " WHERE status IN ('created', 'pending') AND expires_at < now() ORDER BY expires_at LIMIT 200"
     " FOR UPDATE SKIP LOCKED) RETURNING id, user_id, amount_cents"},
    {"sweep_holds",
     "UPDATE holds SET status = 'released' WHERE id IN (SELECT id FROM holds WHERE status = 'active'"
     " AND expires_at < now() ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED)"
     " RETURNING category_id, quantity"},
    {"wl_expire_offers",
     "UPDATE waiting_list w SET status = 'left' FROM holds h WHERE w.hold_id = h.id AND w.status = 'offered'"
     " AND h.status = 'released'"},
    {"cats_with_waiting",
     "SELECT DISTINCT w.category_id FROM waiting_list w JOIN ticket_categories c ON c.id = w.category_id"
     " WHERE w.status = 'waiting' AND c.capacity - c.sold - c.held > 0 LIMIT 100"},

    /* exports */
    {"tx_rows_incl",
     "SELECT at, kind, provider, ref, checkout, numbers, paid, refunded FROM ("
     " SELECT c.paid_at AS ts, iso(c.paid_at) AS at, 'payment' AS kind, c.provider, coalesce(c.provider_ref, "
     "'') AS ref,"
     " c.id::text AS checkout, coalesce((SELECT string_agg(i.number, ' ' ORDER BY i.number) FROM "
     "checkout_invoices ci"
     " JOIN invoices i ON i.id = ci.invoice_id WHERE ci.checkout_id = c.id), '') AS numbers,"
     " c.amount_cents AS paid, 0::bigint AS refunded FROM checkouts c WHERE c.status = 'succeeded'"
     " AND c.paid_at >= $1::timestamptz AND c.paid_at < ($2::timestamptz + interval '1 day')"
     " UNION ALL SELECT r.created_at, iso(r.created_at), 'refund', c.provider, coalesce(r.provider_ref, ''),"
     " c.id::text, coalesce(i.number, ''), 0, r.amount_cents FROM refunds r JOIN checkouts c ON c.id = "
     "r.checkout_id"
     " LEFT JOIN invoices i ON i.id = r.invoice_id WHERE r.created_at >= $1::timestamptz"
     " AND r.created_at < ($2::timestamptz + interval '1 day')"
     /* money that came after its checkout ended, and its refund (late.c) */
     " UNION ALL SELECT l.created_at, iso(l.created_at), 'late_payment', l.provider, l.provider_ref,"
     " l.checkout_id::text, '', l.amount_cents, 0 FROM late_payments l WHERE l.created_at >= $1::timestamptz"
     " AND l.created_at < ($2::timestamptz + interval '1 day')"
     " UNION ALL SELECT l.refunded_at, iso(l.refunded_at), 'late_refund', l.provider, coalesce(l.refund_ref, "
     "''),"
     " l.checkout_id::text, '', 0, l.amount_cents FROM late_payments l WHERE l.status = 'refunded'"
     " AND l.refunded_at >= $1::timestamptz AND l.refunded_at < ($2::timestamptz + interval '1 day'))"
     " x ORDER BY ts, kind, checkout LIMIT 200000"},
    {"daily_totals_incl",
     "SELECT jsonb_build_object('date', d::text, 'provider', provider, 'payments_cents', sum(paid),"
     " 'refunds_cents', sum(refunded), 'net_cents', sum(paid) - sum(refunded), 'rows', count(*))::text FROM ("
     " SELECT (c.paid_at AT TIME ZONE 'Europe/Paris')::date AS d, c.provider, c.amount_cents AS paid,"
     " 0::bigint AS refunded FROM checkouts c WHERE c.status = 'succeeded' AND c.paid_at >= $1::timestamptz"
     " AND c.paid_at < ($2::timestamptz + interval '1 day') UNION ALL SELECT (r.created_at AT TIME ZONE "
     "'Europe/Paris')::date,"
     " c.provider, 0, r.amount_cents FROM refunds r JOIN checkouts c ON c.id = r.checkout_id"
     " WHERE r.created_at >= $1::timestamptz AND r.created_at < ($2::timestamptz + interval '1 day')"
     " UNION ALL SELECT (l.created_at AT TIME ZONE 'Europe/Paris')::date, l.provider, l.amount_cents, 0"
     " FROM late_payments l WHERE l.created_at >= $1::timestamptz AND l.created_at < ($2::timestamptz + "
     "interval "
     "'1 day')"
     " UNION ALL SELECT (l.refunded_at AT TIME ZONE 'Europe/Paris')::date, l.provider, 0, l.amount_cents"
     " FROM late_payments l WHERE l.status = 'refunded' AND l.refunded_at >= $1::timestamptz"
     " AND l.refunded_at < ($2::timestamptz + interval '1 day')) x"
     " GROUP BY d, provider ORDER BY d, provider"},
    {NULL, NULL},
};
