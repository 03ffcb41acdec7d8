// /ads/campaigns — the advertiser's campaigns (GET /api/v1/ads/campaigns):
// each a link to its page (screens/ads-campaign.js) named by the campaign,
// with its state, objective, budget, what it spent and its targeting in
// words; the way to a new one (screens/ads-campaign-form.js). Someone
// without an advertiser account is sent to /ads first. Campaign names are
// the advertiser's: textContent only.
import { get } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { ACCOUNT, adsNav, objectiveName, price, stateName, targetingText } from '../ads-kit.js';

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  root.append(el('h1', { textContent: t('adv.campaignsTitle') }), adsNav(t, '/ads/campaigns'));
  const status = el('p', { className: 'mkt-status', role: 'status' });
  root.append(status);
  const [account, r] = await Promise.all([get(ACCOUNT), get('/api/v1/ads/campaigns')]);
  if (account.ok && !account.data.advertiser) {
    status.textContent = t('adv.notAdvertiser');
    root.append(el('p', {}, el('a', { href: '/ads', className: 'kit-button', textContent: t('adv.createTitle') })));
    return;
  }
  if (!r.ok) {
    status.textContent = failureText(t, r.error);
    return;
  }
  const list = el('ul', { className: 'adv-campaigns', 'aria-labelledby': 'adv-h-list' });
  root.append(el('h2', { id: 'adv-h-list', className: 'visually-hidden', textContent: t('adv.campaignsTitle') }), list);
  for (const c of r.data.campaigns) {
    const item = el('li', { className: 'mkt-card adv-campaign' },
      el('p', {}, el('a', { href: `/ads/campaigns/${encodeURIComponent(c.id)}`, className: 'mkt-card-title', textContent: c.name })),
      el('p', { className: 'mkt-card-status', textContent: `${stateName(t, c.state)} · ${objectiveName(t, c.objective)}` }),
      el('p', { className: 'mkt-card-meta', textContent: t('adv.spentOf', { spent: price(c.spent_minor, c.currency),
        total: price(c.total_budget_minor, c.currency) }) }),
      el('p', { className: 'kit-help', textContent: targetingText(t, c.targeting) }));
    item.dataset.state = c.state;
    item.dataset.id = c.id;
    list.append(item);
  }
  status.textContent = r.data.campaigns.length ? t('adv.campaignCount', { count: r.data.campaigns.length }) : t('adv.campaignsEmpty');
}
