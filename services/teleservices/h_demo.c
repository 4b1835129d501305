/* h_demo.c — POST /internal/v1/demo: the four procedures of the town (birth certificate,
 * school, leisure centre, conservatoire), published once; running it again changes nothing. */
#include "h_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "ts.h"

/* slug, title, service, life_event, audience, member_filter, fee, description, fields, documents */
static const char *const demo[][10] = {
    {"acte-de-naissance", "Demande d'acte de naissance", "etat-civil", "naissance", "member", NULL, NULL,
     "Recevez une copie intégrale ou un extrait d'acte de naissance pour une personne née à "
     "Beaulieu-sur-Loire. "
     "Aucune pièce n'est demandée pour votre propre acte ; pour un membre de votre famille, joignez sa pièce "
     "d'identité.",
     "[{\"name\":\"type_acte\",\"label\":\"Type d'acte\",\"type\":\"select\",\"required\":true,\"options\":["
     "{\"value\":\"copie_integrale\",\"label\":\"Copie intégrale\"},"
     "{\"value\":\"extrait_filiation\",\"label\":\"Extrait avec filiation\"},"
     "{\"value\":\"extrait_sans_filiation\",\"label\":\"Extrait sans filiation\"},"
     "{\"value\":\"extrait_plurilingue\",\"label\":\"Extrait plurilingue\"}]},"
     "{\"name\":\"motif\",\"label\":\"Motif de la "
     "demande\",\"type\":\"select\",\"required\":true,\"options\":["
     "{\"value\":\"identite\",\"label\":\"Carte d'identité ou passeport\"},"
     "{\"value\":\"mariage\",\"label\":\"Mariage ou PACS\"},{\"value\":\"autre\",\"label\":\"Autre\"}]},"
     "{\"name\":\"motif_autre\",\"label\":\"Précisez le "
     "motif\",\"type\":\"text\",\"required\":true,\"max\":200,"
     "\"visible_if\":{\"field\":\"motif\",\"equals\":\"autre\"}},"
     "{\"name\":\"exemplaires\",\"label\":\"Nombre d'exemplaires\",\"type\":\"number\",\"required\":true,"
     "\"min\":1,\"max\":5},"
     "{\"name\":\"delivrance\",\"label\":\"Mode de "
     "délivrance\",\"type\":\"select\",\"required\":true,\"options\":["
     "{\"value\":\"courrier\",\"label\":\"Par courrier\"},{\"value\":\"mairie\",\"label\":\"Retrait en "
     "mairie\"}]},"
     "{\"name\":\"adresse_envoi\",\"label\":\"Adresse "
     "d'envoi\",\"type\":\"textarea\",\"required\":true,\"max\":500,"
     "\"visible_if\":{\"field\":\"delivrance\",\"equals\":\"courrier\"}}]",
     "[{\"kind\":\"identity\",\"label\":\"Pièce d'identité de la personne concernée\",\"per_member\":true,"
     "\"optional\":false,\"skip_for_self\":true}]"},
    {"inscription-scolaire", "Inscription scolaire", "scolaire", "scolarite", "member",
     "{\"relation\":\"child\",\"min_age\":3,\"max_age\":11}", NULL,
     "Inscrivez votre enfant dans une école maternelle ou élémentaire publique de la ville pour la rentrée. "
     "Joignez le livret de famille, un justificatif de domicile de moins de trois mois et les vaccinations "
     "(carnet de santé).",
     "[{\"name\":\"niveau\",\"label\":\"Niveau à la "
     "rentrée\",\"type\":\"select\",\"required\":true,\"options\":["
     "\"PS\",\"MS\",\"GS\",\"CP\",\"CE1\",\"CE2\",\"CM1\",\"CM2\"]},"
     "{\"name\":\"ecole\",\"label\":\"École souhaitée\",\"type\":\"select\",\"required\":true,\"options\":["
     "{\"value\":\"jules-ferry\",\"label\":\"École Jules-Ferry\"},"
     "{\"value\":\"les-tilleuls\",\"label\":\"École des Tilleuls\"},"
     "{\"value\":\"val-de-loire\",\"label\":\"École du Val-de-Loire\"}]},"
     "{\"name\":\"cantine\",\"label\":\"Restauration scolaire\",\"type\":\"checkbox\"},"
     "{\"name\":\"periscolaire\",\"label\":\"Accueil périscolaire\",\"type\":\"multiselect\",\"options\":["
     "{\"value\":\"matin\",\"label\":\"Matin\"},{\"value\":\"soir\",\"label\":\"Soir\"}]},"
     "{\"name\":\"derogation\",\"label\":\"Demande de dérogation de secteur\",\"type\":\"checkbox\"},"
     "{\"name\":\"motif_derogation\",\"label\":\"Motif de la "
     "dérogation\",\"type\":\"textarea\",\"required\":true,"
     "\"max\":1000,\"visible_if\":{\"field\":\"derogation\",\"equals\":true}}]",
     "[{\"kind\":\"family_record_book\",\"label\":\"Livret de "
     "famille\",\"per_member\":true,\"optional\":false},"
     "{\"kind\":\"proof_of_address\",\"label\":\"Justificatif de domicile de moins de 3 "
     "mois\",\"per_member\":true,"
     "\"optional\":false,\"max_age_days\":90},"
     "{\"kind\":\"health_record\",\"label\":\"Vaccinations (carnet de santé)\",\"per_member\":true,"
     "\"optional\":false}]"},
    {"accueil-de-loisirs", "Inscription à l'accueil de loisirs", "jeunesse", "loisirs", "member",
     "{\"relation\":\"child\",\"min_age\":3,\"max_age\":11}", NULL,
     "Inscrivez votre enfant à l'accueil de loisirs municipal (mercredis et vacances scolaires). Le tarif "
     "dépend "
     "de votre quotient familial : joignez votre attestation.",
     "[{\"name\":\"periode\",\"label\":\"Période\",\"type\":\"select\",\"required\":true,\"options\":["
     "{\"value\":\"mercredis\",\"label\":\"Les mercredis\"},"
     "{\"value\":\"vacances_hiver\",\"label\":\"Vacances d'hiver\"},"
     "{\"value\":\"vacances_printemps\",\"label\":\"Vacances de printemps\"},"
     "{\"value\":\"vacances_ete\",\"label\":\"Vacances d'été\"}]},"
     "{\"name\":\"jours\",\"label\":\"Jours de "
     "présence\",\"type\":\"multiselect\",\"required\":true,\"options\":["
     "{\"value\":\"lundi\",\"label\":\"Lundi\"},{\"value\":\"mardi\",\"label\":\"Mardi\"},"
     "{\"value\":\"mercredi\",\"label\":\"Mercredi\"},{\"value\":\"jeudi\",\"label\":\"Jeudi\"},"
     "{\"value\":\"vendredi\",\"label\":\"Vendredi\"}]},"
     "{\"name\":\"allergies\",\"label\":\"Allergies ou régime "
     "alimentaire\",\"type\":\"textarea\",\"max\":1000},"
     "{\"name\":\"sortie_seul\",\"label\":\"L'enfant peut repartir seul\",\"type\":\"checkbox\"},"
     "{\"name\":\"contact_urgence\",\"label\":\"Personne à prévenir en cas d'urgence\",\"type\":\"text\","
     "\"required\":true,\"max\":100},"
     "{\"name\":\"telephone_urgence\",\"label\":\"Téléphone de cette "
     "personne\",\"type\":\"phone\",\"required\":true}]",
     "[{\"kind\":\"qf_certificate\",\"label\":\"Attestation de quotient familial\",\"per_member\":false,"
     "\"optional\":false},"
     "{\"kind\":\"health_record\",\"label\":\"Fiche sanitaire (carnet de santé)\",\"per_member\":true,"
     "\"optional\":false}]"},
    {"inscription-conservatoire", "Inscription au conservatoire", "conservatoire", "culture", "member",
     "{\"min_age\":5}", "4500",
     "Inscrivez-vous ou inscrivez un membre de votre famille au conservatoire municipal de musique. Les "
     "frais de "
     "dossier sont de 45 € ; les cours sont facturés selon le quotient familial.",
     "[{\"name\":\"discipline\",\"label\":\"Discipline\",\"type\":\"select\",\"required\":true,\"options\":["
     "{\"value\":\"piano\",\"label\":\"Piano\"},{\"value\":\"violon\",\"label\":\"Violon\"},"
     "{\"value\":\"guitare\",\"label\":\"Guitare\"},{\"value\":\"flute\",\"label\":\"Flûte traversière\"},"
     "{\"value\":\"chant\",\"label\":\"Chant\"},{\"value\":\"formation_musicale\",\"label\":\"Formation "
     "musicale\"}]},"
     "{\"name\":\"niveau\",\"label\":\"Niveau\",\"type\":\"select\",\"required\":true,\"options\":["
     "{\"value\":\"debutant\",\"label\":\"Débutant\"},{\"value\":\"cycle1\",\"label\":\"1er cycle\"},"
     "{\"value\":\"cycle2\",\"label\":\"2e cycle\"},{\"value\":\"cycle3\",\"label\":\"3e cycle\"}]},"
     "{\"name\":\"annees_pratique\",\"label\":\"Années de "
     "pratique\",\"type\":\"number\",\"min\":0,\"max\":30},"
     "{\"name\":\"email_contact\",\"label\":\"Courriel de contact\",\"type\":\"email\",\"required\":true}]",
     "[{\"kind\":\"identity\",\"label\":\"Pièce d'identité de "
     "l'élève\",\"per_member\":true,\"optional\":false},"
     "{\"kind\":\"qf_certificate\",\"label\":\"Attestation de quotient familial\",\"per_member\":false,"
     "\"optional\":false}]"},
};

static enum lc_tx_result demo_tx(struct lc_db *db, void *arg)
{
	int *created = arg;
	*created = 0;
	for (size_t i = 0; i < sizeof(demo) / sizeof(demo[0]); i++) {
		const char *const *d = demo[i];
		const char *pe[] = {d[0]};
		PGresult *r = lc_db_exec(db, "proc_exists", 1, pe);
		if (!r)
			return LC_TX_ERROR;
		bool exists = PQntuples(r) > 0;
		PQclear(r);
		if (exists)
			continue;
		/* The definitions are checked like an admin's, so a typo here fails loudly. */
		json_t *fields = json_loads(d[8], 0, NULL), *docs = json_loads(d[9], 0, NULL);
		json_t *e1 = fields ? ts_check_field_defs(fields) : NULL,
		       *e2 = docs ? ts_check_document_defs(docs) : NULL;
		bool bad = !fields || !docs || e1 || e2;
		json_decref(fields), json_decref(docs), json_decref(e1), json_decref(e2);
		if (bad) {
			lc_error("demo procedure %s is not valid", d[0]);
			return LC_TX_ERROR;
		}
		const char *p[] = {d[0], "1",  d[1], d[7], d[2], d[3],       d[4],
		                   d[5], d[8], d[9], d[6], "6",  "published"};
		r = lc_db_exec(db, "proc_insert", 13, p);
		if (!r)
			return LC_TX_ERROR;
		PQclear(r);
		(*created)++;
	}
	return LC_TX_COMMIT;
}

/* Sample requests of the demo citizen (birth certificates for herself, which need no
 * document) in several states, so that the état-civil queue is not empty. Only when she has
 * no request yet. */
struct samples {
	const char *user_id, *household_id, *member_id;
	json_t *benef;
	int created;
};

static enum lc_tx_result samples_tx(struct lc_db *db, void *arg)
{
	struct samples *s = arg;
	s->created = 0;
	const char *pu[] = {s->user_id, "", "", "1"};
	PGresult *r = lc_db_exec(db, "req_list_user", 4, pu);
	if (!r)
		return LC_TX_ERROR;
	bool has = PQntuples(r) > 0;
	PQclear(r);
	const char *pp[] = {"acte-de-naissance"};
	r = lc_db_exec(db, "proc_get_published", 1, pp);
	json_t *proc = lc_db_cell_json(r, 0, 0);
	PQclear(r);
	if (has || !proc) {
		json_decref(proc);
		return LC_TX_COMMIT;
	}
	static const char *const paths[][3] = {
	    {"received", NULL, NULL},
	    {"in_progress", NULL, NULL},
	    {"in_progress", "accepted", "Votre acte est disponible à l'accueil."}};
	static const char answers[] =
	    "{\"type_acte\":\"copie_integrale\",\"motif\":\"identite\",\"exemplaires\":1,"
	    "\"delivrance\":\"mairie\"}";
	char ids[48], *benef = json_dumps(s->benef, JSON_COMPACT);
	snprintf(ids, sizeof(ids), "{%s}", s->member_id);
	enum lc_tx_result res = LC_TX_COMMIT;
	for (size_t i = 0; benef && res == LC_TX_COMMIT && i < sizeof(paths) / sizeof(paths[0]); i++) {
		const char *pi[] = {s->user_id,
		                    s->household_id,
		                    json_string_value(json_object_get(proc, "id")),
		                    "etat-civil",
		                    ids,
		                    benef,
		                    answers};
		r = lc_db_exec(db, "req_insert", 7, pi);
		if (!r) {
			res = LC_TX_ERROR;
			break;
		}
		char id[37];
		snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		struct ts_req_row row;
		if (ts_req_lock(db, id, &row) != 1) {
			res = LC_TX_ERROR;
			break;
		}
		if (ts_transition(db, &row, "submitted", "citizen", s->user_id, NULL) < 0 ||
		    ts_transition(db, &row, "received", "system", NULL, NULL) < 0 ||
		    (strcmp(paths[i][0], "in_progress") == 0 &&
		     ts_transition(db, &row, "in_progress", "agent", NULL, NULL) < 0) ||
		    (paths[i][1] && ts_transition(db, &row, paths[i][1], "agent", NULL, paths[i][2]) < 0))
			res = LC_TX_ERROR;
		ts_req_row_free(&row);
		s->created++;
	}
	free(benef);
	json_decref(proc);
	return res;
}

/* Looks up the demo citizen and her household member; false when account has none. */
static bool demo_citizen(struct lc_request *rq, json_t **user, json_t **hh, const json_t **self)
{
	*user = *hh = NULL;
	*self = NULL;
	if (ts_account_get(rq, "/internal/v1/users?email=citoyen%40example.org", user) != 200)
		return false;
	const char *hid = json_string_value(json_object_get(*user, "household_id"));
	char path[128];
	snprintf(path, sizeof(path), "/internal/v1/households/%s", hid ? hid : "");
	if (!hid || !lc_json_is_uuid(hid) || ts_account_get(rq, path, hh) != 200)
		return false;
	const char *uid = json_string_value(json_object_get(*user, "id"));
	size_t i;
	const json_t *m;
	json_array_foreach(json_object_get(*hh, "members"), i, m)
	{
		const char *mu = json_string_value(json_object_get(m, "user_id"));
		if (mu && uid && strcmp(mu, uid) == 0)
			*self = m;
	}
	return *self != NULL;
}

int h_demo(struct lc_request *rq)
{
	const char *password = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("password", 0, 128, &password),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	int created = 0;
	if (lc_db_tx(lc_rq_db(rq), demo_tx, &created) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	json_t *user = NULL, *hh = NULL;
	const json_t *self = NULL;
	struct samples sm = {0};
	if (demo_citizen(rq, &user, &hh, &self)) {
		sm.user_id = json_string_value(json_object_get(user, "id"));
		sm.household_id = json_string_value(json_object_get(hh, "id"));
		sm.member_id = json_string_value(json_object_get(self, "id"));
		sm.benef =
		    json_pack("[{s:O, s:O, s:O, s:O, s:O, s:O}]", "member_id", json_object_get(self, "id"),
		              "given_name", json_object_get(self, "given_name"), "family_name",
		              json_object_get(self, "family_name"), "birth_date",
		              json_object_get(self, "birth_date"), "relation",
		              json_object_get(self, "relation"), "user_id", json_object_get(self, "user_id"));
		enum lc_tx_result t = sm.benef && sm.member_id && lc_json_is_uuid(sm.member_id)
		                          ? lc_db_tx(lc_rq_db(rq), samples_tx, &sm)
		                          : LC_TX_COMMIT;
		json_decref(sm.benef);
		if (t != LC_TX_COMMIT) {
			json_decref(user), json_decref(hh);
			return lc_db_fail_reply(rq);
		}
	} else {
		lc_info("demo: no demo citizen with a household in account; no sample requests");
	}
	json_decref(user), json_decref(hh);
	ts_requests_changed();
	return lc_reply_json(rq, 200,
	                     json_pack("{s:s, s:i, s:i}", "status", "ok", "procedures_created", created,
	                               "sample_requests", sm.created));
}
