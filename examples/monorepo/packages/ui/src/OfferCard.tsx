import type { Offer } from '@acme/types';

const money = (cents: number) => (cents / 100).toLocaleString('en-MY', { style: 'currency', currency: 'MYR' });

export function OfferCard({ offer }: { offer: Offer }) {
  return (
    <article className="offer">
      <h3>{offer.title}</h3>
      <p>{money(offer.amountCents)}</p>
      <span className={`status status-${offer.status}`}>{offer.status}</span>
    </article>
  );
}
