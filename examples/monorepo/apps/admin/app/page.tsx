import type { Offer } from '@acme/types';
import { OfferCard } from '@acme/ui';

async function offers(): Promise<Offer[]> {
  const response = await fetch(`${process.env.API_URL}/offers?view=admin`, { cache: 'no-store' });
  return response.ok ? response.json() : [];
}

export default async function Page() {
  const list = await offers();
  return (
    <main>
      <h1>Admin portal</h1>
      {list.map((offer) => (
        <OfferCard key={offer.id} offer={offer} />
      ))}
    </main>
  );
}
