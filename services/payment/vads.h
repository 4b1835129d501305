/* vads.h — Lyra's form protocol (Systempay, and our sandbox which speaks it too): the
 * signature over the vads_* fields, and the application/x-www-form-urlencoded bodies it uses.
 * Pure functions, unit-tested against values computed independently. */
#ifndef CIVITAS_PAYMENT_VADS_H
#define CIVITAS_PAYMENT_VADS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The signature Lyra documents: the values of every field whose name starts with "vads_",
 * sorted by name, joined with '+', then '+' and the shop key; HMAC-SHA-256 of that string keyed
 * with the same key, in standard Base64. fields is an object of strings. out needs 45 bytes.
 * Returns false when a vads_ value is not a string. */
bool vads_sign(const json_t *fields, const char *key, char out[45]);
/* Constant-time check of fields["signature"] against vads_sign. */
bool vads_verify(const json_t *fields, const char *key);

/* Parses an urlencoded body into an object of strings (new ref); NULL when malformed
 * (bad %-escape, invalid UTF-8, a repeated name, more than 100 fields). */
json_t *vads_form_parse(const char *body, size_t len);
/* Encodes an object of strings as an urlencoded body (malloc'd; caller frees). */
char *vads_form_encode(const json_t *fields);
/* HTML-escapes s into a newly malloc'd string (caller frees). */
char *vads_html_escape(const char *s);

#endif
