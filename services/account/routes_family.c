/* routes_family.c — the family area of civitas-account (compte famille): its routes and its
 * prepared statements, listed by account_service as .more_routes and .more_statements. */
#include <stddef.h>

#include "family.h"
#include "family_int.h"
#include "family_rules.h"

#define KB 1024

const struct lc_route family_routes[] = {
    {"GET", FAM_API "/me/household", LC_AUTH_USER, h_household_get, 0, 0},
    {"PATCH", FAM_API "/me/household", LC_AUTH_USER, h_household_patch, 4 * KB, 0},
    {"POST", FAM_API "/me/household/members", LC_AUTH_USER, h_member_create, 4 * KB, 0},
    {"GET", FAM_API "/me/household/members/{id}", LC_AUTH_USER, h_member_get, 0, 0},
    {"PATCH", FAM_API "/me/household/members/{id}", LC_AUTH_USER, h_member_patch, 4 * KB, 0},
    {"DELETE", FAM_API "/me/household/members/{id}", LC_AUTH_USER, h_member_delete, 0, 0},
    {"POST", FAM_API "/me/household/invitations", LC_AUTH_USER, h_invitation_create, 1 * KB, 0},
    {"GET", FAM_API "/me/household/invitations", LC_AUTH_USER, h_invitation_list, 0, 0},
    {"DELETE", FAM_API "/me/household/invitations/{id}", LC_AUTH_USER, h_invitation_delete, 0, 0},
    {"POST", FAM_API "/me/household/join", LC_AUTH_USER, h_invitation_accept, 1 * KB, 0},
    {"POST", FAM_API "/me/household/quotient", LC_AUTH_USER, h_quotient_declare, 1 * KB, 0},
    {"GET", FAM_API "/agent/households", LC_AUTH_USER, h_agent_households, 0, 0},
    {"POST", FAM_API "/agent/households/{id}/quotient", LC_AUTH_USER, h_agent_quotient_verify, 1 * KB, 0},
    {"GET", FAM_API "/agent/households/{id}/quotient/certificate", LC_AUTH_USER, h_agent_quotient_certificate,
     0, 0},
    /* The cap is the gateway's (12 MiB), above the 10 MiB a document may weigh: a file a little
     * too large is read and refused by the handler with the limit in the problem. Refused before
     * it is read, the body would still be in flight from nginx, which then sees a reset (502). */
    {"POST", FAM_API "/me/documents", LC_AUTH_USER, h_document_upload, FAM_UPLOAD_CAP, LC_BODY_RAW},
    {"GET", FAM_API "/me/documents", LC_AUTH_USER, h_document_list, 0, 0},
    {"GET", FAM_API "/me/documents/{id}", LC_AUTH_USER, h_document_get, 0, 0},
    {"GET", FAM_API "/me/documents/{id}/content", LC_AUTH_USER, h_document_content, 0, 0},
    {"DELETE", FAM_API "/me/documents/{id}", LC_AUTH_USER, h_document_delete, 0, 0},
    {"GET", FAM_API "/me/export", LC_AUTH_USER, h_me_export, 0, 0},
    {"DELETE", FAM_API "/me", LC_AUTH_USER, h_me_delete, 1 * KB, LC_OFFLOAD}, /* hashes: see routes.c */
    {"GET", "/internal/v1/households/{id}", LC_AUTH_INTERNAL, h_internal_household, 0, 0},
    {"GET", "/internal/v1/documents/{id}", LC_AUTH_INTERNAL, h_internal_document, 0, 0},
    {"GET", "/internal/v1/documents/{id}/content", LC_AUTH_INTERNAL, h_internal_document_content, 0, 0},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

/* Columns of a household row (fam_hh_get): the quotient's state is "expired" once a verified
 * value has passed its valid_until date. */
#define HH_COLS                                                                                              \
	"h.id, h.address_line1, h.address_line2, h.postcode, h.city, h.qf_value,"                            \
	" CASE WHEN h.qf_state = 'verified' AND h.qf_valid_until < current_date THEN 'expired'"              \
	" ELSE h.qf_state END, to_char(h.qf_valid_until, 'YYYY-MM-DD'), h.qf_document_id, " FAM_TS(          \
	    "h.qf_declared_at") ", " FAM_TS("h.qf_verified_at") ", h.version"
#define HH_QF_STATE                                                                                          \
	"CASE WHEN h.qf_state = 'verified' AND h.qf_valid_until < current_date THEN 'expired' ELSE "         \
	"h.qf_state END"
/* Columns of a member row; an adult with an account shows the names of their profile. */
#define MEMBER_COLS                                                                                          \
	"m.id, m.relation, COALESCE(u.given_name, m.given_name), COALESCE(u.family_name, m.family_name),"    \
	" to_char(m.birth_date, 'YYYY-MM-DD'), m.sex, m.school_class, m.user_id, m.version, m.household_id"
#define MEMBER_FROM " FROM household_members m LEFT JOIN users u ON u.id = m.user_id AND u.erased_at IS NULL"
#define DOC_COLS                                                                                             \
	"d.id, d.household_id, d.member_id, d.kind, d.filename, d.mime, d.size, d.sha256, " FAM_TS(          \
	    "d.uploaded_at") ", to_char(d.valid_until, 'YYYY-MM-DD'), " FAM_TS_US("d.uploaded_at")

const struct lc_sql family_sql[] = {
    /* people and their household */
    {"fam_user_get", "SELECT given_name, family_name, email, password_hash FROM users"
                     " WHERE id = $1::uuid AND erased_at IS NULL"},
    {"fam_user_by_email", "SELECT id FROM users WHERE lower(email) = lower($1) AND erased_at IS NULL"},
    {"fam_hh_of_user", "SELECT household_id FROM household_members WHERE user_id = $1::uuid"},
    {"fam_hh_insert", "INSERT INTO households DEFAULT VALUES RETURNING id"},
    {"fam_hh_delete", "DELETE FROM households WHERE id = $1::uuid"},
    {"fam_member_insert_self",
     "INSERT INTO household_members (household_id, relation, given_name, family_name, user_id)"
     " SELECT $1::uuid, 'adult', u.given_name, u.family_name, u.id FROM users u"
     " WHERE u.id = $2::uuid AND u.erased_at IS NULL"
     " ON CONFLICT (user_id) WHERE user_id IS NOT NULL DO NOTHING RETURNING id"},
    {"fam_hh_get", "SELECT " HH_COLS " FROM households h WHERE h.id = $1::uuid"},
    {"fam_hh_lock", "SELECT version FROM households WHERE id = $1::uuid FOR UPDATE"},
    {"fam_hh_adults", "SELECT user_id FROM household_members WHERE household_id = $1::uuid"
                      " AND user_id IS NOT NULL ORDER BY created_at, id"},
    {"fam_hh_address",
     "UPDATE households SET address_line1 = $2, address_line2 = $3, postcode = $4, city = $5,"
     " version = version + 1, updated_at = now() WHERE id = $1::uuid RETURNING version"},
    {"fam_hh_bump", "UPDATE households SET version = version + 1, updated_at = now() WHERE id = $1::uuid"},
    {"fam_hh_counts", "SELECT count(*), count(user_id) FROM household_members WHERE household_id = $1::uuid"},
    /* members */
    {"fam_members_list", "SELECT " MEMBER_COLS MEMBER_FROM " WHERE m.household_id = $1::uuid"
                         " ORDER BY m.relation = 'adult' DESC, m.birth_date NULLS FIRST, m.created_at, m.id"},
    {"fam_member_get",
     "SELECT " MEMBER_COLS MEMBER_FROM " WHERE m.id = $1::uuid AND m.household_id = $2::uuid"},
    {"fam_member_insert",
     "INSERT INTO household_members (household_id, relation, given_name, family_name, birth_date, sex,"
     " school_class) VALUES ($1::uuid, $2, $3, $4, $5::date, $6, $7) RETURNING id"},
    {"fam_member_update",
     "UPDATE household_members SET relation = $3, given_name = $4, family_name = $5, birth_date = $6::date,"
     " sex = $7, school_class = $8, version = version + 1, updated_at = now()"
     " WHERE id = $1::uuid AND household_id = $2::uuid RETURNING version"},
    {"fam_member_of_user", "SELECT id FROM household_members WHERE user_id = $1::uuid"},
    {"fam_member_set_birth",
     "UPDATE household_members SET birth_date = $2::date, sex = $3, version = version + 1,"
     " updated_at = now() WHERE user_id = $1::uuid"},
    {"fam_member_delete", "DELETE FROM household_members WHERE id = $1::uuid AND household_id = $2::uuid"},
    /* quotient familial */
    {"fam_qf_declare",
     "UPDATE households SET qf_value = $2::int, qf_state = 'declared', qf_valid_until = NULL,"
     " qf_document_id = $3::uuid, qf_declared_at = now(), qf_verified_at = NULL, qf_verified_by = NULL,"
     " version = version + 1, updated_at = now() WHERE id = $1::uuid"},
    {"fam_qf_verify",
     "UPDATE households SET qf_value = $2::int, qf_state = 'verified', qf_valid_until = $3::date,"
     " qf_verified_at = now(), qf_verified_by = $4::uuid, version = version + 1, updated_at = now()"
     " WHERE id = $1::uuid AND qf_state IS NOT NULL RETURNING version"},
    {"fam_qf_queue",
     "SELECT " HH_COLS ", (SELECT string_agg(COALESCE(u.given_name, m.given_name) || ' ' ||"
     " COALESCE(u.family_name, m.family_name), ', ' ORDER BY m.created_at)" MEMBER_FROM
     " WHERE m.household_id = h.id AND m.relation = 'adult'), " FAM_TS_US(
         "h.qf_declared_at") ", d.filename, d.mime FROM households h LEFT JOIN documents d ON d.id = "
                             "h.qf_document_id"
                             " WHERE " HH_QF_STATE
                             " = $1 AND h.qf_state = CASE $1 WHEN 'expired' THEN 'verified' ELSE $1 END"
                             " AND (h.qf_declared_at, h.id) > ($2::timestamptz, $3::uuid)"
                             " ORDER BY h.qf_declared_at, h.id LIMIT $4::int"},
    {"fam_qf_certificate", "SELECT d.mime, d.filename, c.content, d.id FROM households h JOIN documents d ON "
                           "d.id = h.qf_document_id"
                           " JOIN document_contents c ON c.document_id = d.id WHERE h.id = $1::uuid"},
    /* invitations */
    {"fam_inv_insert",
     "INSERT INTO household_invitations (household_id, email, token_hash, invited_by, expires_at)"
     " VALUES ($1::uuid, $2, $3, $4::uuid, now() + interval '7 days')"
     " RETURNING id, " FAM_TS("created_at") ", " FAM_TS("expires_at")},
    {"fam_inv_pending_count", "SELECT count(*) FROM household_invitations WHERE household_id = $1::uuid"
                              " AND accepted_at IS NULL AND expires_at > now()"},
    {"fam_inv_list",
     "SELECT id, email, " FAM_TS("created_at") ", " FAM_TS(
         "expires_at") " FROM household_invitations WHERE household_id = $1::uuid AND accepted_at IS NULL"
                       " AND expires_at > now() ORDER BY created_at DESC, id LIMIT 20"},
    {"fam_inv_delete", "DELETE FROM household_invitations WHERE id = $1::uuid AND household_id = $2::uuid"
                       " AND accepted_at IS NULL"},
    {"fam_inv_by_token", "SELECT id, household_id, email FROM household_invitations WHERE token_hash = $1"
                         " AND accepted_at IS NULL AND expires_at > now() FOR UPDATE"},
    {"fam_inv_accept", "UPDATE household_invitations SET accepted_at = now(), accepted_by = $2::uuid"
                       " WHERE id = $1::uuid"},
    {"fam_member_move",
     "UPDATE household_members SET household_id = $2::uuid, version = version + 1, updated_at = now()"
     " WHERE user_id = $1::uuid"},
    {"fam_docs_move", "UPDATE documents SET household_id = $2::uuid WHERE household_id = $1::uuid"},
    /* documents */
    {"fam_doc_used", "SELECT COALESCE(sum(size), 0) FROM documents WHERE household_id = $1::uuid"},
    {"fam_doc_insert",
     "INSERT INTO documents (household_id, member_id, kind, filename, mime, size, sha256, valid_until,"
     " uploaded_by) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::bigint, $7, $8::date, $9::uuid) RETURNING "
     "id"},
    {"fam_doc_content_insert",
     "INSERT INTO document_contents (document_id, content) VALUES ($1::uuid, $2::bytea)"},
    {"fam_doc_list",
     "SELECT " DOC_COLS " FROM documents d WHERE d.household_id = $1::uuid"
     " AND (d.uploaded_at, d.id) < ($2::timestamptz, $3::uuid) AND ($4::text IS NULL OR d.kind = $4)"
     " AND ($5::uuid IS NULL OR d.member_id = $5::uuid) ORDER BY d.uploaded_at DESC, d.id DESC LIMIT "
     "$6::int"},
    {"fam_doc_all", "SELECT " DOC_COLS " FROM documents d WHERE d.household_id = $1::uuid"
                    " ORDER BY d.uploaded_at DESC, d.id DESC"},
    {"fam_doc_get",
     "SELECT " DOC_COLS " FROM documents d WHERE d.id = $1::uuid AND d.household_id = $2::uuid"},
    {"fam_doc_get_any", "SELECT " DOC_COLS " FROM documents d WHERE d.id = $1::uuid"},
    {"fam_doc_content", "SELECT d.mime, d.filename, c.content FROM documents d"
                        " JOIN document_contents c ON c.document_id = d.id"
                        " WHERE d.id = $1::uuid AND d.household_id = $2::uuid"},
    {"fam_doc_content_any", "SELECT d.mime, d.filename, c.content FROM documents d"
                            " JOIN document_contents c ON c.document_id = d.id WHERE d.id = $1::uuid"},
    {"fam_doc_delete", "DELETE FROM documents WHERE id = $1::uuid AND household_id = $2::uuid"},
    {"fam_doc_kind", "SELECT kind FROM documents WHERE id = $1::uuid AND household_id = $2::uuid"},
    {"fam_doc_by_sha",
     "SELECT id FROM documents WHERE household_id = $1::uuid AND sha256 = $2 AND kind = $3"},
    /* GDPR */
    /* search_text is the admins' search key (0195), a copy of the e-mail and names already there. */
    {"fam_user_export", "SELECT (to_jsonb(u) - 'password_hash' - 'totp_secret' - 'totp_pending'"
                        " - 'search_text')::text"
                        " FROM users u WHERE id = $1::uuid AND erased_at IS NULL"},
    {"fam_erase_identity", "SELECT fam_erase_identity($1::uuid)"},
    {"fam_user_rows_export", "SELECT fam_user_rows($1::uuid)::text"},
    {"fam_inv_all",
     "SELECT id, email, " FAM_TS("created_at") ", " FAM_TS("expires_at") ", " FAM_TS(
         "accepted_at") " FROM household_invitations WHERE household_id = $1::uuid ORDER BY created_at"},
    {"fam_member_docs_delete", "DELETE FROM documents d USING household_members m WHERE m.user_id = $1::uuid"
                               " AND d.member_id = m.id"},
    {"fam_member_delete_user", "DELETE FROM household_members WHERE user_id = $1::uuid"},
    {"fam_inv_erase_email", "DELETE FROM household_invitations WHERE lower(email) = lower($1)"
                            " AND accepted_at IS NULL"},
    {NULL, NULL},
};
