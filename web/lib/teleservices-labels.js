// French labels of the online procedures' codes (request statuses, kinds of document, services),
// one table each for the citizen's pages and the agents' views, so both say the same thing.

/**
 * Status of a request, in the citizen's words, which the agents read as well (« Incomplète »
 * names the state the agents act on, the rest says what the citizen has to do).
 */
export const STATUS_LABELS = Object.freeze({
  draft: 'Brouillon',
  submitted: 'Envoyée',
  received: 'Reçue',
  in_progress: 'En cours de traitement',
  incomplete: 'Incomplète : pièce ou information manquante',
  accepted: 'Acceptée',
  rejected: 'Refusée',
  cancelled: 'Annulée',
});

export const KIND_LABELS = Object.freeze({
  identity: 'Pièce d’identité',
  family_record_book: 'Livret de famille',
  proof_of_address: 'Justificatif de domicile',
  qf_certificate: 'Attestation de quotient familial',
  health_record: 'Carnet de santé',
  other: 'Autre document',
});

export const SERVICE_LABELS = Object.freeze({
  'etat-civil': 'État civil',
  scolaire: 'Affaires scolaires',
  jeunesse: 'Enfance et jeunesse',
  conservatoire: 'Conservatoire',
});
