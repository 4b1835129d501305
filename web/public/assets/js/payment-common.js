// Shared by the payment pages (Mes factures, Mes billets, the payment result, the ticket box of
// an event): the API prefix, French labels of statuses, the basket's checkout with an
// Idempotency-Key that survives a double click, and images fetched with the access token.

import { api, fetchBlob } from '/lib/api.js';

export const PAYMENT = '/api/payment/v1';

export const INVOICE_STATUS = {
  open: 'À payer',
  paid: 'Payée',
  cancelled: 'Annulée',
  refunded: 'Remboursée',
  partially_refunded: 'Remboursée en partie',
};

export const CHECKOUT_STATUS = {
  created: 'En attente du paiement',
  pending: 'En attente de la confirmation de la banque',
  succeeded: 'Paiement accepté',
  failed: 'Paiement refusé',
  cancelled: 'Paiement annulé',
  expired: 'Paiement expiré',
};

/** A fresh idempotency key for one click on « Payer » (retries of that click reuse it). */
export function newKey() {
  return crypto.randomUUID();
}

/** Creates the checkout and goes to the provider's page. */
export async function payBasket(body, key) {
  const checkout = await api.post(`${PAYMENT}/checkouts`, body, { headers: { 'Idempotency-Key': key } });
  location.assign(checkout.redirect_url);
  return checkout;
}

/** A data: URL for a protected image (the QR codes), fetched with the access token; data: and not
 * blob: because the site's Content-Security-Policy allows img-src 'self' data: only. */
export async function protectedImage(path) {
  const blob = await fetchBlob(path);
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new Error('image indisponible'));
    reader.readAsDataURL(blob);
  });
}
