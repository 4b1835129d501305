/* h_demo.c — POST /internal/v1/demo: ten weeks of believable audience and feedback, generated
 * once, through the same queue and writer as real beacons, so the dashboard shows a picture on
 * first start. The dashboard says these are demo figures (settings key demo.audience). */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "stats.h"

#define DEMO_DAYS 70

/* Pages and their weight in the traffic. */
static const struct {
	const char *path;
	unsigned weight;
} pages[] = {
    {"/", 30},
    {"/demarches.html", 12},
    {"/actualites.html", 8},
    {"/agenda.html", 7},
    {"/page.html?slug=carte-identite-passeport", 9},
    {"/page.html?slug=actes-etat-civil", 6},
    {"/page.html?slug=collecte-des-dechets", 6},
    {"/page.html?slug=ecoles-de-la-commune", 4},
    {"/page.html?slug=restauration-scolaire", 4},
    {"/page.html?slug=mediatheque", 3},
    {"/page.html?slug=la-mairie-recrute", 3},
    {"/demarche.html?slug=acte-de-naissance", 5},
    {"/demarche.html?slug=inscription-scolaire", 3},
    {"/emploi.html", 3},
    {"/associations.html", 2},
    {"/contact.html", 2},
};
#define NPAGES (sizeof(pages) / sizeof(pages[0]))

static const char *const referrers[] = {
    "", "", "", "www.google.com", "www.qwant.com", "www.facebook.com", "www.service-public.fr"};
static const char *const screens[] = {"small", "small", "small", "medium", "large", "large"};
static const char *const comments[] = {
    "Il manque les horaires d'ouverture du samedi.",
    "Très clair, merci.",
    "Je n'ai pas trouvé la liste des pièces à fournir.",
    "Le lien vers le formulaire ne marche pas sur mon téléphone.",
    "Information utile mais un peu longue à trouver depuis l'accueil.",
    "Pouvez-vous préciser les délais ?",
};

/* xorshift64*: the demo needs plausible noise, not secrets. */
static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 33) % (n ? n : 1);
}

static const char *pick_page(void)
{
	unsigned total = 0;
	for (size_t i = 0; i < NPAGES; i++)
		total += pages[i].weight;
	unsigned r = rnd(total);
	for (size_t i = 0; i < NPAGES; i++) {
		if (r < pages[i].weight)
			return pages[i].path;
		r -= pages[i].weight;
	}
	return "/";
}

static void push_wait(const struct stats_item *it)
{
	while (!stats_queue_push(it))
		usleep(20 * 1000); /* the writer drains the queue meanwhile */
}

struct owner {
	char kind[16], id[65];
	bool known;
};

static int feedback(struct lc_db *db, int64_t at_ms, const char *visitor, const char *path, struct owner *o,
                    long *count)
{
	static const char *const qs[] = {"useful", "relevant", "easy_to_find"};
	char day[11], at[32], id[37];
	stats_format_day(stats_town_day(at_ms / 1000), day);
	time_t s = (time_t)(at_ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!o->known) {
		stats_page_owner(path, o->kind, o->id);
		o->known = true;
	}
	for (size_t q = 0; q < 3; q++) {
		if (q > 0 && rnd(3) == 0)
			continue; /* not everyone answers all three */
		bool yes = rnd(100) < (q == 2 ? 68u : 81u);
		const char *comment =
		    !yes && rnd(3) == 0 ? comments[rnd(6)] : (yes && rnd(12) == 0 ? comments[1] : "");
		lc_uuid_v4(id);
		const char *p[] = {id,      day,     visitor, path, qs[q], yes ? "t" : "f",
		                   comment, o->kind, o->id,   "t",  at};
		PGresult *r = lc_db_exec(db, "feedback_insert", 11, p);
		if (!r)
			return -1;
		*count += PQntuples(r);
		PQclear(r);
	}
	return 0;
}

/* What the demo is making: the period's end, the key visitors are hashed with, the counts. */
struct demo_run {
	struct lc_db *db;
	unsigned char key[STATS_SALT_LEN];
	time_t now;
	int64_t today;
	struct owner owners[NPAGES];
	long hits, answers;
};

/* One visitor of day d: one visit (sometimes two, hours apart) of one to four pages, each with
 * its engagement, now and then a reader's feedback. 0, or -1 when the database failed. */
static int demo_visitor(struct demo_run *run, int64_t d, unsigned v)
{
	char who[48];
	snprintf(who, sizeof(who), "demo-%lld-%u", (long long)d, v);
	struct stats_item it = {.kind = STATS_HIT, .demo = true};
	stats_visitor_id(run->key, who, "Mozilla/5.0 (demo)", it.visitor);
	int64_t t = (d * 86400 + 7 * 3600 + rnd(14 * 3600)) * 1000;
	if (d == run->today && t > (int64_t)run->now * 1000)
		t = (int64_t)run->now * 1000 - rnd(3600) * 1000;
	bool returning = rnd(100) < 34;
	const char *screen = screens[rnd(6)], *ref = referrers[rnd(7)];
	unsigned visits = rnd(10) == 0 ? 2 : 1;
	for (unsigned k = 0; k < visits; k++) {
		unsigned views = 1 + rnd(4);
		for (unsigned n = 0; n < views; n++) {
			lc_uuid_v4(it.pv);
			it.kind = STATS_HIT;
			it.at_ms = t;
			snprintf(it.path, sizeof(it.path), "%s",
			         n == 0 && k == 0 && rnd(2) ? "/" : pick_page());
			snprintf(it.referrer_host, sizeof(it.referrer_host), "%s", n == 0 ? ref : "");
			snprintf(it.screen, sizeof(it.screen), "%s", screen);
			snprintf(it.utm_campaign, sizeof(it.utm_campaign), "%s",
			         n == 0 && rnd(40) == 0 ? "lettre-municipale" : "");
			it.returning = rnd(10) == 0 ? -1 : returning;
			push_wait(&it);
			run->hits++;
			int32_t ms = (int32_t)(4000 + rnd(150000));
			struct stats_item e = {.kind = STATS_ENGAGEMENT, .at_ms = t + ms, .visible_ms = ms};
			memcpy(e.pv, it.pv, sizeof(e.pv));
			push_wait(&e);
			if ((strncmp(it.path, "/page.html", 10) == 0 ||
			     strncmp(it.path, "/demarche.html", 14) == 0) &&
			    rnd(25) == 0) {
				size_t pi = 0;
				while (pi < NPAGES && strcmp(pages[pi].path, it.path) != 0)
					pi++;
				if (pi < NPAGES && feedback(run->db, t + ms, it.visitor, it.path,
				                            &run->owners[pi], &run->answers) < 0)
					return -1;
			}
			t += ms + 2000 + rnd(20000);
		}
		t += (int64_t)(2 + rnd(5)) * 3600 * 1000; /* the second visit comes hours later */
	}
	return 0;
}

int h_demo(struct lc_request *rq)
{
	struct demo_run run = {.db = lc_rq_db(rq), .now = time(NULL)};
	run.today = stats_town_day((int64_t)run.now);
	int64_t first = run.today - DEMO_DAYS + 1;
	char mark[96], a[11], b[11];
	stats_format_day(first, a);
	stats_format_day(run.today, b);
	snprintf(mark, sizeof(mark), "{\"from\":\"%s\",\"to\":\"%s\"}", a, b);
	const char *mp[] = {mark};
	int fresh = lc_db_run(run.db, "demo_mark", 1, mp);
	if (fresh < 0)
		return lc_db_fail_reply(rq);
	if (fresh != 1)
		return lc_reply_json(rq, 200, json_pack("{s:b}", "created", false));
	if (RAND_bytes(run.key, sizeof(run.key)) != 1 ||
	    RAND_bytes((unsigned char *)&rng_state, sizeof(rng_state)) != 1)
		return lc_reply_problem(rq, 500, "internal", "No randomness.");
	rng_state |= 1;
	for (int64_t d = first; d <= run.today; d++) {
		unsigned weekday = (unsigned)((d + 3) % 7);      /* 0 = Monday */
		unsigned base = 120 + (unsigned)(d - first) * 2; /* the new portal slowly finds its public */
		unsigned visitors = (weekday >= 5 ? base / 2 : base) + rnd(40);
		for (unsigned v = 0; v < visitors; v++)
			if (demo_visitor(&run, d, v) < 0)
				return lc_db_fail_reply(rq);
	}
	if (!stats_queue_flush(120000))
		lc_warn("demo audience still being written");
	if (stats_rollup(run.db, first, run.today) < 0)
		return lc_db_fail_reply(rq);
	lc_info("demo audience: %ld page views and %ld answers over %d days", run.hits, run.answers,
	        DEMO_DAYS);
	return lc_reply_json(rq, 201,
	                     json_pack("{s:b, s:I, s:I, s:s, s:s}", "created", true, "page_views",
	                               (json_int_t)run.hits, "feedback", (json_int_t)run.answers, "from", a,
	                               "to", b));
}
