/* handlers.h — every handler of the content service (routes.c maps them to paths). */
#ifndef CIVITAS_CONTENT_HANDLERS_H
#define CIVITAS_CONTENT_HANDLERS_H

struct lc_request;

/* h_sections.c */
int h_sections_tree(struct lc_request *rq);
int h_section_create(struct lc_request *rq);
int h_section_update(struct lc_request *rq);
int h_section_delete(struct lc_request *rq);
/* h_articles.c */
int h_articles_public(struct lc_request *rq);
int h_article_get(struct lc_request *rq);
int h_article_create(struct lc_request *rq);
int h_article_update(struct lc_request *rq);
int h_article_submit(struct lc_request *rq);
int h_article_publish(struct lc_request *rq);
int h_article_reject(struct lc_request *rq);
int h_article_archive(struct lc_request *rq);
int h_article_revisions(struct lc_request *rq);
int h_article_restore(struct lc_request *rq);
int h_review_queue(struct lc_request *rq);
int h_articles_admin(struct lc_request *rq);
int h_article_preview(struct lc_request *rq);
/* h_events.c */
int h_events_list(struct lc_request *rq);
int h_event_get(struct lc_request *rq);
int h_events_ics(struct lc_request *rq);
/* One event by id for other daemons (payment's ticketing reads title and date). */
int h_internal_event_get(struct lc_request *rq);
int h_event_create(struct lc_request *rq);
int h_event_update(struct lc_request *rq);
int h_event_delete(struct lc_request *rq);
/* h_alerts.c */
int h_alerts_active(struct lc_request *rq);
int h_alerts_list(struct lc_request *rq);
int h_alert_create(struct lc_request *rq);
int h_alert_update(struct lc_request *rq);
int h_alert_delete(struct lc_request *rq);
/* h_directory.c */
int h_directory_list(struct lc_request *rq);
int h_directory_categories(struct lc_request *rq);
int h_directory_mine(struct lc_request *rq);
int h_directory_get(struct lc_request *rq);
int h_directory_create(struct lc_request *rq);
int h_directory_update(struct lc_request *rq);
int h_moderation_list(struct lc_request *rq);
int h_moderation_approve(struct lc_request *rq);
int h_moderation_reject(struct lc_request *rq);
/* h_jobs.c */
int h_jobs_list(struct lc_request *rq);
int h_job_get(struct lc_request *rq);
int h_job_post(struct lc_request *rq);
int h_job_update(struct lc_request *rq);
int h_job_withdraw(struct lc_request *rq);
int h_job_publish(struct lc_request *rq);
int h_job_reject(struct lc_request *rq);
int h_jobs_admin(struct lc_request *rq);
/* h_media.c */
int h_media_upload(struct lc_request *rq);
int h_media_get(struct lc_request *rq);
int h_media_list(struct lc_request *rq);
int h_media_update(struct lc_request *rq);
/* h_search.c */
int h_search(struct lc_request *rq);
int h_search_suggest(struct lc_request *rq);
/* h_feeds.c */
int h_feed_atom(struct lc_request *rq);
int h_sitemap(struct lc_request *rq);
int h_sitemap_part(struct lc_request *rq);
/* h_demo.c */
int h_demo(struct lc_request *rq);

#endif
