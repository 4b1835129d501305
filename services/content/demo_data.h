/* demo_data.h — the demo site of Beaulieu-sur-Loire, as data (demo_data.c). */
#ifndef CIVITAS_CONTENT_DEMO_DATA_H
#define CIVITAS_CONTENT_DEMO_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct demo_section {
	const char *slug, *parent, *title, *description;
	const char *contributors; /* communication | etat-civil | enfance | conservatoire | "" */
};
/* Article titles, summaries and bodies may say {{J+N}} or {{J-N}}: the day N days after or
 * before the seeding, in French (« 14 décembre »), so that news agree with their dates. */
struct demo_article {
	const char *section, *kind, *slug, *title, *summary, *body, *tags; /* tags: JSON array */
	int days_ago;
};
struct demo_event {
	const char *slug, *title, *location, *summary, *body, *audience;
	int in_days, start_minute, minutes; /* day from today, minute of the day (Paris), duration */
	bool ticketed;
};
struct demo_org {
	const char *slug, *name, *category, *description, *address, *phone, *email, *website, *hours;
	bool partner_owned;
};
struct demo_job {
	const char *title, *employer, *contract, *location, *description, *email;
	int expires_in_days, published_days_ago;
};

extern const struct demo_section demo_sections[];
extern const size_t demo_nsections;
extern const struct demo_article demo_articles[];
extern const size_t demo_narticles;
extern const struct demo_event demo_events[];
extern const size_t demo_nevents;
extern const struct demo_org demo_orgs[];
extern const size_t demo_norgs;
extern const struct demo_job demo_jobs[];
extern const size_t demo_njobs;
extern const char *const demo_alert_message;
extern const char *const demo_alert_link;

/* text with every {{J±N}} replaced by the French day of `now` ± N days (malloc'd, NULL when out
 * of memory). */
char *demo_dated(const char *text, time_t now);

#endif
