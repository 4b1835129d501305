/* family_rules.h — the pure rules of the family side of civitas-account: member checks, ages,
 * vault quotas, file names and the headers of a download. No I/O; unit-tested on their own. */
#ifndef CIVITAS_ACCOUNT_FAMILY_RULES_H
#define CIVITAS_ACCOUNT_FAMILY_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAM_FILE_MAX      (10u * 1024 * 1024)  /* bytes per document */
#define FAM_HOUSEHOLD_MAX (100u * 1024 * 1024) /* bytes per household, all documents */
#define FAM_UPLOAD_CAP    (12u * 1024 * 1024)  /* route body cap = nginx client_max_body_size */
#define FAM_FILENAME_MAX  120                  /* bytes of a stored file name */
#define FAM_ADULT_MIN_AGE 18
#define FAM_CHILD_MAX_AGE 25 /* "enfant à charge" up to 25 years old */
#define FAM_MAX_MEMBERS   12
#define FAM_MAX_ACCOUNTS  2 /* adults with their own account in one household */

extern const char *const fam_relations[];      /* adult, child, other */
extern const char *const fam_sexes[];          /* F, M */
extern const char *const fam_school_classes[]; /* tps ps ms gs cp ce1 ... tle */
extern const char *const fam_document_kinds[];
extern const char *const fam_document_mimes[];

/* Is s one of the NULL-terminated values? */
bool fam_in(const char *const *values, const char *s);

/* Full years between birth and on (both YYYY-MM-DD); -1 when either is not a date or birth is
 * after on. A person born on 29 February has their birthday on 1 March in common years. */
int fam_age_on(const char *birth, const char *on);

/* Checks a member as it will be stored (after a PATCH has been merged): relation, birth date,
 * school class. Returns NULL when it is good, else the name of the first bad field and, in
 * *code, a json.h error code (LC_JERR_*), in *message an English reason (static strings).
 * has_account: the member is an adult with their own account (birth date may be unknown). */
const char *fam_member_check(const char *relation, const char *birth_date, const char *school_class,
                             bool has_account, const char *today, const char **code, const char **message);

/* The vault's two limits. Returns 0 when a file of `incoming` bytes fits, 1 when the file is over
 * FAM_FILE_MAX, 2 when the household's `used` bytes plus it would pass FAM_HOUSEHOLD_MAX. */
int fam_quota_check(uint64_t used, uint64_t incoming);

/* Decodes %XX escapes (a header carries UTF-8 file names that way) into out (outlen bytes with
 * the NUL). Returns false on a bad escape, invalid UTF-8 or when it does not fit. */
bool fam_percent_decode(const char *in, char *out, size_t outlen);

/* Makes a stored file name from what the client sent (may be NULL): no directory part, no
 * control or reserved characters (/ \ : * ? " < > |), no leading dots, spaces collapsed, at most
 * FAM_FILENAME_MAX bytes cut on a UTF-8 boundary with the extension kept, and the extension of
 * mime when the name has none that fits it. Falls back to "document.<ext>". out needs
 * FAM_FILENAME_MAX + 1 bytes. */
void fam_sanitize_filename(const char *in, const char *mime, char *out, size_t outlen);

/* The extension for a stored type ("pdf", "jpg", "png"), or NULL. */
const char *fam_mime_ext(const char *mime);

/* Content-Disposition for a download: attachment; filename="<ASCII fallback>";
 * filename*=UTF-8''<percent-encoded>. Returns false when out is too small. */
bool fam_content_disposition(const char *filename, char *out, size_t outlen);

#endif
