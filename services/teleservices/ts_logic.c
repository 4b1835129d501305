/* ts_logic.c — see ts_logic.h: the status machine, the SLA clock, reference numbers, connector
 * signatures and the encodings the SQL parameters need. Pure: tested on its own. */
#include "ts_logic.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"

bool ts_in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static const char *const statuses[] = {"draft",    "submitted", "received",  "in_progress", "incomplete",
                                       "accepted", "rejected",  "cancelled", NULL};

bool ts_status_known(const char *status)
{
	return ts_in_list(status, statuses);
}

/* from, to, who may take the step. */
static const struct {
	const char *from, *to;
	unsigned actors; /* bit per enum ts_actor */
} transitions[] = {
    {"draft", "submitted", 1u << TS_CITIZEN},
    {"submitted", "received", 1u << TS_SYSTEM},
    {"received", "in_progress", 1u << TS_AGENT | 1u << TS_CONNECTOR},
    {"received", "incomplete", 1u << TS_AGENT},
    {"in_progress", "incomplete", 1u << TS_AGENT},
    {"incomplete", "received", 1u << TS_CITIZEN},
    {"in_progress", "accepted", 1u << TS_AGENT | 1u << TS_CONNECTOR},
    {"in_progress", "rejected", 1u << TS_AGENT | 1u << TS_CONNECTOR},
    {"draft", "cancelled", 1u << TS_CITIZEN},
    {"submitted", "cancelled", 1u << TS_CITIZEN},
    {"received", "cancelled", 1u << TS_CITIZEN},
    {"incomplete", "cancelled", 1u << TS_CITIZEN},
};

bool ts_transition_allowed(const char *from, const char *to, enum ts_actor actor)
{
	if (!from || !to)
		return false;
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (strcmp(transitions[i].from, from) == 0 && strcmp(transitions[i].to, to) == 0)
			return (transitions[i].actors & (1u << actor)) != 0;
	return false;
}

bool ts_clock_runs(const char *status)
{
	return status && (strcmp(status, "received") == 0 || strcmp(status, "in_progress") == 0);
}

bool ts_status_open(const char *status)
{
	static const char *const open[] = {"submitted", "received", "in_progress", "incomplete", NULL};
	return ts_in_list(status, open);
}

bool ts_is_decision(const char *status)
{
	return status && (strcmp(status, "accepted") == 0 || strcmp(status, "rejected") == 0);
}

const char *ts_template_for(const char *to)
{
	static const char *const map[][2] = {
	    {"received", "request_received"},       {"incomplete", "request_incomplete"},
	    {"accepted", "request_accepted"},       {"rejected", "request_rejected"},
	    {"in_progress", "request_in_progress"}, {"cancelled", "request_cancelled"},
	};
	for (size_t i = 0; to && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], to) == 0)
			return map[i][1];
	return NULL;
}

const char *ts_next_step(const char *status)
{
	static const char *const map[][2] = {
	    {"draft", "Compléter et envoyer la demande"},
	    {"submitted", "Enregistrement de la demande"},
	    {"received", "Examen par le service"},
	    {"in_progress", "Décision du service"},
	    {"incomplete", "Ajouter la pièce ou l'information demandée"},
	    {"accepted", "Aucune : demande acceptée"},
	    {"rejected", "Aucune : demande refusée"},
	    {"cancelled", "Aucune : demande annulée"},
	};
	for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], status) == 0)
			return map[i][1];
	return "";
}

double ts_processing_seconds(const struct ts_step *steps, size_t n, int64_t now)
{
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ts_clock_runs(steps[i].to))
			continue;
		int64_t end = i + 1 < n ? steps[i + 1].at : now;
		if (end > steps[i].at)
			total += (double)(end - steps[i].at);
	}
	return total;
}

void ts_service_code(const char *service, char out[4])
{
	static const char *const map[][2] = {
	    {"etat-civil", "ETC"},
	    {"scolaire", "SCO"},
	    {"jeunesse", "JEU"},
	    {"conservatoire", "CON"},
	};
	for (size_t i = 0; service && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], service) == 0) {
			memcpy(out, map[i][1], 4);
			return;
		}
	size_t k = 0;
	for (const char *p = service; p && *p && k < 3; p++)
		if (isalpha((unsigned char)*p))
			out[k++] = (char)toupper((unsigned char)*p);
	while (k < 3)
		out[k++] = 'X';
	out[3] = '\0';
}

void ts_reference(int year, const char *code, long n, char *out, size_t outlen)
{
	snprintf(out, outlen, "%04d-%s-%06ld", year, code, n);
}

void ts_sign(const char *secret, int64_t t, const char *body, size_t len, char *out, size_t outlen)
{
	char prefix[32];
	int plen = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", t);
	char *msg = malloc((size_t)plen + len + 1);
	char hex[65] = "";
	if (msg) {
		memcpy(msg, prefix, (size_t)plen);
		if (len)
			memcpy(msg + plen, body, len);
		lc_hmac_sha256_hex(secret, strlen(secret), msg, (size_t)plen + len, hex);
		free(msg);
	}
	snprintf(out, outlen, "t=%" PRId64 ",v1=%s", t, hex);
}

bool ts_signature_ok(const char *header, const char *secret, const char *body, size_t len, int64_t now,
                     int64_t tolerance_s)
{
	if (!header || !secret || strncmp(header, "t=", 2) != 0)
		return false;
	char *end = NULL;
	long long t = strtoll(header + 2, &end, 10);
	if (end == header + 2 || strncmp(end, ",v1=", 4) != 0)
		return false;
	const char *given = end + 4;
	if (strlen(given) != 64)
		return false;
	int64_t skew = now - (int64_t)t;
	if (skew > tolerance_s || skew < -tolerance_s)
		return false;
	char expect[160];
	ts_sign(secret, (int64_t)t, body, len, expect, sizeof(expect));
	const char *ev = strstr(expect, ",v1=");
	return ev && lc_secret_equal(ev + 4, given);
}

char *ts_uuid_array(const json_t *ids)
{
	size_t n = json_array_size(ids);
	char *s = malloc(n * 38 + 3);
	if (!s)
		return NULL;
	size_t k = 0;
	s[k++] = '{';
	size_t i;
	const json_t *v;
	json_array_foreach(ids, i, v)
	{
		if (i)
			s[k++] = ',';
		const char *u = json_string_value(v);
		size_t l = u ? strlen(u) : 0;
		if (l > 36)
			l = 36;
		if (u)
			memcpy(s + k, u, l);
		k += l;
	}
	s[k++] = '}';
	s[k] = '\0';
	return s;
}

char *ts_bytea_hex(const char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(len * 2 + 3);
	if (!s)
		return NULL;
	s[0] = '\\', s[1] = 'x';
	for (size_t i = 0; i < len; i++) {
		s[2 + 2 * i] = digits[(unsigned char)data[i] >> 4];
		s[3 + 2 * i] = digits[(unsigned char)data[i] & 15];
	}
	s[2 + 2 * len] = '\0';
	return s;
}

double ts_running_seconds(double processing_s, bool running, int64_t clock_since_us, int64_t now_us)
{
	/* extract(epoch FROM now - clock_since) is the exact decimal of the microseconds over 1e6,
	 * cast to float8: the correctly rounded quotient, which this division is. */
	return processing_s + (running ? (double)(now_us - clock_since_us) / 1e6 : 0.0);
}

double ts_round_numeric(double x)
{
	char digits[40];
	snprintf(digits, sizeof(digits), "%.15g", x);
	return round(strtod(digits, NULL)) + 0.0; /* + 0.0: -0 becomes 0, as numeric has no -0 */
}
