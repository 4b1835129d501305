/* pricing.h — the price a family pays from a grid of quotient-familial brackets. Pure
 * functions (no database, no network), unit-tested on their own. */
#ifndef CIVITAS_PAYMENT_PRICING_H
#define CIVITAS_PAYMENT_PRICING_H

#include <jansson.h>
#include <stdint.h>

/* Why a price was chosen; the invoice records it. */
#define PAY_BASIS_VERIFIED "verified_qf"
#define PAY_BASIS_DECLARED "default_declared" /* a declared QF is not proof: default price */
#define PAY_BASIS_EXPIRED  "default_expired"
#define PAY_BASIS_MISSING  "default_missing"

/* Checks brackets [{qf_max, price_cents}] (1 to 20, qf_max strictly increasing, 0..100000,
 * prices 0..max_cents) and that the default is at least every bracket's price. Appends
 * {field, code, message} to errors; returns the number of problems found. */
int pay_grid_check(const json_t *brackets, int64_t default_cents, int64_t max_cents, json_t *errors);

/* The price for a household's quotient_familial ({value, state, valid_until} or null/NULL) on
 * date today ("YYYY-MM-DD"): the first bracket whose qf_max >= value when the quotient is
 * verified and still valid, else the default. *basis is one of PAY_BASIS_*; *qf the value used
 * (-1 when none). */
int64_t pay_grid_price(const json_t *brackets, int64_t default_cents, const json_t *quotient,
                       const char *today, const char **basis, int64_t *qf);

#endif
