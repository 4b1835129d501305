/* demo_data.c — the demo content of Beaulieu-sur-Loire (a town of 4 800 inhabitants on the
 * Loire): sections, pages and news, events, an alert, associations and partners, job offers. */
#include "demo_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct demo_section demo_sections[] = {
    {"mairie", NULL, "Mairie",
     "Le conseil municipal, les services, les comptes rendus et les marchés publics.", "communication"},
    {"demarches", NULL, "Démarches", "État civil, papiers d’identité, élections et recensement citoyen.",
     "etat-civil"},
    {"enfance-jeunesse", NULL, "Enfance et jeunesse",
     "Écoles, restauration scolaire, périscolaire, accueil de loisirs et espace jeunes.", "enfance"},
    {"culture-loisirs", NULL, "Culture et loisirs",
     "Médiathèque, saison culturelle, équipements sportifs et patrimoine.", "communication"},
    {"conservatoire", "culture-loisirs", "Conservatoire",
     "Musique, danse et théâtre : cours, inscriptions, auditions.", "conservatoire"},
    {"emploi", NULL, "Emploi", "Offres d’emploi locales, la mairie recrute, accompagnement vers l’emploi.",
     "communication"},
    {"associations", NULL, "Associations", "Vie associative, subventions, prêt de salles et de matériel.",
     "communication"},
    {"urbanisme", NULL, "Urbanisme", "Plan local d’urbanisme, autorisations de travaux, cadastre.",
     "communication"},
    {"vie-pratique", NULL, "Vie pratique", "Déchets, marché, transports, santé, sécurité et cadre de vie.",
     "communication"},
    {"contact", NULL, "Contact", "Horaires, adresses et moyens de joindre les services municipaux.",
     "communication"},
};
const size_t demo_nsections = N(demo_sections);

const struct demo_article demo_articles[] = {
    /* pages */
    {"mairie", "page", "le-conseil-municipal", "Le conseil municipal",
     "Composition, rôle et calendrier des séances du conseil municipal.",
     "Le conseil municipal de Beaulieu-sur-Loire compte **27 élus**, dont le maire et ses huit adjoints.\n\n"
     "## Les séances\n\nLe conseil se réunit environ une fois par mois, le jeudi à 19 h, dans la salle du "
     "conseil "
     "de l’hôtel de ville. Les séances sont publiques : chacun peut y assister dans la limite des places "
     "disponibles.\n\n## Ordres du jour et comptes rendus\n\nL’ordre du jour est affiché en mairie cinq "
     "jours "
     "avant la séance. Les comptes rendus sont publiés dans la rubrique [Mairie](/page.html?rubrique=mairie) "
     "dans la semaine qui suit.",
     "[\"conseil municipal\",\"élus\"]", 120},
    {"mairie", "page", "services-municipaux", "Les services municipaux",
     "Qui fait quoi à la mairie : accueil, état civil, services techniques, enfance, culture.",
     "La mairie emploie 68 agents répartis en six services.\n\n"
     "- **Accueil et état civil** : délivrance des actes, mariages, élections, cimetière ;\n"
     "- **Enfance, jeunesse et éducation** : écoles, restauration, périscolaire, accueil de loisirs ;\n"
     "- **Culture** : médiathèque, conservatoire, saison culturelle ;\n"
     "- **Services techniques** : voirie, espaces verts, bâtiments ;\n"
     "- **Urbanisme** : permis de construire, déclarations préalables ;\n"
     "- **Administration générale** : finances, ressources humaines, marchés publics.\n\n"
     "Chaque service est joignable par l’accueil de la mairie au 02 38 00 00 00.",
     "[\"services\"]", 200},
    {"mairie", "page", "budget-2026", "Le budget 2026",
     "Le budget primitif 2026 voté en mars : priorité aux écoles et à la rénovation énergétique.",
     "Le conseil municipal a adopté le budget primitif 2026 : **7,9 millions d’euros** en fonctionnement et "
     "**2,4 millions d’euros** en investissement.\n\n## Les principaux investissements\n\n"
     "1. Rénovation thermique de l’école Jules-Ferry (820 000 €) ;\n2. Réfection de la rue des Mariniers "
     "(310 000 €) ;\n"
     "3. Nouvelle aire de jeux au parc de la Prairie (95 000 €).\n\nLes taux communaux des impôts locaux "
     "restent "
     "inchangés pour la sixième année consécutive.",
     "[\"budget\",\"finances\"]", 60},
    {"demarches", "page", "carte-identite-passeport", "Carte d’identité et passeport",
     "Sur rendez-vous, avec une pré-demande en ligne : les étapes et les pièces à fournir.",
     "La mairie de Beaulieu-sur-Loire est équipée d’un dispositif de recueil pour les cartes nationales "
     "d’identité et les passeports.\n\n## Les étapes\n\n1. Faites votre pré-demande sur le site de l’ANTS et "
     "notez "
     "le numéro obtenu ;\n2. Prenez rendez-vous à l’accueil de la mairie ;\n3. Présentez-vous avec les "
     "pièces "
     "justificatives et, pour un passeport, le timbre fiscal.\n\nLe délai d’obtention est actuellement de "
     "**cinq à sept semaines**. Pensez-y bien avant vos voyages.",
     "[\"état civil\",\"identité\"]", 300},
    {"demarches", "page", "actes-etat-civil", "Actes d’état civil",
     "Demander un acte de naissance, de mariage ou de décès.",
     "Les actes sont délivrés gratuitement par la mairie du lieu de l’événement.\n\n"
     "- en ligne, depuis la rubrique [Démarches en ligne](/demarches.html) ;\n- au guichet, avec une pièce "
     "d’identité ;\n- par courrier, en joignant une enveloppe timbrée à votre adresse.\n\n"
     "Les copies intégrales ne sont remises qu’à la personne concernée, à ses ascendants, descendants, "
     "conjoint ou représentant légal.",
     "[\"état civil\"]", 310},
    {"demarches", "page", "elections-inscription", "S’inscrire sur les listes électorales",
     "L’inscription est possible toute l’année, jusqu’au sixième vendredi avant un scrutin.",
     "Pour voter à Beaulieu-sur-Loire, vous devez être inscrit sur la liste électorale de la commune.\n\n"
     "Vous pouvez vous inscrire en ligne ou à l’accueil de la mairie avec un justificatif d’identité et un "
     "justificatif de domicile de moins de trois mois. Les jeunes de 18 ans recensés dans la commune sont "
     "inscrits d’office.",
     "[\"élections\",\"citoyenneté\"]", 280},
    {"demarches", "page", "recensement-citoyen", "Le recensement citoyen à 16 ans",
     "Une démarche obligatoire dans les trois mois qui suivent le seizième anniversaire.",
     "Tout jeune Français doit se faire recenser entre la date de ses 16 ans et la fin du troisième mois "
     "suivant. L’attestation remise est demandée pour s’inscrire au permis de conduire ou au "
     "baccalauréat.\n\n"
     "Présentez-vous en mairie avec une pièce d’identité et le livret de famille.",
     "[\"citoyenneté\",\"jeunesse\"]", 260},
    {"enfance-jeunesse", "page", "ecoles-de-la-commune", "Les écoles de la commune",
     "Deux écoles maternelles, deux écoles élémentaires : adresses, horaires et inscriptions.",
     "Beaulieu-sur-Loire accueille **520 élèves** dans quatre écoles publiques :\n\n"
     "- école maternelle des Tilleuls, 4 rue des Écoles ;\n- école maternelle du Port, 12 quai de Loire ;\n"
     "- école élémentaire Jules-Ferry, 2 avenue de la République ;\n- école élémentaire Marie-Curie, 18 rue "
     "Pasteur.\n\nLes inscriptions pour la rentrée se font en mairie ou en ligne de mars à mai.",
     "[\"école\",\"inscription\"]", 240},
    {"enfance-jeunesse", "page", "restauration-scolaire", "La restauration scolaire",
     "Des repas cuisinés sur place, avec 40 % de produits bio et locaux.",
     "Le restaurant scolaire sert chaque jour environ 400 repas préparés par l’équipe de la cuisine "
     "centrale.\n\nLes tarifs dépendent du **quotient familial**. Les menus sont affichés dans les écoles et "
     "publiés chaque mois. Un repas sans viande est proposé chaque semaine.",
     "[\"cantine\",\"école\"]", 230},
    {"enfance-jeunesse", "page", "accueil-de-loisirs", "L’accueil de loisirs des Castors",
     "Les mercredis et pendant les vacances, pour les enfants de 3 à 12 ans.",
     "L’accueil de loisirs des Castors accueille les enfants de 3 à 12 ans de 7 h 30 à 18 h 30.\n\n"
     "Les réservations se font depuis votre espace famille, au plus tard le jeudi précédent pour le "
     "mercredi, "
     "et trois semaines avant le début des vacances.",
     "[\"loisirs\",\"vacances\"]", 220},
    {"culture-loisirs", "page", "mediatheque", "La médiathèque Louise-Michel",
     "35 000 documents, des animations toute l’année et un abonnement gratuit pour les moins de 18 ans.",
     "La médiathèque Louise-Michel vous accueille le mardi, le mercredi, le vendredi et le samedi.\n\n"
     "L’abonnement est **gratuit pour les moins de 18 ans** et les demandeurs d’emploi. Vous pouvez "
     "emprunter "
     "jusqu’à dix documents pour trois semaines.",
     "[\"médiathèque\",\"lecture\"]", 210},
    {"culture-loisirs", "page", "equipements-sportifs", "Les équipements sportifs",
     "Gymnases, stade, piscine d’été et city-stade : horaires et réservations.",
     "La commune met à disposition des associations et des habitants :\n\n- le gymnase des Varennes ;\n"
     "- le stade municipal Roger-Couderc ;\n- la piscine d’été, ouverte de juin à août ;\n- le city-stade du "
     "quartier de la Prairie, en accès libre.",
     "[\"sport\"]", 190},
    {"conservatoire", "page", "inscriptions-conservatoire", "S’inscrire au conservatoire",
     "Musique, danse et théâtre dès 5 ans : les inscriptions ouvrent en juin.",
     "Le conservatoire municipal accueille 380 élèves, enfants et adultes.\n\n## Les disciplines\n\n"
     "Piano, guitare, violon, violoncelle, flûte, clarinette, trompette, percussions, chant, danse classique "
     "et contemporaine, théâtre.\n\n## Les tarifs\n\nLes droits d’inscription dépendent du quotient "
     "familial. "
     "Les réinscriptions ont lieu en mai, les nouvelles inscriptions à partir du 15 juin.",
     "[\"conservatoire\",\"musique\",\"inscription\"]", 180},
    {"emploi", "page", "la-mairie-recrute", "La mairie recrute",
     "Postes ouverts, stages et apprentissage dans les services municipaux.",
     "La mairie publie ses offres sur ce site et sur le portail de la fonction publique territoriale.\n\n"
     "Les candidatures spontanées sont les bienvenues : adressez une lettre et un CV au service des "
     "ressources humaines. Consultez aussi l’[espace emploi](/emploi.html) pour les offres des employeurs "
     "du territoire.",
     "[\"emploi\",\"recrutement\"]", 90},
    {"associations", "page", "subventions-associations", "Demander une subvention",
     "Le dossier de demande est à déposer avant le 31 janvier de chaque année.",
     "La commune soutient les associations locales par des subventions de fonctionnement et de projet.\n\n"
     "Le dossier comprend le bilan de l’année écoulée, le budget prévisionnel et la présentation des "
     "projets. Il est examiné par la commission vie associative en février.",
     "[\"associations\",\"subvention\"]", 150},
    {"associations", "page", "pret-de-salles", "Le prêt de salles et de matériel",
     "Salle des fêtes, salle Saint-Martin, tables, chaises et barnums.",
     "Les associations de la commune peuvent réserver gratuitement une salle municipale deux fois par an. "
     "Le matériel (tables, chaises, barnums, sonorisation) est prêté sur demande, quinze jours à l’avance.",
     "[\"associations\",\"salles\"]", 140},
    {"urbanisme", "page", "plan-local-urbanisme", "Le plan local d’urbanisme",
     "Consulter le PLU en vigueur et comprendre les zones de la commune.",
     "Le plan local d’urbanisme (PLU) fixe les règles de construction sur la commune. Il est consultable en "
     "mairie et sur le Géoportail de l’urbanisme.\n\nLa zone inondable de la Loire fait l’objet d’un plan de "
     "prévention des risques qui s’impose au PLU.",
     "[\"urbanisme\",\"PLU\"]", 170},
    {"urbanisme", "page", "autorisations-de-travaux", "Les autorisations de travaux",
     "Permis de construire, déclaration préalable : quel dossier pour quels travaux ?",
     "Une **déclaration préalable** suffit pour une extension de moins de 20 m², un changement de fenêtres "
     "ou une clôture. Au-delà, un **permis de construire** est nécessaire.\n\nLe service urbanisme vous "
     "reçoit "
     "sur rendez-vous le mardi et le jeudi matin pour vous aider à constituer votre dossier.",
     "[\"urbanisme\",\"travaux\"]", 160},
    {"vie-pratique", "page", "collecte-des-dechets", "La collecte des déchets",
     "Jours de ramassage, déchetterie et encombrants.",
     "Les ordures ménagères sont collectées le **lundi**, les emballages recyclables le **jeudi** des "
     "semaines paires.\n\nLa déchetterie des Granges est ouverte du mardi au samedi. Les encombrants sont "
     "ramassés sur rendez-vous une fois par mois.",
     "[\"déchets\",\"environnement\"]", 130},
    {"vie-pratique", "page", "marche-hebdomadaire", "Le marché du samedi",
     "Chaque samedi matin, place du Martroi, une quarantaine de commerçants.",
     "Le marché se tient chaque samedi de 8 h à 13 h place du Martroi. Producteurs locaux, fromagers, "
     "maraîchers et artisans vous y attendent.",
     "[\"marché\",\"commerce\"]", 125},
    {"contact", "page", "nous-contacter", "Nous contacter",
     "Adresse, horaires d’ouverture et téléphone de la mairie.",
     "**Hôtel de ville** — 1 place de la Mairie, 45630 Beaulieu-sur-Loire.\n\n"
     "Ouvert du lundi au vendredi de 8 h 30 à 12 h et de 13 h 30 à 17 h 30, le samedi de 9 h à 12 h.\n\n"
     "Téléphone : 02 38 00 00 00 — courriel : "
     "[mairie@beaulieu-sur-loire.example](mailto:mairie@beaulieu-sur-loire.example).",
     "[\"contact\",\"horaires\"]", 400},
    /* news */
    {"vie-pratique", "news", "travaux-rue-des-mariniers", "Travaux rue des Mariniers : circulation alternée",
     "La réfection de la chaussée commence le {{J+9}} et dure six semaines.",
     "La rue des Mariniers fait peau neuve : réseaux d’eau, chaussée et trottoirs seront refaits.\n\n"
     "Pendant les travaux, la circulation se fera **en alternance** entre 8 h et 17 h. Le stationnement sera "
     "interdit côté impair. Les riverains conservent l’accès à leur domicile.",
     "[\"travaux\",\"voirie\"]", 3},
    {"enfance-jeunesse", "news", "inscriptions-accueil-loisirs-vacances",
     "Accueil de loisirs : les inscriptions pour les prochaines vacances sont ouvertes",
     "Réservez les journées des prochaines vacances depuis votre espace famille.",
     "Le programme des prochaines vacances est prêt : sorties sur les bords de Loire, ateliers "
     "scientifiques, jeux collectifs et grand jeu de fin de séjour.\n\nLes réservations sont ouvertes "
     "jusqu’au {{J+12}} dans votre espace famille.",
     "[\"loisirs\",\"vacances\"]", 5},
    {"mairie", "news", "compte-rendu-conseil-municipal",
     "Conseil municipal du {{J-10}} : ce qu’il faut retenir",
     "Budget, rénovation de l’école Jules-Ferry et nouvelle aire de jeux.",
     "Lors de sa séance du {{J-10}}, le conseil municipal a ajusté le budget de l’année, approuvé le "
     "lancement des "
     "travaux de rénovation de l’école Jules-Ferry et choisi le projet de la nouvelle aire de jeux du parc "
     "de "
     "la Prairie.\n\nLe compte rendu complet est disponible en mairie.",
     "[\"conseil municipal\"]", 9},
    {"culture-loisirs", "news", "nuit-de-la-lecture", "Une nuit de la lecture réussie à la médiathèque",
     "Plus de 300 visiteurs pour les lectures, contes et le concert de clôture.",
     "Petits et grands ont profité des lectures à voix haute, du spectacle de contes et du concert du "
     "groupe *Les Mariniers*. Merci aux bénévoles et aux bibliothécaires !",
     "[\"médiathèque\",\"lecture\"]", 14},
    {"conservatoire", "news", "audition-des-eleves", "Audition des élèves du conservatoire",
     "Le {{J+8}} à 18 h 30, les élèves de piano et de violon se produisent à l’auditorium.",
     "Les élèves des classes de piano, de violon et de violoncelle donnent leur audition le {{J+8}} à "
     "18 h 30 à l’auditorium du conservatoire. Entrée libre, dans la limite des places disponibles.",
     "[\"conservatoire\",\"musique\"]", 7},
    {"vie-pratique", "news", "nouveaux-horaires-dechetterie", "Nouveaux horaires de la déchetterie",
     "À partir du {{J+3}}, la déchetterie ouvre aussi le lundi après-midi.",
     "Pour répondre à la demande, la déchetterie des Granges ouvrira le **lundi de 14 h à 18 h** à partir du "
     "{{J+3}}, en plus des horaires habituels.",
     "[\"déchets\"]", 11},
    {"urbanisme", "news", "reunion-publique-plu", "Révision du PLU : réunion publique",
     "Venez découvrir le projet d’aménagement et donner votre avis.",
     "La révision du plan local d’urbanisme entre dans sa phase de concertation. Une réunion publique, le "
     "{{J+15}} à 18 h 30 à la salle Saint-Martin, présentera le projet d’aménagement et de développement "
     "durables.\n\nUn registre est ouvert en mairie "
     "pour recueillir vos observations.",
     "[\"urbanisme\",\"PLU\",\"concertation\"]", 16},
    {"associations", "news", "forum-des-associations", "Le forum des associations revient le {{J+40}}",
     "Plus de 50 associations présentes au gymnase des Varennes.",
     "Sport, culture, solidarité, environnement : le {{J+40}}, le forum des associations est le grand "
     "rendez-vous pour découvrir les activités proposées à Beaulieu-sur-Loire et s’inscrire.",
     "[\"associations\",\"forum\"]", 20},
    {"enfance-jeunesse", "news", "ecole-jules-ferry-renovation",
     "École Jules-Ferry : la rénovation commence aux prochaines vacances",
     "Isolation, fenêtres et chauffage : les travaux auront lieu pendant les vacances scolaires.",
     "Les travaux de rénovation énergétique de l’école élémentaire Jules-Ferry débuteront dès la sortie des "
     "classes. Ils permettront de diviser par deux la consommation d’énergie du bâtiment.\n\nLes élèves "
     "retrouveront leurs classes rénovées au retour des vacances.",
     "[\"école\",\"travaux\",\"énergie\"]", 24},
    {"mairie", "news", "permanences-des-elus", "Les permanences des élus reprennent",
     "Le maire et les adjoints vous reçoivent le samedi matin, sans rendez-vous.",
     "Les permanences des élus ont lieu chaque samedi de 10 h à 12 h à l’hôtel de ville, sans rendez-vous. "
     "Elles sont l’occasion de poser vos questions et de faire part de vos suggestions.",
     "[\"élus\"]", 30},
};
const size_t demo_narticles = N(demo_articles);

const struct demo_event demo_events[] = {
    {"marche-des-producteurs", "Marché des producteurs de pays", "Place du Martroi",
     "Fruits, légumes, fromages et vins du Loiret en direct des producteurs.",
     "Une trentaine de producteurs locaux vous proposent leurs produits de saison. Animation musicale à "
     "partir de 11 h.",
     "tous", 2, 8 * 60, 300, false},
    {"conseil-municipal-seance", "Séance du conseil municipal", "Hôtel de ville, salle du conseil",
     "Séance publique du conseil municipal.",
     "L’ordre du jour est affiché en mairie cinq jours avant la "
     "séance.",
     "tous", 5, 19 * 60, 150, false},
    {"heure-du-conte", "L’heure du conte", "Médiathèque Louise-Michel",
     "Histoires et comptines pour les enfants de 3 à 6 ans.",
     "Gratuit, sur inscription auprès de la "
     "médiathèque.",
     "enfants", 6, 10 * 60 + 30, 60, false},
    {"concert-orchestre-harmonie", "Concert de l’orchestre d’harmonie", "Salle des fêtes",
     "L’harmonie municipale fête ses 120 ans avec un programme de musiques de films.",
     "Billetterie en ligne et à l’accueil de la mairie. Tarif réduit pour les moins de 18 ans.", "tous", 9,
     20 * 60 + 30, 120, true},
    {"atelier-numerique", "Atelier numérique : faire ses démarches en ligne", "Médiathèque Louise-Michel",
     "Un conseiller numérique vous aide à créer votre compte et à suivre vos demandes.",
     "Apportez votre téléphone ou votre ordinateur portable. Gratuit, sur inscription.", "adultes", 12,
     14 * 60, 120, false},
    {"reunion-publique-plu-evenement", "Réunion publique sur la révision du PLU", "Salle Saint-Martin",
     "Présentation du projet d’aménagement et échanges avec les habitants.",
     "Le bureau d’études présentera les grandes orientations du projet.", "tous", 15, 18 * 60 + 30, 120,
     false},
    {"course-des-bords-de-loire", "Course des bords de Loire", "Départ du quai de Loire",
     "10 km, 5 km et course des enfants le long du fleuve.",
     "Inscriptions auprès du club d’athlétisme. Ravitaillement à mi-parcours.", "tous", 19, 9 * 60, 240,
     false},
    {"spectacle-theatre-jeune-public", "Théâtre jeune public : « Le Voyage de Lila »", "Salle des fêtes",
     "Un conte musical pour les enfants à partir de 5 ans.", "Durée : 50 minutes. Billetterie en ligne.",
     "enfants", 23, 15 * 60, 50, true},
    {"journee-citoyenne", "Journée citoyenne", "Parc de la Prairie",
     "Plantations, nettoyage des berges et repas partagé.",
     "Venez en famille : gants et outils sont fournis. Inscription conseillée.", "tous", 27, 9 * 60, 420,
     false},
    {"portes-ouvertes-conservatoire", "Portes ouvertes du conservatoire", "Conservatoire municipal",
     "Découvrez les instruments et rencontrez les professeurs.",
     "Essais d’instruments, mini-concerts et présentation des cours de danse et de théâtre.", "tous", 33,
     14 * 60, 240, false},
};
const size_t demo_nevents = N(demo_events);

const char *const demo_alert_message = "Crue de la Loire : le quai de Loire et le chemin de halage sont "
                                       "fermés à la circulation jusqu’à nouvel ordre.";
const char *const demo_alert_link = "/page.html?slug=travaux-rue-des-mariniers";

const struct demo_org demo_orgs[] = {
    {"amis-du-patrimoine", "Les Amis du patrimoine de Beaulieu", "culture",
     "L’association fait découvrir l’histoire de la commune : visites guidées, conférences, restauration du "
     "lavoir.",
     "Maison des associations, 3 rue du Port", "02 38 00 10 01", "contact@patrimoine-beaulieu.example",
     "https://patrimoine-beaulieu.example", "Permanence le mercredi de 14 h à 17 h", true},
    {"beaulieu-basket", "Beaulieu Basket Club", "sport",
     "Du baby-basket aux seniors, 180 licenciés et six équipes engagées en championnat.",
     "Gymnase des Varennes", "02 38 00 10 02", "bbc@beaulieu-basket.example", "",
     "Entraînements du lundi au vendredi à partir de 17 h", false},
    {"athletisme-val-de-loire", "Athlétic Val de Loire", "sport",
     "Course sur route, trail et athlétisme sur piste. Organisateur de la course des bords de Loire.",
     "Stade Roger-Couderc", "02 38 00 10 03", "contact@ava-loire.example", "",
     "Mardi et jeudi 18 h 30, dimanche 9 h", false},
    {"harmonie-municipale", "Harmonie municipale", "culture",
     "Orchestre d’harmonie de 45 musiciens amateurs, fondé en 1906.", "Conservatoire municipal",
     "02 38 00 10 04", "harmonie@beaulieu.example", "", "Répétitions le vendredi à 20 h", false},
    {"restos-du-coeur-beaulieu", "Les Restos du cœur — antenne de Beaulieu", "solidarite",
     "Aide alimentaire, accompagnement et ateliers pour les personnes en difficulté.", "8 rue des Granges",
     "02 38 00 10 05", "beaulieu@restos.example", "", "Distribution le mardi et le vendredi de 9 h à 12 h",
     false},
    {"secours-populaire", "Secours populaire — comité de Beaulieu", "solidarite",
     "Vestiboutique, aide aux vacances et soutien scolaire.", "Maison des associations, 3 rue du Port",
     "02 38 00 10 06", "", "", "Mercredi de 14 h à 18 h", false},
    {"club-des-aines", "Club des aînés « Les Bords de Loire »", "seniors",
     "Jeux, sorties, voyages et repas pour les plus de 60 ans.", "Salle Saint-Martin", "02 38 00 10 07", "",
     "", "Mardi et jeudi après-midi", false},
    {"ape-jules-ferry", "Association des parents d’élèves Jules-Ferry", "enfance",
     "Les parents organisent la kermesse, le marché de Noël et soutiennent les projets des classes.",
     "École élémentaire Jules-Ferry", "", "ape.julesferry@beaulieu.example", "", "", false},
    {"jardins-partages", "Les Jardins partagés de la Prairie", "environnement",
     "Trente parcelles cultivées en commun, compostage et ateliers de jardinage au naturel.",
     "Parc de la Prairie", "", "jardins@beaulieu.example", "", "Ateliers le samedi matin d’avril à octobre",
     false},
    {"loire-nature", "Loire Nature", "environnement",
     "Sorties naturalistes, comptage des oiseaux et nettoyage des berges.",
     "Maison de la Loire, quai de Loire", "02 38 00 10 10", "contact@loire-nature.example",
     "https://loire-nature.example", "Sur rendez-vous", false},
    {"judo-club", "Judo Club de Beaulieu", "sport", "Judo, ju-jitsu et taïso dès 4 ans.",
     "Dojo municipal, rue Pasteur", "02 38 00 10 11", "judo@beaulieu.example", "",
     "Lundi, mercredi et samedi", false},
    {"compagnie-theatre-du-quai", "Compagnie du Théâtre du Quai", "culture",
     "Troupe de théâtre amateur : deux créations par an et des ateliers pour les adolescents.",
     "Salle des fêtes", "", "theatreduquai@beaulieu.example", "", "Ateliers le jeudi à 18 h", false},
    {"comite-des-fetes", "Comité des fêtes", "animation",
     "Fête de la Saint-Jean, brocante d’automne et marché de Noël.", "Hôtel de ville", "02 38 00 10 13",
     "comitedesfetes@beaulieu.example", "", "", false},
    {"mission-locale", "Mission locale du Val de Loire", "emploi",
     "Accompagnement des 16-25 ans vers l’emploi et la formation.",
     "Espace France services, 5 place du Martroi", "02 38 00 10 14", "contact@ml-valdeloire.example",
     "https://ml-valdeloire.example", "Du lundi au vendredi, sur rendez-vous", false},
    {"france-services", "Espace France services", "services-publics",
     "Aide aux démarches administratives : impôts, CAF, retraite, santé, emploi.", "5 place du Martroi",
     "02 38 00 10 15", "franceservices@beaulieu.example", "",
     "Du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h", false},
};
const size_t demo_norgs = N(demo_orgs);

const struct demo_job demo_jobs[] = {
    {"Animateur ou animatrice d’accueil de loisirs", "Mairie de Beaulieu-sur-Loire", "cdd",
     "Beaulieu-sur-Loire",
     "Vous encadrez des groupes d’enfants de 3 à 12 ans les mercredis et pendant les vacances.\n\n"
     "**Profil** : BAFA ou équivalent, sens des responsabilités, goût du travail en équipe.",
     "rh@beaulieu-sur-loire.example", 40, 3},
    {"Agent d’entretien des espaces verts", "Mairie de Beaulieu-sur-Loire", "saisonnier",
     "Beaulieu-sur-Loire",
     "Tonte, désherbage, arrosage et fleurissement de la commune d’avril à septembre.\n\n"
     "Permis B exigé. Une expérience en espaces verts est appréciée.",
     "rh@beaulieu-sur-loire.example", 30, 6},
    {"Boulanger ou boulangère", "Boulangerie du Martroi", "cdi", "Beaulieu-sur-Loire",
     "Boulangerie artisanale recherche un boulanger confirmé pour la fabrication du pain et des "
     "viennoiseries.\n\n"
     "Horaires de nuit, deux jours de repos consécutifs.",
     "boulangerie.martroi@example.com", 45, 8},
    {"Aide à domicile", "ADMR du Val de Loire", "cdi", "Beaulieu-sur-Loire et communes voisines",
     "Vous accompagnez des personnes âgées dans les gestes du quotidien : courses, repas, entretien du "
     "logement.\n\n"
     "Temps partiel possible, frais kilométriques remboursés.",
     "recrutement@admr-valdeloire.example", 60, 10},
    {"Apprenti ou apprentie mécanicien automobile", "Garage des Varennes", "apprentissage",
     "Beaulieu-sur-Loire",
     "Garage indépendant accueille un apprenti en CAP maintenance des véhicules.\n\n"
     "Vous serez formé à l’entretien courant, aux diagnostics et à la relation avec la clientèle.",
     "garage.varennes@example.com", 50, 12},
    {"Bénévoles pour la course des bords de Loire", "Athlétic Val de Loire", "benevolat", "Quai de Loire",
     "Nous recherchons une trentaine de bénévoles pour le balisage, les ravitaillements et l’accueil des "
     "coureurs.\n\nUne matinée de bonne humeur, le repas est offert.",
     "contact@ava-loire.example", 20, 2},
};
const size_t demo_njobs = N(demo_jobs);

char *demo_dated(const char *text, time_t now)
{
	static const char *const months[] = {"janvier",   "février", "mars",     "avril",
	                                     "mai",       "juin",    "juillet",  "août",
	                                     "septembre", "octobre", "novembre", "décembre"};
	size_t cap = strlen(text) + 1, len = 0;
	char *out = malloc(cap);
	for (const char *p = text; out && *p;) {
		int n = 0, used = 0;
		char sign = 0;
		if (strncmp(p, "{{J", 3) == 0 && sscanf(p + 3, "%c%3d}}%n", &sign, &n, &used) == 2 &&
		    used > 0 && (sign == '+' || sign == '-')) {
			time_t t = now + (time_t)(sign == '-' ? -n : n) * 86400;
			struct tm tm;
			gmtime_r(&t, &tm);
			char day[32];
			int dl = snprintf(day, sizeof(day), "%d%s %s", tm.tm_mday,
			                  tm.tm_mday == 1 ? "er" : "", months[tm.tm_mon]);
			if (len + (size_t)dl + 1 > cap) {
				cap = len + (size_t)dl + strlen(p) + 1;
				char *grown = realloc(out, cap);
				if (!grown) {
					free(out);
					return NULL;
				}
				out = grown;
			}
			memcpy(out + len, day, (size_t)dl);
			len += (size_t)dl;
			p += 3 + used;
			continue;
		}
		if (len + 2 > cap) {
			char *grown = realloc(out, cap *= 2);
			if (!grown) {
				free(out);
				return NULL;
			}
			out = grown;
		}
		out[len++] = *p++;
	}
	if (out)
		out[len] = '\0';
	return out;
}
