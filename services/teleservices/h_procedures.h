/* h_procedures.h — /procedures: public catalogue, admin create and edit (versioned). */
#ifndef CIVITAS_TELESERVICES_H_PROCEDURES_H
#define CIVITAS_TELESERVICES_H_PROCEDURES_H

struct lc_request;
int h_procedure_list(struct lc_request *rq);
int h_procedure_get(struct lc_request *rq);
int h_procedure_create(struct lc_request *rq);
int h_procedure_patch(struct lc_request *rq);

#endif
