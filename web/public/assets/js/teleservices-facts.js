// What a procedure is, for whom, what it needs, how long it takes and what it costs: the facts
// a person reads before signing in (demarche.html signed out) and on the catalogue.

import { h, formatCents } from '/lib/dom.js';
import { KIND_LABELS, serviceLabel } from './teleservices-common.js';

const RELATIONS = { child: 'un enfant du foyer', adult: 'un adulte du foyer' };

/** « Pour qui » in words, from the audience and the member filter. */
export function audienceText(p) {
  if (p.audience === 'household') return 'Tout le foyer.';
  if (p.audience === 'self') return 'Vous-même.';
  const f = p.member_filter || {};
  const who = RELATIONS[f.relation] || 'vous-même ou un membre de votre foyer';
  const ages = f.min_age != null && f.max_age != null ? `, de ${f.min_age} à ${f.max_age} ans`
    : f.min_age != null ? `, à partir de ${f.min_age} ans` : f.max_age != null ? `, jusqu’à ${f.max_age} ans` : '';
  return `${who.charAt(0).toUpperCase()}${who.slice(1)}${ages}.`;
}

export function procedureFacts(p) {
  const docs = p.required_documents || [];
  return h('dl', { class: 'ts-summary ts-facts' },
    h('dt', {}, 'Service'), h('dd', {}, serviceLabel(p.service)),
    h('dt', {}, 'Pour qui'), h('dd', {}, audienceText(p)),
    h('dt', {}, 'Pièces à fournir'), h('dd', {}, docs.length
      ? h('ul', {}, docs.map((d) => h('li', {}, d.label || KIND_LABELS[d.kind] || d.kind,
        d.per_member ? ' (pour chaque personne concernée)' : '', d.optional ? ' (facultatif)' : '')))
      : 'Aucune'),
    h('dt', {}, 'Délai de réponse'), h('dd', {}, `${p.sla_days} jours ouvrés au plus`),
    h('dt', {}, 'Coût'), h('dd', {}, p.fee_cents ? formatCents(p.fee_cents) : 'Gratuit'));
}
