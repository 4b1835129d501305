// Mon espace: restores the session from the refresh cookie, then shows the profile (PATCH /me
// with If-Match), the notifications (marked read one by one), the open sessions (each can be
// ended), the password change, new recovery codes (with TOTP) and logout. Without a session it invites to sign in.
import { h, replaceChildren, formatDate, townDay } from '/lib/dom.js';
import { exchange, logout } from '/lib/api.js';
import { ACCOUNT, api, bindForm, restoreSession } from './account-common.js';

const $ = (id) => document.getElementById(id);
let etag = null;

function when(ts) {
  return formatDate(ts, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

async function fetchMe() {
  // The ETag goes back as If-Match with the profile change, so that none is lost.
  const { data, etag: tag } = await exchange('GET', `${ACCOUNT}/me`);
  etag = tag;
  return data;
}

function showProfile(me) {
  $('space-hello').textContent = `Bonjour ${me.given_name} ${me.family_name}.`;
  $('profile-email').textContent = me.email;
  $('f-given-name').value = me.given_name;
  $('f-family-name').value = me.family_name;
  $('f-phone').value = me.phone || '';
  $('f-notify-email').checked = me.notify_email;
  $('f-notify-portal').checked = me.notify_portal;
}

async function loadNotifications() {
  const data = await api.get(`${ACCOUNT}/me/notifications?limit=20`);
  $('notif-unread').textContent = data.unread ? `(${data.unread} non lue${data.unread > 1 ? 's' : ''})` : '';
  if (!data.items.length) {
    replaceChildren($('notif-list'), h('p', { class: 'empty-state' }, 'Aucune notification pour le moment.'));
    return;
  }
  replaceChildren($('notif-list'), h('ul', { class: 'account-list' }, data.items.map((n) => h('li', { class: n.read ? '' : 'unread' },
    h('h3', {}, n.subject),
    h('p', { class: 'meta' }, when(n.created_at), n.read ? '' : ' — non lue'),
    n.link ? h('p', {}, h('a', { href: n.link }, 'Voir la page concernée')) : null,
    n.read ? null : h('button', {
      class: 'btn btn-secondary', type: 'button',
      onclick: async () => { await api.post(`${ACCOUNT}/me/notifications/${n.id}/read`); loadNotifications(); },
    }, 'Marquer comme lue', h('span', { class: 'visually-hidden' }, ` : ${n.subject}`))))));
}

async function loadSessions() {
  const data = await api.get(`${ACCOUNT}/sessions`);
  replaceChildren($('sessions-list'), h('ul', { class: 'account-list' }, data.items.map((s) => h('li', {},
    h('h3', {}, s.current ? 'Cette session' : (s.user_agent || 'Appareil inconnu')),
    h('p', { class: 'meta' }, `Ouverte le ${when(s.created_at)}, utilisée le ${when(s.last_used_at)}`),
    s.current ? null : h('button', {
      class: 'btn btn-secondary', type: 'button',
      onclick: async () => {
        await api.delete(`${ACCOUNT}/sessions/${s.id}`);
        $('sessions-status').textContent = 'La session a été fermée.';
        loadSessions();
      },
    }, 'Fermer cette session')))));
}

bindForm($('profile-form'), async (v) => {
  const body = { given_name: v.given_name, family_name: v.family_name, phone: v.phone || null,
    notify_email: v.notify_email, notify_portal: v.notify_portal };
  const { data: me, etag: tag } = await exchange('PATCH', `${ACCOUNT}/me`, { body, headers: { 'If-Match': etag } });
  etag = tag;
  showProfile(me);
  $('profile-status').textContent = 'Votre profil est enregistré.';
});

bindForm($('password-form'), async (v) => {
  await api.post(`${ACCOUNT}/me/password`, { current_password: v.current_password, new_password: v.new_password });
  $('password-form').reset();
  $('password-status').textContent = 'Votre mot de passe est changé ; vos autres sessions sont fermées.';
  loadSessions();
});

bindForm($('recovery-form'), async (v) => {
  const data = await api.post(`${ACCOUNT}/me/totp/recovery-codes`, { password: v.password });
  $('recovery-form').reset();
  // Shown this once: the server keeps only their hash.
  replaceChildren($('recovery-codes'), data.recovery_codes.map((c) => h('li', {}, h('code', {}, c))));
  $('recovery-codes').hidden = false;
  $('recovery-status').textContent = 'Voici vos dix nouveaux codes : notez-les maintenant, ils ne seront plus affichés. Les anciens ne servent plus.';
});

$('logout').addEventListener('click', async () => {
  await logout();
  location.assign('/');
});

const plural = (n, one, many) => `${n} ${n > 1 ? many : one}`;

/** What waits behind each tile: requests to complete, drafts, documents to renew, no member yet. */
async function loadWaits(me) {
  $('tile-structure').hidden = me.role !== 'partner';
  const today = townDay();
  const soon = townDay(Date.now() + 30 * 86400000);
  const [reqs, docs, hh] = await Promise.all([
    api.get('/api/teleservices/v1/me/requests?limit=100').catch(() => null),
    api.get(`${ACCOUNT}/me/documents?limit=100`).catch(() => null),
    api.get(`${ACCOUNT}/me/household`).catch(() => null),
  ]);
  const say = (id, parts) => { $(id).textContent = parts.filter(Boolean).join(' · '); };
  if (reqs) {
    const count = (s) => reqs.items.filter((r) => r.status === s).length;
    const open = reqs.items.filter((r) => ['submitted', 'received', 'in_progress'].includes(r.status)).length;
    say('waits-requests', [
      count('incomplete') && `${plural(count('incomplete'), 'demande incomplète', 'demandes incomplètes')} à compléter`,
      count('draft') && plural(count('draft'), 'brouillon', 'brouillons'),
      open && `${plural(open, 'demande', 'demandes')} en cours`,
    ]);
  }
  if (docs) {
    const expired = docs.items.filter((d) => d.valid_until && d.valid_until < today).length;
    const expiring = docs.items.filter((d) => d.valid_until && d.valid_until >= today && d.valid_until <= soon).length;
    say('waits-documents', [
      plural(docs.items.length, 'document', 'documents'),
      expired && plural(expired, 'expiré', 'expirés'),
      expiring && `${plural(expiring, 'expire', 'expirent')} bientôt`,
    ]);
  }
  if (hh) say('waits-family', [plural(hh.members.length, 'membre', 'membres')]);
}

async function start() {
  if (!(await restoreSession())) return; // the invitation to sign in stays
  const me = await fetchMe();
  showProfile(me);
  $('recovery-section').hidden = !me.totp_enabled;
  $('space-anon').hidden = true;
  $('space').hidden = false;
  await Promise.all([loadNotifications(), loadSessions(), loadWaits(me)]);
}

start();
