/* db.h — the content service's two statement tables (articles and the rest of the site). */
#ifndef CIVITAS_CONTENT_DB_H
#define CIVITAS_CONTENT_DB_H

#include "civitas/db.h"

extern const struct lc_sql content_sql_articles[];
extern const struct lc_sql content_sql_site[];

#endif
