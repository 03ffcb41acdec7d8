// The Plus badge: a small label after a person's name wherever the shell
// writes one in the DOM (the feed's mirror titles, profiles, lists), for
// people whose API object says "plus": true. The canvas draws its own
// (core/src/app/app_feed.c, the same catalog key).
export function plusBadge(t) {
  const badge = document.createElement('span');
  badge.className = 'plus-badge';
  badge.dataset.i18n = 'billing.badge';
  badge.textContent = t('billing.badge');
  return badge;
}

// name, then the badge when person.plus: the children of a name's element.
export function nameWithBadge(t, person) {
  return person?.plus === true ? [person.name, ' ', plusBadge(t)] : [person?.name ?? ''];
}
