/* qr.h — a QR code drawn as SVG (libqrencode's module matrix, one path of unit squares, crisp
 * at any size), for the TOTP enrolment link (account) and the tickets (payment). */
#ifndef CIVITAS_QR_H
#define CIVITAS_QR_H

#include <stddef.h>

/* The SVG of text encoded at error correction level M with a quiet zone of four modules.
 * label, when not NULL, makes the image accessible (role="img", aria-label, XML-escaped);
 * px_per_module > 0 gives it a width and height of that many pixels a module (0: it scales to
 * its box). Returns a NUL-terminated string the caller frees (its length in *len when len is
 * not NULL), or NULL when the text cannot be encoded or memory runs out. */
char *lc_qr_svg(const char *text, const char *label, int px_per_module, size_t *len);

#endif
