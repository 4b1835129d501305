/* h_documents.h — /requests/{id}/documents: a request's supporting documents. */
#ifndef CIVITAS_TELESERVICES_H_DOCUMENTS_H
#define CIVITAS_TELESERVICES_H_DOCUMENTS_H

struct lc_request;
int h_request_document_add(struct lc_request *rq);
int h_request_document_get(struct lc_request *rq);
int h_request_document_delete(struct lc_request *rq);

#endif
