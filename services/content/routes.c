/* routes.c — the content service's route table, prepared statements and outbox targets.
 * Public reads, the editorial API for agents, the partners' extranet, the job board, media,
 * search, feeds and the demo seed. Literal paths come before {param} ones (first match wins). */
#include "routes.h"

#include <stddef.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "handlers.h"

#define V1 "/api/content/v1"
#define KB 1024

static const struct lc_route routes[] = {
    /* sections */
    {"GET", V1 "/sections", LC_AUTH_NONE, h_sections_tree, 0, 0},
    {"POST", V1 "/sections", LC_AUTH_USER, h_section_create, 32 * KB, 0},
    {"PATCH", V1 "/sections/{id}", LC_AUTH_USER, h_section_update, 32 * KB, 0},
    {"DELETE", V1 "/sections/{id}", LC_AUTH_USER, h_section_delete, 0, 0},
    /* articles */
    {"GET", V1 "/articles", LC_AUTH_NONE, h_articles_public, 0, 0},
    {"POST", V1 "/articles", LC_AUTH_USER, h_article_create, 256 * KB, 0},
    {"GET", V1 "/articles/{slug}", LC_AUTH_NONE, h_article_get, 0, 0},
    {"PATCH", V1 "/articles/{id}", LC_AUTH_USER, h_article_update, 256 * KB, 0},
    {"POST", V1 "/articles/{id}/submit", LC_AUTH_USER, h_article_submit, 1 * KB, 0},
    {"POST", V1 "/articles/{id}/publish", LC_AUTH_USER, h_article_publish, 1 * KB, 0},
    {"POST", V1 "/articles/{id}/reject", LC_AUTH_USER, h_article_reject, 8 * KB, 0},
    {"POST", V1 "/articles/{id}/archive", LC_AUTH_USER, h_article_archive, 1 * KB, 0},
    {"GET", V1 "/articles/{id}/revisions", LC_AUTH_USER, h_article_revisions, 0, 0},
    {"POST", V1 "/articles/{id}/revisions/{n}/restore", LC_AUTH_USER, h_article_restore, 1 * KB, 0},
    {"GET", V1 "/review", LC_AUTH_USER, h_review_queue, 0, 0},
    {"GET", V1 "/admin/articles", LC_AUTH_USER, h_articles_admin, 0, 0},
    {"POST", V1 "/preview", LC_AUTH_USER, h_article_preview, 256 * KB, 0},
    /* agenda */
    {"GET", V1 "/events", LC_AUTH_NONE, h_events_list, 0, 0},
    {"GET", V1 "/events.ics", LC_AUTH_NONE, h_events_ics, 0, 0},
    {"POST", V1 "/events", LC_AUTH_USER, h_event_create, 64 * KB, 0},
    {"GET", V1 "/events/{slug}", LC_AUTH_NONE, h_event_get, 0, 0},
    {"PATCH", V1 "/events/{id}", LC_AUTH_USER, h_event_update, 64 * KB, 0},
    {"DELETE", V1 "/events/{id}", LC_AUTH_USER, h_event_delete, 0, 0},
    /* alerts */
    {"GET", V1 "/alerts/active", LC_AUTH_NONE, h_alerts_active, 0, 0},
    {"GET", V1 "/alerts", LC_AUTH_USER, h_alerts_list, 0, 0},
    {"POST", V1 "/alerts", LC_AUTH_USER, h_alert_create, 8 * KB, 0},
    {"PATCH", V1 "/alerts/{id}", LC_AUTH_USER, h_alert_update, 8 * KB, 0},
    {"DELETE", V1 "/alerts/{id}", LC_AUTH_USER, h_alert_delete, 0, 0},
    /* directory and its moderation */
    {"GET", V1 "/directory", LC_AUTH_NONE, h_directory_list, 0, 0},
    {"POST", V1 "/directory", LC_AUTH_USER, h_directory_create, 64 * KB, 0},
    {"GET", V1 "/directory/categories", LC_AUTH_NONE, h_directory_categories, 0, 0},
    {"GET", V1 "/directory/mine", LC_AUTH_USER, h_directory_mine, 0, 0},
    {"GET", V1 "/directory/{slug}", LC_AUTH_NONE, h_directory_get, 0, 0},
    {"PATCH", V1 "/directory/{id}", LC_AUTH_USER, h_directory_update, 64 * KB, 0},
    {"GET", V1 "/moderation", LC_AUTH_USER, h_moderation_list, 0, 0},
    {"POST", V1 "/moderation/{id}/approve", LC_AUTH_USER, h_moderation_approve, 1 * KB, 0},
    {"POST", V1 "/moderation/{id}/reject", LC_AUTH_USER, h_moderation_reject, 8 * KB, 0},
    /* job board */
    {"GET", V1 "/jobs", LC_AUTH_NONE, h_jobs_list, 0, 0},
    {"POST", V1 "/jobs", LC_AUTH_NONE, h_job_post, 32 * KB, 0},
    {"GET", V1 "/admin/jobs", LC_AUTH_USER, h_jobs_admin, 0, 0},
    {"GET", V1 "/jobs/{id}", LC_AUTH_NONE, h_job_get, 0, 0},
    {"PATCH", V1 "/jobs/{id}", LC_AUTH_NONE, h_job_update, 32 * KB, 0},
    {"POST", V1 "/jobs/{id}/withdraw", LC_AUTH_NONE, h_job_withdraw, 1 * KB, 0},
    {"POST", V1 "/jobs/{id}/publish", LC_AUTH_USER, h_job_publish, 1 * KB, 0},
    {"POST", V1 "/jobs/{id}/reject", LC_AUTH_USER, h_job_reject, 8 * KB, 0},
    /* media */
    {"GET", V1 "/media", LC_AUTH_USER, h_media_list, 0, 0},
    {"POST", V1 "/media", LC_AUTH_USER, h_media_upload, 5 * 1024 * KB, LC_BODY_RAW},
    {"GET", V1 "/media/{id}", LC_AUTH_NONE, h_media_get, 0, 0},
    {"PATCH", V1 "/media/{id}", LC_AUTH_USER, h_media_update, 4 * KB, 0},
    /* search and feeds */
    {"GET", V1 "/search", LC_AUTH_NONE, h_search, 0, 0},
    {"GET", V1 "/search/suggest", LC_AUTH_NONE, h_search_suggest, 0, 0},
    {"GET", V1 "/feed.atom", LC_AUTH_NONE, h_feed_atom, 0, 0},
    {"GET", V1 "/sitemap.xml", LC_AUTH_NONE, h_sitemap, 0, 0},
    {"GET", V1 "/sitemap/{part}", LC_AUTH_NONE, h_sitemap_part, 0, 0},
    /* internal */
    {"POST", "/internal/v1/demo", LC_AUTH_INTERNAL, h_demo, 4 * KB, 0},
    {"GET", "/internal/v1/events/{id}", LC_AUTH_INTERNAL, h_internal_event_get, 0, 0},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

/* Business events for the statistics service; the employer's edit link goes to the account
 * service, which sends mail.* events as e-mail (it keeps the SMTP side and the templates). */
static const struct lc_outbox_target targets[] = {
    {.name = "stats", .topic_prefix = "article.", .url_env = "CIVITAS_STATS_URL"},
    {.name = "stats", .topic_prefix = "job.", .url_env = "CIVITAS_STATS_URL"},
    {.name = "stats", .topic_prefix = "directory.", .url_env = "CIVITAS_STATS_URL"},
    {.name = "mail", .topic_prefix = "mail.", .url_env = "CIVITAS_ACCOUNT_URL"},
    /* A partner learns the editor's decision on their directory change (notify.* events). */
    {.name = "notify", .topic_prefix = "notify.", .url_env = "CIVITAS_ACCOUNT_URL"},
};

static const struct lc_config_item config[] = {
    {.name = "CIVITAS_PUBLIC_URL",
     .type = LC_CFG_URL,
     .default_value = "http://127.0.0.1:8080",
     .out = &content_public_url_setting},
    {0},
};

static int on_start(void)
{
	/* Links are built as base + "/path": no trailing slash. */
	size_t n = content_public_url_setting ? strlen(content_public_url_setting) : 0;
	static char trimmed[512];
	if (n > 0 && n < sizeof(trimmed) && content_public_url_setting[n - 1] == '/') {
		memcpy(trimmed, content_public_url_setting, n - 1);
		trimmed[n - 1] = '\0';
		content_public_url_setting = trimmed;
	}
	return 0;
}

const struct lc_service content_service = {
    .name = "content",
    .default_port = 8101,
    .routes = routes,
    .statements = content_sql_articles,
    .more_statements = content_sql_site,
    .outbox_targets = targets,
    .noutbox_targets = sizeof(targets) / sizeof(targets[0]),
    .extra_config = config,
    /* Other replicas' writes and scheduled publications clear the micro-cache within half a
     * second (migration 0205), so public answers stay in memory for a minute. */
    .cache_version_stmt = "cache_version",
    .on_start = on_start,
};
